import type { Pool, PoolConnection } from 'mysql2/promise';
import { PrismaMariaDb } from '@prisma/adapter-mariadb';
import { PrismaClient } from '../../server/src/generated/prisma/client';
import { parseDatabaseUrl } from '../../server/src/lib/db';
import { addVolume, type Volume } from '../helpers/volume';
import type { TestContext } from '../helpers/context';
import { runLoad, printResults, type LoadResult } from './lib';
import { startBenchProduct } from './setup';

/**
 * npm run bench -- reads [orders] [seconds] [connections] [rate]: the product's hot read paths on a large
 * database. The demo data (test scale) gets the chain seed's generator (prisma/seed/chain.ts) at a
 * size that builds here in minutes: `orders` orders and their items, and the chain's proportions of
 * the rest (a fifth as many users and sessions, a tenth as many coupons, group-buy members and
 * after-sales tickets with two events each, a fiftieth as many group-buys). The whole season of
 * `npm run seed -- --scale chain` (10 M orders) takes far longer than a benchmark should.
 *
 * Each route — the store console's lists (pickups, today, the ticket inbox), my orders, my tickets,
 * my coupons, a store's group-buys, a leader's group-buys — is loaded through the BFF process at
 * saturation and then at a fixed rate (open loop, 20/s), where its p99 is held to the target (< 20 ms);
 * the BFF's GET /healthz runs the same way in the same run. Then, in the bench's own process, each
 * route is called 50 times one after another with every SQL statement timed (the mysql2 pools and
 * Prisma's query events): the slowest statements by p99, with their route.
 *
 * Measured on 2026-11-30: see docs/deployment.md ("Reads on a large database").
 */
const TARGET_P99_MS = 20;

type Route = { name: string; path: () => string; token: () => string | undefined };

