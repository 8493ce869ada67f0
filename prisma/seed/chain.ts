import type { PoolConnection } from 'mysql2/promise';
import type { Db } from '../../server/src/lib/db';
import type { SeedStep } from './types';

/**
 * The chain after a season (`npm run seed -- --scale chain`): on top of the demo (every region and
 * the 15,000+ generated stores), 2 M users, 10 M orders with their items, 200 k group-buys with
 * members, 1 M coupons, the users' sessions and 1 M after-sales tickets with their histories. Rows are made by the database itself (INSERT …
 * SELECT over a numbers table, 100,000 rows a statement), so nothing crosses the wire but the
 * statements; each batch reports progress and the step resumes where a previous run stopped.
 * Ids are fixed-width, prefixed per table, and sort like ULIDs; users, stores and times are spread
 * as real ones are. `tests/helpers/volume.ts` uses the same generator for the EXPLAIN test.
 */
export type Volume = { users: number; orders: number; coupons: number; groupBuys: number; members: number; sessions: number; tickets?: number };

export const CHAIN: Volume = { users: 2_000_000, orders: 10_000_000, coupons: 1_000_000, groupBuys: 200_000, members: 1_000_000, sessions: 2_000_000, tickets: 1_000_000 };
const BATCH = 100_000;

const DIGIT = '(SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)';
/** The numbers from ≤ n < to (at most BATCH of them) as a derived table `nums(n)`. */
const numbers = (from: number, to: number) => {
  const parts = Array.from({ length: 5 }, (_, i) => `${DIGIT} d${i}`);
  const value = Array.from({ length: 5 }, (_, i) => `d${i}.d * ${10 ** i}`).join(' + ');
  return `(SELECT n FROM (SELECT ${from} + ${value} AS n FROM ${parts.join(' CROSS JOIN ')}) every_n WHERE n < ${to}) nums`;
};
const id = (prefix: string, expr: string) => `CONCAT('${prefix}', LPAD(${expr}, ${26 - prefix.length}, '0'))`;

type Table = { name: string; count: (v: Volume) => number; prefix: string; insert: (from: number, to: number, v: Volume, c: Ctx) => [string, unknown[]] };
type Ctx = { stores: number; sku: { id: string; product_id: string; category: string }; templateId: string; leaderId: string | null };

