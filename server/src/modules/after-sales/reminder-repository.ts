import type { PoolConnection } from 'mysql2/promise';
import { allOf, type Db } from '../../lib/db';

/** The only place that reads and writes `maintenance_reminders`. */
export type NotifyStatus = 'pending' | 'sending' | 'sent' | 'call_list' | 'unreachable';

export type ReminderRow = {
  id: string; applianceId: string; userId: string; storeId: string | null; category: string; cycle: string; dueAt: Date; notifyStatus: NotifyStatus;
  notifiedAt: Date | null; calledAt: Date | null; callNote: string | null; createdAt: Date;
  applianceName: string; customerNickname: string;
};

const SELECT = `SELECT r.id, r.appliance_id AS applianceId, r.user_id AS userId, r.store_id AS storeId, r.category, r.cycle, r.due_at AS dueAt,
  r.notify_status AS notifyStatus, r.notified_at AS notifiedAt, r.called_at AS calledAt, r.call_note AS callNote, r.created_at AS createdAt,
  a.name AS applianceName, u.nickname AS customerNickname
  FROM maintenance_reminders r JOIN appliances a ON a.id = r.appliance_id JOIN users u ON u.id = r.user_id`;

export async function insertReminder(
  conn: PoolConnection, r: { id: string; applianceId: string; userId: string; storeId: string | null; category: string; cycle: string; dueAt: Date },
): Promise<void> {
  await conn.query(
    `INSERT INTO maintenance_reminders (id, appliance_id, user_id, store_id, category, cycle, due_at, notify_status) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending')
     ON DUPLICATE KEY UPDATE id = id`,
    [r.id, r.applianceId, r.userId, r.storeId, r.category, r.cycle, r.dueAt],
  );
}

/**
 * A claim left `sending` by a process that died goes to the call list (or unreachable): a person
 * may call twice, but WeChat never sends the same reminder twice.
 */
export async function settleStaleClaims(db: Db, olderThanSeconds: number): Promise<void> {
  await db.query(
    `UPDATE maintenance_reminders SET notify_status = IF(store_id IS NULL, 'unreachable', 'call_list')
     WHERE notify_status = 'sending' AND notify_claimed_at < NOW(3) - INTERVAL ? SECOND`,
    [olderThanSeconds],
  );
}

export async function pendingReminders(db: Db, limit: number): Promise<{ id: string; userId: string; storeId: string | null; applianceName: string; dueAt: Date }[]> {
  const [rows] = await db.query(
    `SELECT r.id, r.user_id AS userId, r.store_id AS storeId, a.name AS applianceName, r.due_at AS dueAt
     FROM maintenance_reminders r JOIN appliances a ON a.id = r.appliance_id WHERE r.notify_status = 'pending' ORDER BY r.due_at LIMIT ?`,
    [limit],
  );
  return rows as { id: string; userId: string; storeId: string | null; applianceName: string; dueAt: Date }[];
}

/** Takes a pending reminder for notifying; false when another process took it. */
export async function claimReminder(db: Db, id: string): Promise<boolean> {
  const [r] = await db.query("UPDATE maintenance_reminders SET notify_status = 'sending', notify_claimed_at = NOW(3) WHERE id = ? AND notify_status = 'pending'", [id]);
  return (r as { affectedRows: number }).affectedRows === 1;
}

export async function settleReminder(db: Db, id: string, to: 'sent' | 'call_list' | 'unreachable' | 'pending'): Promise<void> {
  await db.query(
    `UPDATE maintenance_reminders SET notify_status = ?, notified_at = IF(? = 'sent', NOW(3), notified_at) WHERE id = ? AND notify_status = 'sending'`,
    [to, to, id],
  );
}

/** The owner marks a reminder on the call list called, once, only at their own stores. */
export async function markCalled(db: Db, id: string, storeIds: string[], userId: string, note: string | null): Promise<boolean> {
  if (!storeIds.length) return false;
  const [r] = await db.query(
    "UPDATE maintenance_reminders SET called_at = NOW(3), called_by = ?, call_note = ? WHERE id = ? AND store_id IN (?) AND notify_status = 'call_list' AND called_at IS NULL",
    [userId, note, id, storeIds],
  );
  return (r as { affectedRows: number }).affectedRows === 1;
}

export async function findReminder(db: Db, id: string, storeIds: string[] | null): Promise<ReminderRow | null> {
  if (storeIds && !storeIds.length) return null;
  const where = allOf([['r.id = ?', id], storeIds && ['r.store_id IN (?)', storeIds]]);
  const [rows] = await db.query(`${SELECT} WHERE ${where.sql}`, where.values);
  return (rows as ReminderRow[])[0] ?? null;
}

export async function listUserReminders(db: Db, userId: string, cursor: string | undefined, limit: number): Promise<ReminderRow[]> {
  const where = allOf([['r.user_id = ?', userId], cursor && ['r.id < ?', cursor]]);
  const [rows] = await db.query(`${SELECT} WHERE ${where.sql} ORDER BY r.id DESC LIMIT ?`, [...where.values, limit + 1]);
  return rows as ReminderRow[];
}

/** The call list: reminders of these stores that WeChat could not deliver, not yet called (or called), oldest first. */
export async function listStoreReminders(db: Db, storeIds: string[] | null, f: { called: boolean | null; cursor?: string; limit: number }): Promise<ReminderRow[]> {
  if (storeIds && !storeIds.length) return [];
  const where = allOf([
    ["r.notify_status = 'call_list'"],
    storeIds && ['r.store_id IN (?)', storeIds],
    f.called === true && ['r.called_at IS NOT NULL'],
    f.called === false && ['r.called_at IS NULL'],
    f.cursor && ['r.id > ?', f.cursor],
  ]);
  const [rows] = await db.query(`${SELECT} WHERE ${where.sql} ORDER BY r.id LIMIT ?`, [...where.values, f.limit + 1]);
  return rows as ReminderRow[];
}

export async function countToCall(db: Db, storeIds: string[]): Promise<number> {
  if (!storeIds.length) return 0;
  const [rows] = await db.query("SELECT COUNT(*) AS n FROM maintenance_reminders WHERE store_id IN (?) AND notify_status = 'call_list' AND called_at IS NULL", [storeIds]);
  return Number((rows as { n: number }[])[0].n);
}
