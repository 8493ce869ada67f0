import { format } from 'mysql2';
import type { Pool, PoolConnection } from 'mysql2/promise';
import { PrismaMariaDb } from '@prisma/adapter-mariadb';
import { PrismaClient } from '../../server/src/generated/prisma/client';
import { createPool, parseDatabaseUrl } from '../../server/src/lib/db';
import { createTestContext, type TestContext } from '../helpers/context';
import { addVolume } from '../helpers/volume';

/**
 * Every query the product issues, planned on a database large enough for the optimizer to choose as
 * it would in production (100,000 orders and their items, 20,000 users, 50,000 coupons, 5,000
 * group-buys, 20,000 members and sessions). The queries are collected where they are executed —
 * a wrapper on the mysql2 pools and Prisma's query events — while every GET of the published
 * OpenAPI document is called as each role and the main journeys are walked; then each distinct
 * statement is EXPLAINed with the parameters it ran with. A full scan of a large table (type ALL,
 * or a full index scan) or a filesort over one fails the test, naming the statement.
 */
const LARGE = 5_000;
let t: TestContext;
/** The test's own queries go through a pool of its own, so they are not collected with the product's. */
let own: Pool;
const seen = new Map<string, { sql: string; values: unknown }>();

const normalise = (sql: string) => sql.replace(/\s+/g, ' ').trim();
function collect(sql: unknown, values: unknown) {
  const text = typeof sql === 'string' ? sql : (sql as { sql?: string })?.sql;
  if (!text) return;
  const key = normalise(text);
  if (!seen.has(key)) seen.set(key, { sql: text, values: values ?? (sql as { values?: unknown })?.values });
}

function watchPool(pool: Pool) {
  const wrap = <T extends { query: unknown; execute: unknown }>(target: T) => {
    for (const m of ['query', 'execute'] as const) {
      const original = (target[m] as (...a: unknown[]) => unknown).bind(target);
      (target as Record<string, unknown>)[m] = (sql: unknown, values?: unknown, ...rest: unknown[]) => {
        collect(sql, values);
        return original(sql, values, ...rest);
      };
    }
  };
  wrap(pool);
  const getConnection = pool.getConnection.bind(pool);
  pool.getConnection = async () => {
    const conn: PoolConnection & { xhWatched?: boolean } = await getConnection();
    if (!conn.xhWatched) {
      conn.xhWatched = true;
      wrap(conn);
    }
    return conn;
  };
}

beforeAll(async () => {
  t = await createTestContext({ seed: true });
  own = createPool(t.config.databaseUrl, 2);
  await addVolume(own, { users: 20_000, orders: 100_000, coupons: 50_000, groupBuys: 5_000, members: 20_000, sessions: 20_000 });
  watchPool(t.deps.db);
  watchPool(t.deps.batchDb);
  // Prisma's own queries: a client like the product's, with query events, in its place.
  const target = parseDatabaseUrl(t.config.databaseUrl);
  const prisma = new PrismaClient({ adapter: new PrismaMariaDb({ ...target, connectionLimit: 4 }), log: [{ emit: 'event', level: 'query' }] });
  // Prisma's events carry the parameters as strings: LIMIT and OFFSET need numbers back to be planned.
  prisma.$on('query', (e) => {
    const params = JSON.parse(e.params) as unknown[];
    const numeric = (/LIMIT \?( OFFSET \?)?\s*$/.exec(e.query)?.[1] ? 2 : /LIMIT \?\s*$/.test(e.query) ? 1 : 0);
    collect(e.query, params.map((p, i) => (i >= params.length - numeric && typeof p === 'string' && /^\d+$/.test(p) ? Number(p) : p)));
  });
  await t.deps.prisma.$disconnect();
  (t.deps as { prisma: unknown }).prisma = prisma;
}, 300_000);
afterAll(async () => {
  await own?.end();
  await t?.stop();
});

type Doc = { paths: Record<string, Record<string, { parameters?: { name: string; in: string; required?: boolean }[] }>> };

