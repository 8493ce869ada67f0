import type { PoolConnection } from 'mysql2/promise';
import type { Db } from '../../lib/db';

/** The only place that reads and writes `appliances`. */
export type ApplianceRow = {
  id: string; userId: string; storeId: string | null; category: string; brand: string; name: string; model: string | null;
  serialNumber: string | null; source: 'order' | 'self'; orderId: string | null; skuId: string | null; unitNo: number;
  installedAt: Date; warrantyUntil: Date | null; nextMaintenanceAt: Date | null; createdAt: Date;
};

const SELECT = `SELECT id, user_id AS userId, store_id AS storeId, category, brand, name, model, serial_number AS serialNumber, source,
  order_id AS orderId, sku_id AS skuId, unit_no AS unitNo, installed_at AS installedAt, warranty_until AS warrantyUntil,
  next_maintenance_at AS nextMaintenanceAt, created_at AS createdAt FROM appliances`;

/** Inserts appliances; a unit of an order that is already there (unique order, SKU, unit) is left as it is. */
export async function insertAppliances(db: Db | PoolConnection, rows: Omit<ApplianceRow, 'createdAt'>[]): Promise<void> {
  if (!rows.length) return;
  await db.query(
    `INSERT INTO appliances (id, user_id, store_id, category, brand, name, model, serial_number, source, order_id, sku_id, unit_no, installed_at, warranty_until, next_maintenance_at)
     VALUES ? ON DUPLICATE KEY UPDATE id = id`,
    [rows.map((a) => [a.id, a.userId, a.storeId, a.category, a.brand, a.name, a.model, a.serialNumber, a.source, a.orderId, a.skuId, a.unitNo, a.installedAt, a.warrantyUntil, a.nextMaintenanceAt])],
  );
}

export async function findAppliance(db: Db | PoolConnection, id: string, userId?: string): Promise<ApplianceRow | null> {
  const [rows] = await db.query(`${SELECT} WHERE id = ? ${userId ? 'AND user_id = ?' : ''}`, userId ? [id, userId] : [id]);
  return (rows as ApplianceRow[])[0] ?? null;
}

/** Newest first, one page (one more row than asked tells whether there is a next page). */
export async function listUserAppliances(db: Db, userId: string, cursor: string | undefined, limit: number): Promise<ApplianceRow[]> {
  const [rows] = await db.query(`${SELECT} WHERE user_id = ? ${cursor ? 'AND id < ?' : ''} ORDER BY id DESC LIMIT ?`, cursor ? [userId, cursor, limit + 1] : [userId, limit + 1]);
  return rows as ApplianceRow[];
}

export async function appliancesOfOrder(db: Db, orderId: string): Promise<ApplianceRow[]> {
  const [rows] = await db.query(`${SELECT} WHERE order_id = ? ORDER BY sku_id, unit_no`, [orderId]);
  return rows as ApplianceRow[];
}

/** Appliances whose upkeep falls due before `before`, the earliest first (the reminder job). */
export async function dueForMaintenance(db: Db, before: Date, limit: number): Promise<ApplianceRow[]> {
  const [rows] = await db.query(`${SELECT} WHERE next_maintenance_at <= ? ORDER BY next_maintenance_at LIMIT ?`, [before, limit]);
  return rows as ApplianceRow[];
}

/** Moves an appliance's next upkeep on from the cycle just reminded, once: false when another run already did. */
export async function advanceMaintenance(conn: PoolConnection, id: string, from: Date, to: Date | null): Promise<boolean> {
  const [r] = await conn.query('UPDATE appliances SET next_maintenance_at = ? WHERE id = ? AND next_maintenance_at = ?', [to, id, from]);
  return (r as { affectedRows: number }).affectedRows === 1;
}
