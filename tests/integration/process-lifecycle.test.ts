import { randomBytes } from 'node:crypto';
import { createTestContext, type TestContext } from '../helpers/context';
import { startBffProcess } from '../helpers/processes';

/** main.ts as a real process: it serves, and on SIGTERM it finishes in-flight requests and exits 0. */
let t: TestContext;
beforeAll(async () => {
  t = await createTestContext({ seed: true });
});
afterAll(async () => t?.stop());

describe('the BFF process', () => {
  it('when it gets SIGTERM, then it stops accepting, answers what is in flight, and exits cleanly', async () => {
    const bff = await startBffProcess({
      DATABASE_URL: t.config.databaseUrl,
      REDIS_KEY_PREFIX: t.config.redisKeyPrefix,
      WECHAT_API_BASE: t.emulator.url,
      JOBS_ENABLED: 'false',
    });
    const login = await fetch(`${bff.baseUrl}/api/v1/auth/wechat/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: `test_demo_villager.${randomBytes(4).toString('hex')}` }),
    });
    expect(login.status).toBe(200);
    // A slow WeChat keeps a login in flight while the process is told to stop.
    t.emulator.settings.delayMs = 800;
    const inFlight = fetch(`${bff.baseUrl}/api/v1/auth/wechat/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: `test_demo_villager.${randomBytes(4).toString('hex')}` }),
    });
    await new Promise((r) => setTimeout(r, 200));
    const exited = new Promise<number | null>((resolve) => bff.child.once('exit', (code) => resolve(code)));
    bff.child.kill('SIGTERM');
    const res = await inFlight;
    t.emulator.settings.delayMs = 0;
    expect(res.status).toBe(200);
    expect(await exited).toBe(0);
    await expect(fetch(`${bff.baseUrl}/healthz`)).rejects.toThrow();
  });
});
