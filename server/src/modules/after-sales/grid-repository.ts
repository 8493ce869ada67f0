import type { PoolConnection } from 'mysql2/promise';
import type { Db } from '../../lib/db';

/** The only place that reads and writes `grid_manager_stores`. */
export async function storesOfGridManager(db: Db, userId: string): Promise<string[]> {
  const [rows] = await db.query('SELECT store_id AS s FROM grid_manager_stores WHERE user_id = ? ORDER BY store_id', [userId]);
  return (rows as { s: string }[]).map((r) => r.s);
}

export async function gridManagersOfStore(db: Db, storeId: string): Promise<string[]> {
  const [rows] = await db.query('SELECT user_id AS u FROM grid_manager_stores WHERE store_id = ? ORDER BY user_id', [storeId]);
  return (rows as { u: string }[]).map((r) => r.u);
}

/** Sets the stores a grid manager answers for: exactly `storeIds` afterwards. */
export async function setGridManagerStores(db: PoolConnection, userId: string, storeIds: string[], appointedBy: string): Promise<void> {
  if (storeIds.length) {
    await db.query('INSERT INTO grid_manager_stores (user_id, store_id, appointed_by) VALUES ? ON DUPLICATE KEY UPDATE appointed_by = appointed_by', [storeIds.map((s) => [userId, s, appointedBy])]);
    await db.query('DELETE FROM grid_manager_stores WHERE user_id = ? AND store_id NOT IN (?)', [userId, storeIds]);
  } else {
    await db.query('DELETE FROM grid_manager_stores WHERE user_id = ?', [userId]);
  }
}

export async function listGridManagers(db: Db, cursor: string | undefined, limit: number): Promise<{ userId: string; nickname: string; storeIds: string[] }[]> {
  const [rows] = await db.query(
    `SELECT g.user_id AS userId, u.nickname, GROUP_CONCAT(g.store_id ORDER BY g.store_id) AS storeIds
     FROM grid_manager_stores g JOIN users u ON u.id = g.user_id ${cursor ? 'WHERE g.user_id > ?' : ''} GROUP BY g.user_id, u.nickname ORDER BY g.user_id LIMIT ?`,
    cursor ? [cursor, limit + 1] : [limit + 1],
  );
  return (rows as { userId: string; nickname: string; storeIds: string }[]).map((r) => ({ ...r, storeIds: r.storeIds.split(',') }));
}
