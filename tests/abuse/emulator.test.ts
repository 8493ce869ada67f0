import { spawn } from 'node:child_process';
import path from 'node:path';
import { startEmulator, EMULATOR_SECRET_HEADER, type Emulator } from '../../server/wechat-emulator/server';

/**
 * The WeChat emulator listens on the machine: anyone on it (another user, a browser page, a
 * process in a container on the host network) can call it. Its control endpoints read every
 * user's messages (openids, order ids, pickup codes) and switch WeChat off, so they answer only
 * the secret of the run; the emulator itself refuses to run outside development and tests.
 */
const ROOT = path.resolve(__dirname, '../..');
let em: Emulator;

beforeAll(async () => {
  em = await startEmulator({ controlSecret: 'the-secret-of-this-run' });
  em.messages.push({ touser: 'o_victim', template_id: 'order', data: { pickupCode: { value: '123456' } }, at: new Date().toISOString() });
});
afterAll(() => em.close());

const CONTROLS: [string, string][] = [
  ['GET', '/__emulator/messages'],
  ['DELETE', '/__emulator/messages'],
  ['POST', '/__emulator/settings'],
  ['POST', '/__emulator/pay/faults'],
  ['POST', '/__emulator/pay/settings'],
  ['GET', '/__emulator/pay/state'],
  ['GET', '/__emulator/anything-else'],
];

describe('the WeChat emulator', () => {
  it.each(CONTROLS)('when a stranger calls %s %s without the secret or with a wrong one, then it gets 403 and nothing changes', async (method, route) => {
    for (const headers of [{}, { [EMULATOR_SECRET_HEADER]: 'guess' }, { [EMULATOR_SECRET_HEADER]: 'the-secret-of-this-run-and-more' }] as Record<string, string>[]) {
      const body = method === 'POST' ? JSON.stringify({ down: true, delayMs: 60_000, drop: 1, notifyScale: 100 }) : undefined;
      const res = await fetch(`${em.url}${route}`, { method, headers: { ...headers, 'content-type': 'application/json' }, body });
      expect(res.status).toBe(403);
      const text = await res.text();
      expect(text).not.toContain('o_victim');
      expect(text).not.toContain('123456');
    }
    expect(em.settings).toEqual({ delayMs: 0, down: false });
    expect(em.pay.faults.drop).toBe(0);
    expect(em.messages).toHaveLength(1);
  });

  it('when the run holds the secret, then the controls answer', async () => {
    const res = await fetch(`${em.url}/__emulator/messages?touser=o_victim`, { headers: { [EMULATOR_SECRET_HEADER]: em.controlSecret } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { messages: unknown[] }).messages).toHaveLength(1);
    const state = await fetch(`${em.url}/__emulator/pay/state`, { headers: { [EMULATOR_SECRET_HEADER]: em.controlSecret } });
    expect(state.status).toBe(200);
  });

  it('when no secret is given at the start, then one is made: an empty header does not open the controls', async () => {
    const other = await startEmulator();
    try {
      expect(other.controlSecret.length).toBeGreaterThanOrEqual(32);
      expect((await fetch(`${other.url}/__emulator/messages`, { headers: { [EMULATOR_SECRET_HEADER]: '' } })).status).toBe(403);
    } finally {
      await other.close();
    }
  });

  it('when someone starts it in production, then it refuses to run', async () => {
    const child = spawn(process.execPath, [path.join(ROOT, 'scripts/run-ts.cjs'), 'server/wechat-emulator/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, APP_ENV: 'production', NODE_ENV: 'production', WECHAT_EMULATOR_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).not.toBe(0);
    expect(output).toContain('development and test only');
    expect(output).not.toContain('listening');
  }, 60_000);
});
