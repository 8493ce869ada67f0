import type { PoolConnection } from 'mysql2/promise';
import type { Db } from '../../lib/db';

/** The only place that reads and writes the commission ledger (commission_entries). */
export type CommissionEntryRow = {
  id: string; kind: 'accrual' | 'reversal'; cause: string; orderId: string; groupBuyId: string; storeId: string;
  salesFen: number; rateBp: number; amountFen: number; createdAt: Date;
};

type Entry = { id: string; leaderId: string; groupBuyId: string; orderId: string; storeId: string; cause: string; eventId: string };

export async function groupOf(db: Db, groupBuyId: string): Promise<{ leaderId: string; storeId: string } | null> {
  const [rows] = await db.query('SELECT leader_id AS leaderId, store_id AS storeId FROM group_buys WHERE id = ?', [groupBuyId]);
  return (rows as { leaderId: string; storeId: string }[])[0] ?? null;
}

/**
 * The order's accrual, unless the order already has one or has been reversed. INSERT … SELECT
 * locks the reversal's key range it reads, so a reversal arriving at the same moment waits for
 * this one (or one of them is a deadlock victim and runs again): never both unseen.
 */
export async function insertAccrual(conn: PoolConnection, e: Entry & { salesFen: number; rateBp: number; amountFen: number }): Promise<void> {
  await conn.query(
    `INSERT INTO commission_entries (id, leader_id, group_buy_id, order_id, store_id, kind, cause, event_id, sales_fen, rate_bp, amount_fen)
     SELECT ?, ?, ?, ?, ?, 'accrual', ?, ?, ?, ?, ? FROM DUAL
      WHERE NOT EXISTS (SELECT 1 FROM commission_entries WHERE order_id = ? AND kind = 'reversal')
     ON DUPLICATE KEY UPDATE id = id`,
    [e.id, e.leaderId, e.groupBuyId, e.orderId, e.storeId, e.cause, e.eventId, e.salesFen, e.rateBp, e.amountFen, e.orderId],
  );
}

/** The order's reversal: the negative of what accrued, or 0 when nothing did (which also bars a later accrual). */
export async function insertReversal(conn: PoolConnection, e: Entry & { rateBp: number }): Promise<void> {
  const accrued = (column: string) => `(SELECT a.${column} FROM commission_entries a WHERE a.order_id = ? AND a.kind = 'accrual')`;
  await conn.query(
    `INSERT INTO commission_entries (id, leader_id, group_buy_id, order_id, store_id, kind, cause, event_id, sales_fen, rate_bp, amount_fen)
     SELECT ?, ?, ?, ?, ?, 'reversal', ?, ?, -COALESCE(${accrued('sales_fen')}, 0), COALESCE(${accrued('rate_bp')}, ?), -COALESCE(${accrued('amount_fen')}, 0) FROM DUAL
     ON DUPLICATE KEY UPDATE id = id`,
    [e.id, e.leaderId, e.groupBuyId, e.orderId, e.storeId, e.cause, e.eventId, e.orderId, e.orderId, e.rateBp, e.orderId],
  );
}

const ENTRY_COLUMNS = `id, kind, cause, order_id AS orderId, group_buy_id AS groupBuyId, store_id AS storeId, sales_fen AS salesFen,
  rate_bp AS rateBp, amount_fen AS amountFen, created_at AS createdAt`;

/** Entries that moved money (a reversal of nothing is bookkeeping), newest first. */
export async function entriesOf(db: Db, leaderId: string, cursor: string | undefined, limit: number): Promise<CommissionEntryRow[]> {
  const [rows] = await db.query(
    `SELECT ${ENTRY_COLUMNS} FROM commission_entries WHERE leader_id = ? AND amount_fen <> 0 ${cursor ? 'AND id < ?' : ''} ORDER BY id DESC LIMIT ?`,
    cursor ? [leaderId, cursor, limit] : [leaderId, limit],
  );
  return rows as CommissionEntryRow[];
}

export async function totalOf(db: Db, leaderId: string): Promise<number> {
  const [rows] = await db.query('SELECT COALESCE(SUM(amount_fen), 0) AS total FROM commission_entries WHERE leader_id = ?', [leaderId]);
  return Number((rows as { total: number | string }[])[0].total);
}
