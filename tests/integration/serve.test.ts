import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { createTestContext, type TestContext } from '../helpers/context';

/**
 * The production build under its supervisor as real processes: `npm run build`, then
 * `node server/dist/serve.js` with two workers. A worker killed with SIGKILL is replaced while the
 * other keeps serving; on SIGTERM every worker finishes what is in flight and the primary exits 0.
 */
const ROOT = path.resolve(__dirname, '../..');
let t: TestContext;
let primary: ChildProcess | null = null;

beforeAll(async () => {
  t = await createTestContext({ seed: true });
  execFileSync(process.execPath, [path.join(ROOT, 'scripts/run-ts.cjs'), 'scripts/build.ts'], { cwd: ROOT, stdio: 'inherit' });
}, 180_000);
afterAll(async () => {
  if (primary && primary.exitCode === null) primary.kill('SIGKILL');
  await t?.stop();
});

const workersOf = (pid: number): number[] => {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return []; // pgrep exits 1 when there are none
  }
};

async function until<T>(what: string, check: () => Promise<T | null | false> | T | null | false, seconds = 60): Promise<T> {
  const end = Date.now() + seconds * 1000;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`${what} not within ${seconds} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const login = (baseUrl: string) =>
  fetch(`${baseUrl}/api/v1/auth/wechat/login`, {
    method: 'POST',
    signal: AbortSignal.timeout(30_000),
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code: `test_demo_villager.${randomBytes(4).toString('hex')}` }),
  });

describe('npm run serve (the production build, one worker per core)', () => {
  it('when a worker dies it is replaced, and on SIGTERM every worker drains and the primary exits 0', async () => {
    const child = spawn(process.execPath, [path.join(ROOT, 'server/dist/serve.js')], {
      cwd: ROOT,
      env: {
        ...process.env,
        APP_ENV: 'test',
        NODE_ENV: 'test',
        PORT: '0',
        WORKERS: '2',
        LOG_LEVEL: 'warn',
        DATABASE_URL: t.config.databaseUrl,
        REDIS_KEY_PREFIX: t.config.redisKeyPrefix,
        WECHAT_API_BASE: t.emulator.url,
        JOBS_ENABLED: 'false',
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    primary = child;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const readyWorkers = new Set<number>();
    child.on('message', (m: { workerReady?: number }) => m?.workerReady && readyWorkers.add(m.workerReady));
    const ready = await new Promise<{ port: number; workers: number }>((resolve, reject) => {
      child.on('message', (m: { ready?: boolean; port: number; workers: number }) => m?.ready && resolve(m));
      void exited.then((code) => reject(new Error(`serve exited ${code} before it was ready`)));
    });
    expect(ready.workers).toBe(2);
    const baseUrl = `http://127.0.0.1:${ready.port}`;
    const first = workersOf(child.pid!);
    expect(first).toHaveLength(2);

    // No TypeScript loader in the workers: they run the compiled JavaScript.
    for (const pid of first) {
      const cmd = execFileSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' });
      expect(cmd).not.toMatch(/tsx|\.ts\b/);
    }

    // One worker dies: the other serves meanwhile, and a new one takes its place.
    // A connection the primary hands to the dying worker before it learns of the death is never
    // answered (node:cluster's round robin); a phone's request times out and it tries again, and so does this.
    process.kill(first[0], 'SIGKILL');
    const health = await until('an answer from the surviving worker', () =>
      fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(3000) }).then((r) => r.status, () => null),
    );
    expect(health).toBe(200);
    const replaced = await until('a replacement worker', () => {
      const now = workersOf(child.pid!);
      return now.length === 2 && !now.includes(first[0]) ? now : null;
    });
    expect(replaced).toContain(first[1]);
    const replacement = replaced.find((pid) => pid !== first[1])!;
    await until('the replacement serving', () => readyWorkers.has(replacement));

    // SIGTERM with logins in flight (WeChat slowed down): both are answered, then all exit.
    t.emulator.settings.delayMs = 1000;
    const inFlight = [login(baseUrl), login(baseUrl), login(baseUrl), login(baseUrl)];
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGTERM');
    const answers = await Promise.all(inFlight);
    t.emulator.settings.delayMs = 0;
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(await Promise.race([exited, new Promise((r) => setTimeout(() => r('still running 30 s after SIGTERM'), 30_000))])).toBe(0);
    expect(workersOf(child.pid!)).toEqual([]);
    await expect(fetch(`${baseUrl}/healthz`)).rejects.toThrow();
  }, 240_000);
});
