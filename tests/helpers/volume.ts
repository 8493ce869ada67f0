import type { PoolConnection } from 'mysql2/promise';
import type { Db } from '../../server/src/lib/db';

/**
 * Bulk rows made by the database itself (INSERT … SELECT over a numbers table), so a test can have
 * a database the size at which the optimizer chooses as it would in production in a few seconds.
 * Ids are fixed-width and sort like ULIDs; users, stores and times are spread as real ones are.
 */
export type Volume = { users: number; orders: number; coupons: number; groupBuys: number; members: number; sessions: number };

const numbers = (n: number) => {
  const digits = Math.ceil(Math.log10(Math.max(10, n)));
  const d = '(SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)';
  const parts = Array.from({ length: digits }, (_, i) => `${d} d${i}`);
  const value = Array.from({ length: digits }, (_, i) => `d${i}.d * ${10 ** i}`).join(' + ');
  return `(SELECT n FROM (SELECT ${value} AS n FROM ${parts.join(' CROSS JOIN ')}) every_n WHERE n < ${n}) nums`;
};

export async function addVolume(pool: Db, v: Volume): Promise<void> {
  // One connection: the temporary table of stores lives on it.
  const db = await pool.getConnection();
  try {
    await fill(db, v);
  } finally {
    db.release();
  }
}

async function fill(db: PoolConnection, v: Volume): Promise<void> {
  const id = (prefix: string, expr: string) => `CONCAT('${prefix}', LPAD(${expr}, ${26 - prefix.length}, '0'))`;
  await db.query(`INSERT INTO users (id, openid, nickname, created_at) SELECT ${id('VU', 'n')}, CONCAT('vol_', n), CONCAT('村民', n), NOW(3) - INTERVAL (n % 365) DAY FROM ${numbers(v.users)}`);
  await db.query(`CREATE TEMPORARY TABLE vol_stores AS SELECT id, ROW_NUMBER() OVER (ORDER BY id) - 1 AS k FROM stores`);
  const [[{ stores }]] = (await db.query('SELECT COUNT(*) AS stores FROM vol_stores')) as unknown as [{ stores: number }[]];
  const [skus] = (await db.query('SELECT s.id, s.product_id, s.price_fen, p.category FROM skus s JOIN products p ON p.id = s.product_id LIMIT 1')) as unknown as [{ id: string; product_id: string; price_fen: number; category: string }[]];
  const sku = skus[0];
  await db.query(
    `INSERT INTO orders (id, user_id, store_id, status, source, items_fen, coupon_fen, trade_in_fen, payable_fen, pickup_code, created_at, expires_at, picked_up_at)
     SELECT ${id('VO', 'n')}, ${id('VU', `n % ${v.users}`)}, s.id,
            ELT(1 + n % 5, 'awaiting_pickup', 'picked_up', 'picked_up', 'cancelled', 'expired'), 'direct', 100000, 0, 0, 100000,
            LPAD(n % 100000000, 8, '0'), NOW(3) - INTERVAL (n % 90) DAY - INTERVAL (n % 86400) SECOND, NOW(3) + INTERVAL 7 DAY - INTERVAL (n % 90) DAY,
            IF(n % 5 IN (1, 2), NOW(3) - INTERVAL (n % 80) DAY, NULL)
       FROM ${numbers(v.orders)} JOIN vol_stores s ON s.k = n % ${stores}`,
  );
  await db.query(
    `INSERT INTO order_items (order_id, sku_id, product_id, product_name, spec, category, units, unit_price_fen)
     SELECT ${id('VO', 'n')}, ?, ?, '商品', '规格', ?, 1, 100000 FROM ${numbers(v.orders)}`,
    [sku.id, sku.product_id, sku.category],
  );
  const [[tpl]] = (await db.query('SELECT id FROM coupon_templates LIMIT 1')) as unknown as [{ id: string }[]];
  if (tpl) {
    await db.query(
      `INSERT INTO coupons (id, template_id, user_id, slot, seq, status, claimed_at, expires_at)
       SELECT ${id('VC', 'n')}, ?, ${id('VU', `n % ${v.users}`)}, 1000000 + n, 1000000 + n, IF(n % 3 = 0, 'used', 'unused'), NOW(3) - INTERVAL (n % 30) DAY, NOW(3) + INTERVAL 30 DAY
         FROM ${numbers(v.coupons)}`,
      [tpl.id],
    );
  }
  const [[leader]] = (await db.query("SELECT user_id FROM user_roles WHERE role = 'leader' LIMIT 1")) as unknown as [{ user_id: string }[]];
  if (leader) {
    await db.query(
      `INSERT INTO group_buys (id, leader_id, store_id, sku_id, tiers, max_units, max_units_per_member, units_joined, members_count, status, deadline, share_code, created_at)
       SELECT ${id('VG', 'n')}, ?, s.id, ?, '[{"minUnits":2,"priceFen":90000}]', 100, 3, 0, 0,
              ELT(1 + n % 3, 'open', 'succeeded', 'failed'), NOW(3) + INTERVAL (n % 20) - 10 DAY, CONCAT('V', n), NOW(3) - INTERVAL (n % 60) DAY
         FROM ${numbers(v.groupBuys)} JOIN vol_stores s ON s.k = n % ${stores}`,
      [leader.user_id, sku.id],
    );
    await db.query(
      `INSERT IGNORE INTO group_buy_members (id, group_buy_id, user_id, units, created_at)
       SELECT ${id('VM', 'n')}, ${id('VG', `n % ${v.groupBuys}`)}, ${id('VU', `(n * 7) % ${v.users}`)}, 1, NOW(3)
         FROM ${numbers(v.members)}`,
    );
  }
  await db.query(
    `INSERT INTO sessions (id, user_id, created_at, expires_at, ended_at)
     SELECT ${id('VS', 'n')}, ${id('VU', `n % ${v.users}`)}, NOW(3) - INTERVAL (n % 30) DAY, NOW(3) + INTERVAL 7 DAY - INTERVAL (n % 30) DAY, IF(n % 4 = 0, NOW(3), NULL)
       FROM ${numbers(v.sessions)}`,
  );
  await db.query('DROP TEMPORARY TABLE vol_stores');
  for (const table of ['users', 'orders', 'order_items', 'coupons', 'group_buys', 'group_buy_members', 'sessions']) await db.query(`ANALYZE TABLE ${table}`);
}
