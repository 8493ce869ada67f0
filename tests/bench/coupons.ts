import { runLoad, printResults, printRatio, startBaseline, ceilingsAndFixedRate } from './lib';
import { startBenchProduct } from './setup';

/**
 * npm run bench -- coupons [seconds] [connections]: claims a second through the BFF (one Redis round
 * trip: rate limits and admission in one script; group-committed MySQL record) against, in the same
 * run, the row-lock way in MySQL (SELECT … FOR UPDATE on the template, count, insert), the BFF's
 * /healthz and a bare node:http route, and the claims at a fixed rate of half the saturation (p99
 * target 50 ms); then the oversold and lost counts from MySQL (both must be 0). Targets (issue 18):
 * ≥ 0.4× /healthz and ≥ 15× the row lock at 100 connections.
 */
export default async function run(args: string[]): Promise<void> {
  const seconds = Number(args[0] ?? 10);
  const connections = Number(args[1] ?? 100);
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

    const claim = { method: 'POST' as const, request: () => ({ path: '/api/v1/coupons/claim', method: 'POST', headers: { authorization: `Bearer ${pick(tokens)}` }, body }) };
    await runLoad({ name: 'warm-up', url: p.bff.baseUrl, connections: 10, durationSeconds: 2, ...claim });
    const ours = await runLoad({ name: 'BFF POST /coupons/claim', url: p.bff.baseUrl, connections, durationSeconds: seconds, ...claim });
    const steady = await ceilingsAndFixedRate({ label: 'claims', bffUrl: p.bff.baseUrl, saturation: ours, connections, seconds, load: claim, targets: { healthz: 0.4, p99Ms: 50 } });
    const lock = await startBaseline('rowlock-claims', { DATABASE_URL: t.config.databaseUrl });
    const rowLock = await runLoad({
      name: 'row lock (SELECT … FOR UPDATE)', url: lock.url, connections, durationSeconds: seconds, method: 'POST',
      request: () => ({ path: '/claim', method: 'POST', body: JSON.stringify({ userId: pick(userIds), templateId: 'BENCH-LOCK' }) }),
    });
    await lock.close();

    printResults(`coupon claims: ${connections} connections, ${seconds} s each`, [ours, rowLock, ...steady]);
    printRatio('claims/s, BFF vs row lock', ours.rps, rowLock.rps, 15);

    // Why a claim costs what it costs: the group-committed INSERTs (from the BFF's metrics) and this
    // machine's commit latency (a one-row autocommit INSERT, fsync included).
    const metrics = await (await fetch(`${p.bff.baseUrl}/metrics`, { headers: { authorization: `Bearer ${p.t.config.ops.metricsToken}` } })).text();
    const metric = (name: string) => Number(new RegExp(`^${name} ([0-9.e+-]+)$`, 'm').exec(metrics)?.[1] ?? NaN);
    const batches = metric('coupon_claim_batches_total');
    console.log(`group commit: ${batches} INSERTs of ${(metric('coupon_claim_batch_rows_total') / batches).toFixed(1)} claims on average, ${((metric('coupon_claim_batch_seconds_total') / batches) * 1000).toFixed(1)} ms each`);
    await t.deps.db.query('CREATE TABLE bench_commit_probe (id INT AUTO_INCREMENT PRIMARY KEY, v INT)');
    const commits: number[] = [];
    for (let i = 0; i < 200; i++) {
      const started = process.hrtime.bigint();
      await t.deps.db.query('INSERT INTO bench_commit_probe (v) VALUES (?)', [i]);
      commits.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    commits.sort((a, b) => a - b);
    console.log(`one-row commit on this machine: p50 ${commits[100].toFixed(1)} ms, p99 ${commits[197].toFixed(1)} ms`);
    await new Promise((r) => setTimeout(r, 2000));
    const [rows] = await t.deps.db.query("SELECT COUNT(*) AS n, COUNT(DISTINCT slot) AS slots FROM coupons WHERE template_id = 'BENCH-BFF'");
    const [over] = await t.deps.db.query("SELECT COUNT(*) AS n FROM (SELECT user_id FROM coupons WHERE template_id = 'BENCH-BFF' GROUP BY user_id HAVING COUNT(*) > ?) x", [LIMIT]);
    const stored = Number((rows as { n: number }[])[0].n);
    const acknowledged = (ours.statuses['201'] ?? 0) + (steady[0].statuses['201'] ?? 0);
    console.log(`acknowledged ${acknowledged}, stored ${stored}; oversold: ${Math.max(0, stored - STOCK) + Number((over as { n: number }[])[0].n)} (must be 0); lost: ${Math.max(0, acknowledged - stored)} (must be 0)`);
  } finally {
    await p.stop();
  }
}
