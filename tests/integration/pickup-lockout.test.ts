import { randomBytes } from 'node:crypto';
import { pollUntil } from '../helpers/poll';
import { createTestContext, type TestContext } from '../helpers/context';
import { signInAsNewStoreOwner } from '../helpers/accounts';

// Small budgets and a 2-second lock, so the lock can be seen to end by itself.
let t: TestContext;
let villager: string;
beforeAll(async () => {
  t = await createTestContext({
    seed: true,
    overrides: {
      rateLimits: {
        pickupVerifyFailuresPerOwner: { points: 5, durationSeconds: 600, blockSeconds: 2 },
        pickupVerifyFailuresPerStore: { points: 8, durationSeconds: 600, blockSeconds: 2 },
      },
    },
  });
  villager = await t.login('demo_villager');
});
afterAll(async () => t.stop());

const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
const verify = (token: string, code: string) => t.http.post('/api/v1/store/pickups/verify').set(auth(token)).send({ code });
const codeAt = async (storeId: string) => {
  const r = await t.http.post('/api/v1/orders').set(auth(villager)).set('Idempotency-Key', `k-${randomBytes(8).toString('hex')}`)
    .send({ storeId, items: [{ skuId: 'SK-SUPOR-1-A', units: 1 }] });
  expect(r.status).toBe(201);
  return r.body.pickupCode as string;
};
/** A code no open order has: the real one with its last digit moved. */
const wrong = (code: string, n: number) => code.slice(0, 6) + String((Number(code.slice(6)) + 1 + n) % 100).padStart(2, '0');


describe('guessing pickup codes', () => {
  it('when an owner fires 30 wrong codes at once, then exactly the budget is looked up, then even a right code waits, told in Chinese how long; the lock ends by itself', async () => {
    const { token } = await signInAsNewStoreOwner(t, 'guessing_owner', 'DEMO-001');
    const right = await codeAt('DEMO-001');
    const guesses = await Promise.all(Array.from({ length: 30 }, (_, i) => verify(token, wrong(right, i))));
    const statuses = guesses.map((g) => g.status);
    expect(statuses.filter((s) => s === 404)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(25);

    const locked = await verify(token, right);
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('RATE_LIMITED');
    const retryAfter = Number(locked.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(2);
    expect(locked.body.error.message).toMatch(/^提货码核验失败次数过多，请 [12] 秒后再试$/);

    const open = await pollUntil('the lock to end', () => verify(token, right), (r) => r.status !== 429);
    expect(open.status).toBe(200);
  });

  it('when two owners of one store guess in turns, then their failures add up to the store budget and lock every owner of that store, not other stores', async () => {
    const [b, c, d] = await Promise.all(['store_owner_b', 'store_owner_c', 'store_owner_d'].map((o) => signInAsNewStoreOwner(t, o, 'DEMO-002')));
    const right = await codeAt('DEMO-002');
    // Successes never count: B serves three customers between its mistakes.
    for (let i = 0; i < 4; i++) {
      expect((await verify(b.token, wrong(right, i))).status).toBe(404);
      if (i < 3) expect((await verify(b.token, right)).status).toBe(200);
    }
    for (let i = 0; i < 4; i++) expect((await verify(c.token, wrong(right, 10 + i))).status).toBe(404);
    // 8 failures at DEMO-002: C is under its own budget (4 of 5), but the store's is spent.
    const storeLocked = await verify(c.token, right);
    expect(storeLocked.status).toBe(429);
    expect((await verify(d.token, right)).status).toBe(429);
    const elsewhere = await t.login('demo_owner');
    expect((await verify(elsewhere, await codeAt('DEMO-001'))).status).toBe(200);
    expect((await pollUntil('the store lock to end', () => verify(d.token, right), (r) => r.status !== 429)).status).toBe(200);
  });
});