const TABLES: Table[] = [
  {
    name: 'users', prefix: 'VU', count: (v) => v.users,
    insert: (from, to) => [`INSERT IGNORE INTO users (id, openid, nickname, created_at) SELECT ${id('VU', 'n')}, CONCAT('vol_', n), CONCAT('村民', n), NOW(3) - INTERVAL (n % 365) DAY FROM ${numbers(from, to)}`, []],
  },
  {
    name: 'orders', prefix: 'VO', count: (v) => v.orders,
    insert: (from, to, v, c) => [
      `INSERT IGNORE INTO orders (id, user_id, store_id, status, source, items_fen, coupon_fen, trade_in_fen, payable_fen, pickup_code, created_at, expires_at, picked_up_at)
       SELECT ${id('VO', 'n')}, ${id('VU', `n % ${v.users}`)}, s.id,
              ELT(1 + n % 5, 'awaiting_pickup', 'picked_up', 'picked_up', 'cancelled', 'expired'), 'direct', 100000, 0, 0, 100000,
              LPAD(n % 100000000, 8, '0'), NOW(3) - INTERVAL (n % 90) DAY - INTERVAL (n % 86400) SECOND, NOW(3) + INTERVAL 7 DAY - INTERVAL (n % 90) DAY,
              IF(n % 5 IN (1, 2), NOW(3) - INTERVAL (n % 80) DAY, NULL)
         FROM ${numbers(from, to)} JOIN chain_stores s ON s.k = n % ${c.stores}`, []],
  },
  {
    name: 'order_items', prefix: 'VO', count: (v) => v.orders,
    insert: (from, to, _v, c) => [
      `INSERT IGNORE INTO order_items (order_id, sku_id, product_id, product_name, spec, category, units, unit_price_fen)
       SELECT ${id('VO', 'n')}, ?, ?, '商品', '规格', ?, 1, 100000 FROM ${numbers(from, to)}`, [c.sku.id, c.sku.product_id, c.sku.category]],
  },
  {
    name: 'coupons', prefix: 'VC', count: (v) => v.coupons,
    insert: (from, to, v, c) => [
      `INSERT IGNORE INTO coupons (id, template_id, user_id, slot, seq, status, claimed_at, expires_at)
       SELECT ${id('VC', 'n')}, ?, ${id('VU', `n % ${v.users}`)}, 1 + n, 1 + FLOOR(n / ${v.users}), IF(n % 3 = 0, 'used', 'unused'), NOW(3) - INTERVAL (n % 30) DAY, NOW(3) + INTERVAL 30 DAY
         FROM ${numbers(from, to)}`, [c.templateId]],
  },
  {
    name: 'group_buys', prefix: 'VG', count: (v) => v.groupBuys,
    insert: (from, to, _v, c) => [
      `INSERT IGNORE INTO group_buys (id, leader_id, store_id, sku_id, tiers, max_units, max_units_per_member, units_joined, members_count, status, deadline, share_code, created_at)
       SELECT ${id('VG', 'n')}, ?, s.id, ?, '[{"minUnits":2,"priceFen":90000}]', 100, 3, 0, 0,
              ELT(1 + n % 3, 'open', 'succeeded', 'failed'), NOW(3) + INTERVAL (n % 20) - 10 DAY, CONCAT('V', LPAD(n, 7, '0')), NOW(3) - INTERVAL (n % 60) DAY
         FROM ${numbers(from, to)} JOIN chain_stores s ON s.k = n % ${c.stores}`, [c.leaderId, c.sku.id]],
  },
  {
    name: 'group_buy_members', prefix: 'VM', count: (v) => v.members,
    insert: (from, to, v) => [
      `INSERT IGNORE INTO group_buy_members (id, group_buy_id, user_id, units, created_at)
       SELECT ${id('VM', 'n')}, ${id('VG', `n % ${v.groupBuys}`)}, ${id('VU', `(n * 7) % ${v.users}`)}, 1, NOW(3) FROM ${numbers(from, to)}`, []],
  },
  {
    name: 'sessions', prefix: 'VS', count: (v) => v.sessions,
    insert: (from, to, v) => [
      `INSERT IGNORE INTO sessions (id, user_id, created_at, expires_at, ended_at)
       SELECT ${id('VS', 'n')}, ${id('VU', `n % ${v.users}`)}, NOW(3) - INTERVAL (n % 30) DAY, NOW(3) + INTERVAL 7 DAY - INTERVAL (n % 30) DAY, IF(n % 4 = 0, NOW(3), NULL)
         FROM ${numbers(from, to)}`, []],
  },
  {
    // A sixth still waits for the store (opened in the last 12 hours, answer due within a day); the rest were answered over 60 days.
    name: 'tickets', prefix: 'VT', count: (v) => v.tickets ?? 0,
    insert: (from, to, v, c) => {
      const created = 'IF(n % 6 = 0, NOW(3) - INTERVAL (n % 720) MINUTE, NOW(3) - INTERVAL (n % 60) DAY)';
      const when = (states: string) => `IF(n % 6 IN (${states}), ${created}, NULL)`;
      return [
        `INSERT IGNORE INTO tickets (id, user_id, store_id, kind, status, version, order_id, description, respond_by, accepted_at, resolved_at, closed_at, created_at)
         SELECT ${id('VT', 'n')}, ${id('VU', `n % ${v.users}`)}, s.id, ELT(1 + n % 5, 'repair', 'return', 'exchange', 'install_issue', 'maintenance'),
                ELT(1 + n % 6, 'submitted', 'accepted', 'resolved', 'closed', 'closed', 'cancelled'), IF(n % 6 = 0, 1, 2), ${id('VO', `n % ${v.orders}`)}, '不制冷了',
                ${created} + INTERVAL 1 DAY, ${when('1, 2, 3, 4')}, ${when('2, 3, 4')}, ${when('3, 4, 5')}, ${created}
           FROM ${numbers(from, to)} JOIN chain_stores s ON s.k = n % ${c.stores}`, []];
    },
  },
  {
    // Two rows a ticket (the ticket of n div 2): its submission, then one move to its present state (the answered ones).
    name: 'ticket_events', prefix: 'VT', count: (v) => 2 * (v.tickets ?? 0),
    insert: (from, to) => [
      `INSERT IGNORE INTO ticket_events (ticket_id, seq, actor, action, from_state, to_state, created_at)
       SELECT t.id, 1 + n % 2, IF(n % 2 = 0 OR t.status IN ('closed', 'cancelled'), 'villager', 'store'),
              IF(n % 2 = 0, 'submit', ELT(FIELD(t.status, 'accepted', 'resolved', 'closed', 'cancelled'), 'accept', 'resolve', 'rate', 'cancel')),
              IF(n % 2 = 0, NULL, ELT(FIELD(t.status, 'accepted', 'resolved', 'closed', 'cancelled'), 'submitted', 'accepted', 'resolved', 'submitted')),
              IF(n % 2 = 0, 'submitted', t.status), t.created_at
         FROM ${numbers(from, to)} JOIN tickets t ON t.id = ${id('VT', 'FLOOR(n / 2)')} WHERE n % 2 = 0 OR t.version = 2`, []],
  },
];

