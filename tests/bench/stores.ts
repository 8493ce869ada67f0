import http from 'node:http';
import { fork } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { runLoad, printResults, printRatio, ceilingsAndFixedRate } from './lib';
import { startBenchProduct } from './setup';
import { createPool, ensureDatabase, dropDatabase } from '../../server/src/lib/db';
import { migrate } from '../../server/src/lib/migrate';
import { loadRegions } from '../../server/src/modules/regions/loader';
import { storesStep } from '../../prisma/seed/stores';
import { BUILT_KEY } from '../../server/src/modules/stores/geo';

/**
 * npm run bench -- stores [seconds] [connections]: GET /stores/nearby through the BFF (the
 * in-process index) at random points over China, against, in the same run, the same query as a
 * MySQL haversine scan over the stores table (what popular open-source mall projects do), the
 * BFF's /healthz (target ≥ 0.6×) and a bare node:http route, and the BFF at a fixed rate of half its
 * saturation for p50/p99; and the full region load (665,276 rows) timed into a fresh database.
 */
export default async function run(args: string[]): Promise<void> {
  const seconds = Number(args[0] ?? 10);
  const connections = Number(args[1] ?? 100);

  const loadDb = `mysql://root@127.0.0.1:3306/xh_bench_regions_${process.pid}`;
  await ensureDatabase(loadDb);
  await migrate(loadDb);
  const pool = createPool(loadDb, 8);
  const started = Date.now();
  const loaded = await loadRegions(pool, {});
  const loadSeconds = (Date.now() - started) / 1000;
  await pool.end();
  await dropDatabase(loadDb);
  console.log(`full region load: ${loaded.rows} regions, ${loaded.grams} bigrams in ${loadSeconds.toFixed(1)} s (target < 60 s: ${loadSeconds < 60 ? 'met' : 'NOT met'})`);

  const p = await startBenchProduct({ DB_POOL_SIZE: '20' });
  const { t } = p;
  const haversine = await startHaversineBaseline(t.config.databaseUrl);
  try {
    // The full demo: every region and the ≥15,000 generated stores, then a fresh geo index.
    await loadRegions(t.deps.db, {});
    await storesStep.run({ config: t.config, db: t.deps.db, prisma: t.deps.prisma, progress: () => {}, scale: 'full' });
    await t.deps.redis.del(BUILT_KEY);
    const [[{ n }]] = (await t.deps.db.query('SELECT COUNT(*) AS n FROM stores')) as unknown as [{ n: number }[]];
    console.log(`stores: ${n}`);
    const point = () => {
      const lat = (21 + Math.random() * 21).toFixed(5);
      const lng = (98 + Math.random() * 24).toFixed(5);
      return `lat=${lat}&lng=${lng}&radiusKm=20&limit=10`;
    };
    await runLoad({ name: 'warm-up', url: p.bff.baseUrl, connections: 4, durationSeconds: 2, request: () => ({ path: `/api/v1/stores/nearby?${point()}` }) });

    const nearby = { request: () => ({ path: `/api/v1/stores/nearby?${point()}` }) };
    const ours = await runLoad({ name: 'BFF GET /stores/nearby', url: p.bff.baseUrl, connections, durationSeconds: seconds, ...nearby });
    const scan = await runLoad({ name: 'MySQL haversine scan', url: haversine.url, connections, durationSeconds: seconds, request: () => ({ path: `/nearby?${point()}` }) });
    const steady = await ceilingsAndFixedRate({ label: 'nearby', bffUrl: p.bff.baseUrl, saturation: ours, connections, seconds, load: nearby, targets: { healthz: 0.6, p99Ms: 10 } });

    printResults(`nearest stores: ${connections} connections, ${seconds} s each, ${n} stores`, [ours, scan, ...steady]);
    printRatio('req/s, BFF vs MySQL haversine scan', ours.rps, scan.rps, 20);
  } finally {
    await haversine.close();
    await p.stop();
  }
}

/** The baseline: the nearest stores by a haversine expression over every row of stores. */
async function startHaversineBaseline(databaseUrl: string): Promise<{ url: string; close: () => Promise<void> }> {
  const child = fork(__filename, [], { execArgv: ['--require', 'tsx/cjs'], env: { ...process.env, STORES_HAVERSINE_BASELINE: databaseUrl }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.on('message', (m: { port?: number }) => m.port && resolve(m.port));
    child.once('exit', (code) => reject(new Error(`haversine baseline exited ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((r) => { child.once('exit', () => r()); child.kill('SIGTERM'); }) };
}

function serveHaversine(databaseUrl: string): void {
  const db = createPool(databaseUrl, 20);
  const nearest = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const lat = Number(u.searchParams.get('lat'));
    const lng = Number(u.searchParams.get('lng'));
    const radiusM = Number(u.searchParams.get('radiusKm') ?? 20) * 1000;
    const limit = Number(u.searchParams.get('limit') ?? 10);
    try {
      const [rows] = await db.query(
        `SELECT id, name, type, region_code, address, lat, lng, phone, open_hours, services,
           6371000 * 2 * ASIN(SQRT(POWER(SIN(RADIANS(lat - ?) / 2), 2) + COS(RADIANS(?)) * COS(RADIANS(lat)) * POWER(SIN(RADIANS(lng - ?) / 2), 2))) AS distance
         FROM stores HAVING distance <= ? ORDER BY distance LIMIT ?`,
        [lat, lat, lng, radiusM, limit],
      );
      const body = JSON.stringify({ items: rows });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    } catch (err) {
      res.writeHead(503);
      res.end(String((err as Error).message).slice(0, 200));
    }
  };
  const server = http.createServer((req, res) => void nearest(req, res));
  server.keepAliveTimeout = 65_000;
  server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
  process.on('SIGTERM', () => {
    server.closeAllConnections();
    server.close(() => void db.end().then(() => process.exit(0)));
  });
}

if (process.env.STORES_HAVERSINE_BASELINE) serveHaversine(process.env.STORES_HAVERSINE_BASELINE);