async function walk() {
  const roles = { villager: await t.login('demo_villager'), owner: await t.login('demo_owner'), leader: await t.login('demo_leader'), admin: await t.login('demo_admin') };
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
  const key = () => `explain-${Math.random().toString(36).slice(2)}`;
  // Journeys that write: an order and its pickup, a claim, a group-buy and a join, a quote.
  const [[sku]] = (await own.query('SELECT id FROM skus WHERE available > 10 ORDER BY id LIMIT 1')) as unknown as [{ id: string }[]];
  const order = await t.http.post('/api/v1/orders').set(auth(roles.villager)).set('Idempotency-Key', key()).send({ storeId: 'DEMO-001', items: [{ skuId: sku.id, units: 1 }] });
  const orderId = order.body.id as string | undefined;
  if (orderId) {
    await t.http.post('/api/v1/store/pickups/verify').set(auth(roles.owner)).send({ code: order.body.pickupCode });
    await t.http.post(`/api/v1/store/pickups/${orderId}/confirm`).set(auth(roles.owner)).send({ code: order.body.pickupCode, paymentMethod: 'cash' });
  }
  const second = await t.http.post('/api/v1/orders').set(auth(roles.villager)).set('Idempotency-Key', key()).send({ storeId: 'DEMO-001', items: [{ skuId: sku.id, units: 1 }] });
  if (second.body.id) await t.http.post(`/api/v1/orders/${second.body.id as string}/cancel`).set(auth(roles.villager));
  const campaigns = await t.http.get('/api/v1/campaigns/active');
  const templateId = (campaigns.body.items?.[0]?.coupons?.[0]?.templateId as string | undefined) ?? 'none';
  await t.http.post('/api/v1/coupons/claim').set(auth(roles.villager)).send({ templateId });
  const groups = await t.http.get('/api/v1/group-buys?storeId=DEMO-001').set(auth(roles.villager));
  const groupId = (groups.body.items?.[0]?.id as string | undefined) ?? 'none';
  await t.http.post(`/api/v1/group-buys/${groupId}/join`).set(auth(roles.villager)).send({ units: 1 });
  // Every GET of the published document, as every role, with the ids the journeys met.
  const doc = (await t.http.get('/api/v1/openapi.json')).body as Doc;
  const ids: Record<string, string> = { storeId: 'DEMO-001', orderId: orderId ?? 'none', code: '130000000000', templateId };
  const queryDefaults: Record<string, string> = { lat: '38.8738', lng: '115.4646', storeId: 'DEMO-001', region: '130000000000', q: '臧村', parent: '130000000000', date: new Date().toISOString().slice(0, 10), from: new Date().toISOString().slice(0, 10) };
  for (const [path, ops] of Object.entries(doc.paths)) {
    const op = ops.get;
    if (!op || path.endsWith('openapi.json')) continue;
    const candidates = path.includes('{') ? [ids.orderId, groupId, 'DEMO-001', '130000000000', templateId] : [''];
    for (const id of candidates) {
      const filled = path.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(ids[name] ?? id));
      const query = (op.parameters ?? []).filter((p) => p.in === 'query' && queryDefaults[p.name]).map((p) => `${p.name}=${encodeURIComponent(queryDefaults[p.name])}`).join('&');
      for (const token of Object.values(roles)) await t.http.get(`${filled}${query ? `?${query}` : ''}`).set(auth(token));
    }
  }
  // What the jobs run.
  const { jobs } = await import('../../server/src/jobs');
  for (const job of jobs) await job.run(t.deps).catch(() => undefined);
}

type Plan = { table: string | null; type: string | null; rows: number | string | null; Extra: string | null; key: string | null };

test('when every query the product issued is explained on 100,000 orders, then none scans a large table in full or sorts one by filesort', async () => {
  await walk();
  const conn = await own.getConnection();
  const sizes = new Map<string, number>();
  const [tables] = (await conn.query('SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()')) as unknown as [{ name: string }[]];
  for (const { name } of tables) {
    const [[{ n }]] = (await conn.query(`SELECT COUNT(*) AS n FROM \`${name}\``)) as unknown as [{ n: number }[]];
    sizes.set(name, Number(n));
  }
  const problems: string[] = [];
  let explained = 0;
  try {
    for (const { sql, values } of seen.values()) {
      const text = normalise(sql);
      if (!/^(SELECT|UPDATE|DELETE|WITH)\b/i.test(text) || /;\s*\S/.test(text) || /information_schema|GET_LOCK|RELEASE_LOCK|^SELECT 1$/i.test(text)) continue;
      const statement = Array.isArray(values) ? format(sql, values as Parameters<typeof format>[1]) : sql;
      let plan: Plan[];
      try {
        [plan] = (await conn.query(`EXPLAIN ${statement}`)) as unknown as [Plan[]];
      } catch (err) {
        problems.push(`could not EXPLAIN (${(err as Error).message}): ${text.slice(0, 200)}`);
        continue;
      }
      explained++;
      for (const row of plan) {
        const size = sizes.get(row.table ?? '') ?? 0;
        if (size < LARGE) continue;
        const rows = Number(row.rows ?? 0);
        if (row.type === 'ALL') problems.push(`full scan of ${row.table} (${size} rows): ${text.slice(0, 300)}`);
        else if (row.type === 'index' && rows >= size / 2) problems.push(`full index scan of ${row.table} (${size} rows, key ${row.key}): ${text.slice(0, 300)}`);
        if (/filesort/i.test(row.Extra ?? '') && rows > 1000) problems.push(`filesort over ${rows} rows of ${row.table}: ${text.slice(0, 300)}`);
      }
    }
  } finally {
    conn.release();
  }
  console.log(`${seen.size} distinct statements collected, ${explained} explained; large tables: ${[...sizes].filter(([, n]) => n >= LARGE).map(([k, n]) => `${k} ${n}`).join(', ')}`);
  expect(explained).toBeGreaterThan(30); // the walk reached the product: the check means something
  expect(problems).toEqual([]);
}, 600_000);