/** The season's coupons belong to a campaign of their own, as large as they are. */
async function seasonTemplate(conn: PoolConnection, v: Volume): Promise<string> {
  await conn.query("INSERT IGNORE INTO campaigns (id, name, starts_at, ends_at) VALUES ('VOL-SEASON', '上一季', NOW(3) - INTERVAL 60 DAY, NOW(3) - INTERVAL 30 DAY)");
  await conn.query(
    `INSERT IGNORE INTO coupon_templates (id, campaign_id, title, kind, threshold_fen, discount_fen, categories, total, per_user_limit, valid_days)
     VALUES ('VOL-SEASON-TV', 'VOL-SEASON', '电视 立减50', 'direct', 0, 5000, 'tv', ?, ?, 30)`,
    [Math.max(1, v.coupons), Math.ceil(v.coupons / v.users) + 1],
  );
  return 'VOL-SEASON-TV';
}

/** Adds the volume (resuming: each table goes on from the generated rows it already has). */
export async function addVolume(pool: Db, v: Volume, progress: (step: string, done: number, total: number) => void = () => {}): Promise<void> {
  // One connection: the numbered stores are a temporary table on it.
  const conn = await pool.getConnection();
  try {
    await fill(conn, v, progress);
  } finally {
    conn.release();
  }
}

async function fill(conn: PoolConnection, v: Volume, progress: (step: string, done: number, total: number) => void): Promise<void> {
  await conn.query('DROP TEMPORARY TABLE IF EXISTS chain_stores');
  await conn.query('CREATE TEMPORARY TABLE chain_stores (k INT PRIMARY KEY, id VARCHAR(32) NOT NULL) SELECT ROW_NUMBER() OVER (ORDER BY id) - 1 AS k, id FROM stores');
  const first = async <T>(sql: string) => ((await conn.query(sql)) as unknown as [T[]])[0][0];
  const c: Ctx = {
    stores: Number((await first<{ n: number }>('SELECT COUNT(*) AS n FROM chain_stores')).n),
    sku: await first<Ctx['sku']>('SELECT s.id, s.product_id, p.category FROM skus s JOIN products p ON p.id = s.product_id ORDER BY s.id LIMIT 1'),
    templateId: await seasonTemplate(conn, v),
    leaderId: (await first<{ user_id: string } | undefined>("SELECT user_id FROM user_roles WHERE role = 'leader' ORDER BY user_id LIMIT 1"))?.user_id ?? null,
  };
  for (const table of TABLES) {
    if (table.name.startsWith('group_buy') && !c.leaderId) continue;
    const total = table.count(v);
    const column = table.name === 'order_items' ? 'order_id' : table.name === 'ticket_events' ? 'ticket_id' : 'id';
    const have = Number((await first<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table.name} WHERE ${column} LIKE '${table.prefix}%'`)).n);
    for (let from = Math.floor(have / BATCH) * BATCH; from < total; from += BATCH) {
      const [sql, params] = table.insert(from, Math.min(from + BATCH, total), v, c);
      await conn.query(sql, params);
      progress(table.name, Math.min(from + BATCH, total), total);
    }
    progress(table.name, total, total);
  }
  await conn.query('DROP TEMPORARY TABLE chain_stores');
  for (const table of TABLES) await conn.query(`ANALYZE TABLE ${table.name}`);
}

export const chainStep: SeedStep = {
  name: 'chain',
  async run(ctx) {
    if (ctx.scale !== 'chain') return;
    await addVolume(ctx.db, CHAIN, ctx.progress);
  },
};
