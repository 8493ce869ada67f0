import { runLoad, printResults, printRatio, startBaseline } from './lib';
import { startBenchProduct } from './setup';

/**
 * npm run bench -- coupons [seconds] [connections]: claims a second through the BFF (Lua admission
 * in Redis, group-committed MySQL record) against, in the same run, (a) the row-lock way in MySQL
 * (SELECT … FOR UPDATE on the template, count, insert) and (b) a bare node:http route; then the
 * oversold and lost counts from MySQL (both must be 0).
 */
export default async function run(args: string[]): Promise<void> {
  const seconds = Number(args[0] ?? 10);
  const connections = Number(args[1] ?? 1000);
  const p = await startBenchProduct({ DB_POOL_SIZE: '20' });
  const { t } = p;
  try {
    const STOCK = 5_000_000;
    const LIMIT = 1000;
    await t.deps.db.query("INSERT INTO campaigns (id, name, starts_at, ends_at) VALUES ('BENCH', '压测', NOW(3) - INTERVAL 1 HOUR, NOW(3) + INTERVAL 1 DAY)");
    await t.deps.db.query(
      "INSERT INTO coupon_templates (id, campaign_id, title, kind, threshold_fen, discount_fen, categories, total, per_user_limit, valid_days) VALUES ('BENCH-BFF', 'BENCH', 'b', 'direct', 0, 100, 'tv', ?, ?, 30), ('BENCH-LOCK', 'BENCH', 'b', 'direct', 0, 100, 'tv', ?, ?, 30)",
      [STOCK, LIMIT, STOCK, LIMIT],
    );
    const tokens = await p.tokens(500, 'bench_claimer');
    const [users] = await t.deps.db.query("SELECT id FROM users WHERE openid LIKE 'bench_claimer_%'");
    const userIds = (users as { id: string }[]).map((u) => u.id);
    const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)];
    const body = JSON.stringify({ templateId: 'BENCH-BFF' });

    const ours = await runLoad({
      name: 'BFF POST /coupons/claim', url: p.bff.baseUrl, connections, durationSeconds: seconds, method: 'POST',
      request: () => ({ path: '/api/v1/coupons/claim', method: 'POST', headers: { authorization: `Bearer ${pick(tokens)}` }, body }),
    });
    const lock = await startBaseline('rowlock-claims', { DATABASE_URL: t.config.databaseUrl });
    const rowLock = await runLoad({
      name: 'row lock (SELECT … FOR UPDATE)', url: lock.url, connections, durationSeconds: seconds, method: 'POST',
      request: () => ({ path: '/claim', method: 'POST', body: JSON.stringify({ userId: pick(userIds), templateId: 'BENCH-LOCK' }) }),
    });
    await lock.close();
    const bare = await startBaseline('bare');
    const ceiling = await runLoad({ name: 'bare node:http', url: bare.url, connections, durationSeconds: seconds });
    await bare.close();

    printResults(`coupon claims: ${connections} connections, ${seconds} s each`, [ours, rowLock, ceiling]);
    printRatio('claims/s, BFF vs row lock', ours.rps, rowLock.rps, 10);
    printRatio('claims/s, BFF vs bare route', ours.rps, ceiling.rps, 0.5);
    console.log(`BFF p99 ${ours.p99} ms (target < 50 ms at ${connections} connections)`);

    await new Promise((r) => setTimeout(r, 2000));
    const [rows] = await t.deps.db.query("SELECT COUNT(*) AS n, COUNT(DISTINCT slot) AS slots FROM coupons WHERE template_id = 'BENCH-BFF'");
    const [over] = await t.deps.db.query("SELECT COUNT(*) AS n FROM (SELECT user_id FROM coupons WHERE template_id = 'BENCH-BFF' GROUP BY user_id HAVING COUNT(*) > ?) x", [LIMIT]);
    const stored = Number((rows as { n: number }[])[0].n);
    const acknowledged = ours.statuses['201'] ?? 0;
    console.log(`acknowledged ${acknowledged}, stored ${stored}; oversold: ${Math.max(0, stored - STOCK) + Number((over as { n: number }[])[0].n)} (must be 0); lost: ${Math.max(0, acknowledged - stored)} (must be 0)`);
  } finally {
    await p.stop();
  }
}