export default async function run(args: string[]): Promise<void> {
  const orders = Number(args[0] ?? 300_000);
  const seconds = Number(args[1] ?? 5);
  const connections = Number(args[2] ?? 8);
  const rate = Number(args[3] ?? 20);
  const volume: Volume = {
    users: orders / 5, orders, coupons: orders / 10, groupBuys: orders / 50, members: orders / 10, sessions: orders / 5, tickets: orders / 10,
  };
  // No jobs: the generated orders and tickets past their deadlines would be expired and escalated under the load.
  const p = await startBenchProduct({ JOBS_ENABLED: 'false' });
  const { t } = p;
  try {
    const started = Date.now();
    let last = Date.now();
    const reported = new Set<string>();
    await addVolume(t.deps.db, volume, (step, done, total) => {
      if (done < total || reported.has(step)) return;
      reported.add(step);
      console.log(`  ${step}: ${total} rows (${((Date.now() - last) / 1000).toFixed(0)} s)`);
      last = Date.now();
    });
    console.log(`volume added in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    await describeDatabase(t);

    const owner = await t.login('demo_owner');
    const leader = await t.login('demo_leader');
    const villagers: string[] = [];
    for (let i = 0; i < 100; i++) villagers.push(await t.login(`vol_${Math.floor(Math.random() * volume.users)}`));
    const [storeRows] = await t.deps.db.query('SELECT id FROM stores ORDER BY RAND() LIMIT 100');
    const stores = ['DEMO-001', ...(storeRows as { id: string }[]).map((s) => s.id)];
    const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)];
    const villager = () => pick(villagers);
    const routes: Route[] = [
      { name: 'GET /store/pickups (awaiting pickup)', path: () => '/api/v1/store/pickups', token: () => owner },
      { name: 'GET /store/pickups?status=picked_up', path: () => '/api/v1/store/pickups?status=picked_up', token: () => owner },
      { name: 'GET /store/today', path: () => '/api/v1/store/today', token: () => owner },
      { name: 'GET /store/tickets (open)', path: () => '/api/v1/store/tickets', token: () => owner },
      { name: 'GET /store/tickets?status=all&cursor=40 (3rd page)', path: () => '/api/v1/store/tickets?status=all&cursor=40', token: () => owner },
      { name: 'GET /orders (mine)', path: () => '/api/v1/orders', token: villager },
      { name: 'GET /tickets (mine)', path: () => '/api/v1/tickets', token: villager },
      { name: 'GET /me/coupons', path: () => '/api/v1/me/coupons', token: villager },
      { name: 'GET /group-buys?storeId=', path: () => `/api/v1/group-buys?storeId=${pick(stores)}`, token: () => undefined },
      { name: 'GET /group-buys?storeId=&status=open', path: () => `/api/v1/group-buys?storeId=${pick(stores)}&status=open`, token: () => undefined },
      { name: 'GET /group-buys?mine=true (leader)', path: () => '/api/v1/group-buys?mine=true', token: () => leader },
    ];
    for (const r of routes) {
      const res = await t.http.get(r.path()).set(r.token() ? { authorization: `Bearer ${r.token()}` } : {});
      if (res.status !== 200) throw new Error(`${r.name}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
      const items = res.body.items as unknown[] | undefined;
      console.log(`  ${r.name}: ${items ? `${items.length} items on the first page` : `{ ${Object.keys(res.body as object).join(', ')} }`}`);
    }

    const load = (r: Route) => ({
      request: () => {
        const token = r.token();
        const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
        return { path: r.path(), method: 'GET', headers };
      },
    });
    const healthz: Route = { name: 'GET /healthz (baseline)', path: () => '/healthz', token: () => undefined };
    const saturated: LoadResult[] = [];
    const fixed: LoadResult[] = [];
    for (const r of [healthz, ...routes]) {
      const sat = await runLoad({ name: r.name, url: p.bff.baseUrl, connections, durationSeconds: seconds, ...load(r) });
      const steady = await runLoad({ name: `${r.name} at ${rate}/s`, url: p.bff.baseUrl, connections, durationSeconds: 2 * seconds, overallRate: rate, ...load(r) });
      saturated.push(sat);
      fixed.push(steady);
    }
    printResults(`reads at saturation (${connections} connections, ${seconds} s each)`, saturated);
    printResults(`reads at a fixed ${rate}/s each (${2 * seconds} s; target p99 < ${TARGET_P99_MS} ms)`, fixed);
    const slowest = fixed.slice(1).reduce((a, b) => (b.p99 > a.p99 ? b : a));
    const missed = fixed.slice(1).filter((r) => r.p99 >= TARGET_P99_MS);
    console.log(`baseline /healthz at ${rate}/s: p50 ${fixed[0].p50} ms, p99 ${fixed[0].p99} ms; at saturation ${Math.round(saturated[0].rps)}/s`);
    for (let i = 1; i < fixed.length; i++) {
      console.log(`  ${routes[i - 1].name}: p99 ${fixed[i].p99} ms at ${rate}/s (${(fixed[i].p99 / Math.max(1, fixed[0].p99)).toFixed(1)}x /healthz's), ${(saturated[i].rps / saturated[0].rps).toFixed(2)}x /healthz's req/s at saturation`);
    }
    console.log(`slowest route: ${slowest.name}, p99 ${slowest.p99} ms; target p99 < ${TARGET_P99_MS} ms ${missed.length ? `NOT met by ${missed.length} of ${routes.length}: ${missed.map((m) => m.name).join('; ')}` : `met by all ${routes.length}`}`);

    await slowestStatements(t, routes);
  } finally {
    await p.stop();
  }
}

