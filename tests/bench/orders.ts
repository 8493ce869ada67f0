import { randomBytes } from 'node:crypto';
import { runLoad, printResults, printRatio, startBaseline } from './lib';
import { startBenchProduct } from './setup';

/**
 * npm run bench -- orders: order creation through the BFF (conditional stock UPDATEs on mysql2,
 * idempotency key, pickup code) against the naive way in the same run (a Prisma interactive
 * transaction reading the SKU FOR UPDATE), under the same bounded load; then checks no SKU oversold.
 */
const SKUS = 100;
const STOCK = 100_000;

export default async function run(args: string[]): Promise<void> {
  const seconds = Number(args[0] ?? 10);
  const connections = Number(args[1] ?? 32);
  const p = await startBenchProduct();
  const { t } = p;
  try {
    await t.deps.db.query("INSERT INTO products (id, name, brand, category, description, image_url, tags, price_fen) VALUES ('BENCH', '压测商品', '海尔', 'tv', '', '/api/v1/images/tv.svg', '', 100000)");
    await t.deps.db.query('INSERT INTO skus (id, product_id, spec, price_fen, available) VALUES ?', [Array.from({ length: SKUS }, (_, i) => [`BENCH-${i}`, 'BENCH', `规格 ${i}`, 100000, STOCK])]);
    const tokens = await p.tokens(200, 'bench_buyer');
    const [users] = await t.deps.db.query("SELECT id FROM users WHERE openid LIKE 'bench_buyer_%'");
    const userIds = (users as { id: string }[]).map((u) => u.id);

    const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)];
    const order = () => ({
      path: '/api/v1/orders',
      method: 'POST',
      headers: { authorization: `Bearer ${pick(tokens)}`, 'idempotency-key': `b-${randomBytes(8).toString('hex')}` },
      body: JSON.stringify({ storeId: 'DEMO-001', items: [{ skuId: `BENCH-${Math.floor(Math.random() * SKUS)}`, units: 1 }] }),
    });
    const ours = await runLoad({ name: 'BFF POST /orders', url: p.bff.baseUrl, connections, durationSeconds: seconds, method: 'POST', request: order });
    // The target's own terms: 500 orders a second offered, and the p99 while holding them.
    const steady = await runLoad({ name: 'BFF at 500 orders/s', url: p.bff.baseUrl, connections, durationSeconds: seconds, method: 'POST', overallRate: 500, request: order });
    const naive = await startBaseline('naive-orders', { DATABASE_URL: t.config.databaseUrl });
    const theirs = await runLoad({
      name: 'naive Prisma FOR UPDATE transaction',
      url: naive.url,
      connections,
      durationSeconds: seconds,
      method: 'POST',
      request: () => ({ path: '/orders', method: 'POST', body: JSON.stringify({ userId: pick(userIds), skuId: `BENCH-${Math.floor(Math.random() * SKUS)}`, units: 1 }) }),
    });
    await naive.close();

    printResults(`orders: ${connections} connections, ${seconds} s each`, [ours, theirs, steady]);
    printRatio('orders/s, BFF vs naive', ours.rps, theirs.rps);
    const met = (ok: boolean) => (ok ? 'met' : 'NOT met');
    console.log(`BFF: ${Math.round(ours.rps)} orders/s at saturation (target ≥ 500: ${met(ours.rps >= 500)}), p99 there ${ours.p99} ms`);
    console.log(`BFF holding 500 orders/s: ${Math.round(steady.rps)} orders/s, p99 ${steady.p99} ms (target < 100 ms: ${met(steady.rps >= 490 && steady.p99 < 100)})`);

    const [rows] = await t.deps.db.query(
      `SELECT s.id, s.available, COALESCE(SUM(i.units), 0) AS sold FROM skus s LEFT JOIN order_items i ON i.sku_id = s.id WHERE s.product_id = 'BENCH' GROUP BY s.id, s.available`,
    );
    const oversold = (rows as { available: number; sold: number }[]).filter((r) => r.available < 0 || Number(r.sold) + r.available !== STOCK).length;
    console.log(`SKUs oversold or miscounted: ${oversold} (must be 0)`);
  } finally {
    await p.stop();
  }
}
