import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { createTestContext, type TestContext } from '../helpers/context';
import { createDeps, closeDeps, type Deps } from '../../server/src/lib/deps';
import { buildApp } from '../../server/src/app';

/**
 * Two BFF processes' worth of state (two Deps, two apps) on one database and Redis prefix: a
 * session one of them keeps in its cache ends there too when the other logs it out, and a role
 * granted through one is seen by the other, through Redis pub/sub, well within the cache time.
 */
let t: TestContext;
let other: { deps: Deps; server: Server; http: ReturnType<typeof request> };
const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

beforeAll(async () => {
  t = await createTestContext({ seed: true, overrides: { auth: { sessionCacheSeconds: 300 } } });
  const deps = await createDeps(t.config);
  const server = buildApp(deps).listen(0, '127.0.0.1');
  await new Promise<void>((r) => server.once('listening', r));
  other = { deps, server, http: request(`http://127.0.0.1:${(server.address() as AddressInfo).port}`) };
});
afterAll(async () => {
  other.server.closeAllConnections();
  await new Promise<void>((r) => other.server.close(() => r()));
  await closeDeps(other.deps);
  await t.stop();
});

async function until(what: string, check: () => Promise<boolean>, seconds = 20): Promise<void> {
  const end = Date.now() + seconds * 1000;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`${what}: not within ${seconds} s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('sessions across processes', () => {
  it('when a session cached by another process is logged out, then it ends there too, long before the cache time', async () => {
    const token = await t.login('two_process_villager');
    expect((await other.http.get('/api/v1/me').set(auth(token))).status).toBe(200);
    expect((await t.http.post('/api/v1/auth/logout').set(auth(token))).status).toBe(204);
    // The cache time is 300 s here: only the eviction message can end it this soon.
    await until('the other process refusing the token', async () => (await other.http.get('/api/v1/me').set(auth(token))).status === 401);
    const [rows] = await t.deps.db.query('SELECT ended_at FROM sessions WHERE user_id = (SELECT id FROM users WHERE openid = ?)', ['two_process_villager']);
    expect((rows as { ended_at: Date | null }[]).every((r) => r.ended_at !== null)).toBe(true);
  });

  it("when a user's roles change and one process forgets the user, then the other sees the new roles", async () => {
    const token = await t.login('two_process_admin');
    const me = await other.http.get('/api/v1/me').set(auth(token));
    expect(me.body.roles).toEqual(['villager']);
    await t.deps.db.query("INSERT INTO user_roles (user_id, role) VALUES (?, 'admin')", [me.body.id]);
    const { forgetUser } = await import('../../server/src/lib/auth');
    await forgetUser(t.deps.redis, me.body.id as string);
    await until('the other process seeing the new role', async () => ((await other.http.get('/api/v1/me').set(auth(token))).body.roles as string[]).includes('admin'));
  });

  it('when a token is forged, mangled or unknown, then it is 401', async () => {
    const token = await t.login('two_process_forger');
    for (const bad of [`${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`, `${'0'.repeat(52)}${token.slice(52)}`, 'x'.repeat(95)]) {
      expect((await t.http.get('/api/v1/me').set(auth(bad))).status).toBe(401);
    }
    expect((await t.http.get('/api/v1/me').set(auth(token))).status).toBe(200);
  });
});