/** Rows per big table and the database's size. */
async function describeDatabase(t: TestContext): Promise<void> {
  const count = async (table: string) => Number(((await t.deps.db.query(`SELECT COUNT(*) AS n FROM \`${table}\``)) as unknown as [{ n: number }[]])[0][0].n);
  const tables = ['users', 'stores', 'orders', 'order_items', 'coupons', 'group_buys', 'group_buy_members', 'sessions', 'tickets', 'ticket_events'];
  const rows: string[] = [];
  for (const table of tables) rows.push(`${table} ${(await count(table)).toLocaleString('en')}`);
  const [[size]] = (await t.deps.db.query(
    'SELECT ROUND(SUM(data_length) / 1048576) AS data, ROUND(SUM(index_length) / 1048576) AS idx FROM information_schema.tables WHERE table_schema = DATABASE()',
  )) as unknown as [{ data: number; idx: number }[]];
  const [[demo]] = (await t.deps.db.query("SELECT COUNT(*) AS orders, SUM(status = 'awaiting_pickup') AS awaiting FROM orders WHERE store_id = 'DEMO-001'")) as unknown as [{ orders: number; awaiting: number }[]];
  console.log(`database: ${rows.join(', ')}; ${size.data} MB of data and ${size.idx} MB of indexes (InnoDB's estimate)`);
  console.log(`the owner's store DEMO-001: ${demo.orders} orders, ${demo.awaiting} awaiting pickup`);
}

/**
 * Every statement of every route timed where it is executed, in this process (no load): the
 * mysql2 pools wrapped, Prisma swapped for a client of the same kind that reports each query's duration.
 */
async function slowestStatements(t: TestContext, routes: Route[]): Promise<void> {
  let current = '';
  const timings = new Map<string, { route: string; sql: string; ms: number[] }>();
  const note = (sql: string, ms: number) => {
    const text = sql.replace(/\s+/g, ' ').trim();
    const key = `${current}\u0000${text}`;
    const entry = timings.get(key) ?? { route: current, sql: text, ms: [] };
    entry.ms.push(ms);
    timings.set(key, entry);
  };
  const timed = (pool: Pool) => {
    const wrap = <T extends { query: unknown }>(target: T) => {
      const original = (target.query as (...a: unknown[]) => Promise<unknown>).bind(target);
      (target as Record<string, unknown>).query = async (sql: unknown, ...rest: unknown[]) => {
        const began = process.hrtime.bigint();
        try {
          return await original(sql, ...rest);
        } finally {
          const text = typeof sql === 'string' ? sql : ((sql as { sql?: string })?.sql ?? '');
          if (current) note(text, Number(process.hrtime.bigint() - began) / 1e6);
        }
      };
    };
    wrap(pool);
    const getConnection = pool.getConnection.bind(pool);
    pool.getConnection = async () => {
      const conn: PoolConnection & { xhTimed?: boolean } = await getConnection();
      if (!conn.xhTimed) {
        conn.xhTimed = true;
        wrap(conn);
      }
      return conn;
    };
  };
  timed(t.deps.db);
  timed(t.deps.batchDb);
  const prisma = new PrismaClient({ adapter: new PrismaMariaDb({ ...parseDatabaseUrl(t.config.databaseUrl), connectionLimit: 4 }), log: [{ emit: 'event', level: 'query' }] });
  prisma.$on('query', (e) => current && note(e.query, e.duration));
  await t.deps.prisma.$disconnect();
  (t.deps as { prisma: unknown }).prisma = prisma;

  for (const r of routes) {
    current = r.name;
    for (let i = 0; i < 50; i++) {
      const token = r.token();
      await t.http.get(r.path()).set(token ? { authorization: `Bearer ${token}` } : {});
    }
  }
  current = '';
  const quantile = (ms: number[], q: number) => [...ms].sort((a, b) => a - b)[Math.min(ms.length - 1, Math.max(0, Math.ceil(ms.length * q) - 1))];
  const ranked = [...timings.values()].map((e) => ({ ...e, p50: quantile(e.ms, 0.5), p99: quantile(e.ms, 0.99) })).sort((a, b) => b.p99 - a.p99).slice(0, 5);
  console.log('\n== the slowest statements by p99 (each route called 50 times one after another, in this process)');
  for (const s of ranked) console.log(`  p99 ${s.p99.toFixed(1)} ms, p50 ${s.p50.toFixed(1)} ms (${s.ms.length} runs) · ${s.route} · ${s.sql.slice(0, 200)}`);
}
