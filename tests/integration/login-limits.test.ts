import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Server } from 'node:http';
import { buildApp } from '../../server/src/app';
import type { Deps } from '../../server/src/lib/deps';
import { createTestContext, type TestContext } from '../helpers/context';

/**
 * Logins behind carrier NAT and behind a load balancer. Requests leave from chosen loopback
 * addresses (all of 127.0.0.0/8 is this machine), so each test has a peer address, and so an
 * address budget, of its own.
 */
const defaults = JSON.parse(readFileSync(path.resolve(__dirname, '../../config/default.json'), 'utf8')) as { rateLimits: Record<string, unknown> };
const LOAD_BALANCER = '127.0.0.9';

let t: TestContext;
let behindBalancer: { server: Server; port: number };
beforeAll(async () => {
  // The login budgets as shipped (the test configuration raises them for the other suites).
  t = await createTestContext({
    seed: true,
    overrides: { rateLimits: { loginPerIdentity: defaults.rateLimits.loginPerIdentity, loginPerCode: defaults.rateLimits.loginPerCode, loginPerAddress: defaults.rateLimits.loginPerAddress } },
  });
  // The same product configured for a load balancer at 127.0.0.9, with a small address budget to see it run out.
  const deps: Deps = {
    ...t.deps,
    config: { ...t.deps.config, trustedProxies: { addresses: [LOAD_BALANCER], hops: 1 }, rateLimits: { ...t.deps.config.rateLimits, loginPerAddress: { points: 5, durationSeconds: 600 } } },
  };
  const server = buildApp(deps).listen(0, '127.0.0.1');
  await new Promise<void>((r) => server.once('listening', r));
  behindBalancer = { server, port: (server.address() as AddressInfo).port };
});
afterAll(async () => {
  behindBalancer.server.closeAllConnections();
  await new Promise((r) => behindBalancer.server.close(r));
  await t.stop();
});

const code = (openid: string) => `test_${openid}.${randomBytes(5).toString('hex')}`;

/** POST /auth/wechat/login from a chosen local address, optionally with an X-Forwarded-For header. */
function login(port: number, from: string, body: { code: string }, forwardedFor?: string): Promise<{ status: number; body: { error?: { code: string } }; retryAfter?: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1', port, localAddress: from, method: 'POST', path: '/api/v1/auth/wechat/login',
        headers: { 'content-type': 'application/json', ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
        agent: false,
      },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text || '{}'), retryAfter: res.headers['retry-after'] }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}
const port = () => (t.server.address() as AddressInfo).port;

describe('logins behind one carrier-NAT address', () => {
  it('when 100 villagers behind one address sign in within a minute, then every one gets in', async () => {
    const statuses: number[] = [];
    for (let batch = 0; batch < 10; batch++) {
      const r = await Promise.all(Array.from({ length: 10 }, (_, i) => login(port(), '127.0.0.2', { code: code(`cgnat_villager_${batch * 10 + i}`) })));
      statuses.push(...r.map((x) => x.status));
    }
    expect(statuses).toEqual(Array(100).fill(200));
  });

  it('when one code is sent again and again, then it is refused after a few tries; a fresh code from the same phone still signs in', async () => {
    const once = code('replaying_villager');
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await login(port(), '127.0.0.3', { code: once })).status);
    // WeChat accepts a code once: the first signs in, the next four are WeChat's refusal, then the code is cut off before WeChat.
    expect(statuses).toEqual([200, 401, 401, 401, 401, 429, 429]);
    expect((await login(port(), '127.0.0.3', { code: code('replaying_villager') })).status).toBe(200);
  });

  it('when one WeChat identity signs in over and over, then it is refused past its budget while a neighbour on the same address gets in', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await login(port(), '127.0.0.4', { code: code('restless_villager') })).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(200));
    expect(statuses[10]).toBe(429);
    expect((await login(port(), '127.0.0.4', { code: code('patient_neighbour') })).status).toBe(200);
  });
});

describe('the client address behind a load balancer', () => {
  it('when a peer that is not a trusted proxy writes X-Forwarded-For, then it changes nothing: every request spends the peer\'s budget', async () => {
    const r = [];
    for (let i = 0; i < 6; i++) r.push(await login(behindBalancer.port, '127.0.0.5', { code: code(`spoofer_${i}`) }, `203.0.113.${i + 1}`));
    expect(r.map((x) => x.status)).toEqual([200, 200, 200, 200, 200, 429]);
    expect(Number(r[5].retryAfter)).toBeGreaterThan(0);
  });

  it('when two clients come through the trusted proxy, then they get two budgets, and what a client writes into the header does not choose its budget', async () => {
    const a = [];
    for (let i = 0; i < 6; i++) a.push((await login(behindBalancer.port, LOAD_BALANCER, { code: code(`client_a_${i}`) }, '198.51.100.7')).status);
    expect(a).toEqual([200, 200, 200, 200, 200, 429]);
    // Client A writes a made-up address in front of its own; the balancer appends the real one, which is the one read.
    expect((await login(behindBalancer.port, LOAD_BALANCER, { code: code('client_a_again') }, '192.0.2.77, 198.51.100.7')).status).toBe(429);
    // Client B, behind the same balancer, has its own budget.
    expect((await login(behindBalancer.port, LOAD_BALANCER, { code: code('client_b') }, '198.51.100.8')).status).toBe(200);
  });
});
