import { startAbuseContext, type AbuseContext } from './attacker';

/**
 * Identifiers compare byte for byte (utf8mb4_bin). WeChat's openids are case-sensitive: under a
 * case-insensitive collation a stranger whose openid differs from a victim's only in case signed in
 * as the victim. Idempotency keys and pickup codes are matched exactly too.
 */
let t: AbuseContext;

beforeAll(async () => {
  t = await startAbuseContext();
});
afterAll(() => t.stop());

describe('identifiers that differ only in case', () => {
  it('when two WeChat users have openids that differ only in case, then they are two accounts', async () => {
    const victim = await t.login('oCaseVictim_Xy');
    const stranger = await t.login('ocasevictim_xy');
    const [a, b] = await Promise.all([victim, stranger].map((token) => t.http.get('/api/v1/me').set(t.auth(token))));
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(a.body.id).not.toBe(b.body.id);
    expect(await t.count('SELECT COUNT(*) AS n FROM users WHERE openid IN (?, ?)', ['oCaseVictim_Xy', 'ocasevictim_xy'])).toBe(2);
  });

  it('when one buyer sends two idempotency keys that differ only in case, then they are two orders', async () => {
    const buyer = await t.login('case_buyer');
    const body = { storeId: 'DEMO-001', items: [{ skuId: 'TV-KONKA-1-A', units: 1 }] };
    const first = await t.http.post('/api/v1/orders').set(t.auth(buyer)).set('Idempotency-Key', 'order-Key-ABCDEF').send(body);
    const second = await t.http.post('/api/v1/orders').set(t.auth(buyer)).set('Idempotency-Key', 'order-key-abcdef').send(body);
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body.id).not.toBe(first.body.id);
  });

  it('when the schema is read, then every identifier column compares byte for byte', async () => {
    const [cols] = await t.deps.db.query(
      "SELECT CONCAT(table_name, '.', column_name) AS col, collation_name AS collation FROM information_schema.columns WHERE table_schema = DATABASE() AND CONCAT(table_name, '.', column_name) IN ('users.openid', 'payments.payer_openid', 'orders.pickup_code', 'orders.open_pickup_code', 'group_buys.share_code', 'idempotency_keys.idem_key', 'tickets.idem_key')",
    );
    expect((cols as { collation: string }[]).map((c) => c.collation)).toEqual(Array(7).fill('utf8mb4_bin'));
  });
});
