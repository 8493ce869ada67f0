import { allOf, type Db } from '../../lib/db';

/**
 * Figures of the stores' after-sales, read from after-sales' own tables (tickets, reminders) and
 * store names. Weeks start on Monday in Shanghai; `week` is that Monday, YYYY-MM-DD.
 */
const WEEK = (col: string) => `DATE_FORMAT(DATE_SUB(DATE(${col} + INTERVAL 8 HOUR), INTERVAL WEEKDAY(${col} + INTERVAL 8 HOUR) DAY), '%Y-%m-%d')`;

export type StoreName = { id: string; name: string };

/** The stores in scope (null: all), by id, one page. */
export async function storesPage(db: Db, storeIds: string[] | null, cursor: string | undefined, limit: number): Promise<StoreName[]> {
  if (storeIds && !storeIds.length) return [];
  const where = allOf([storeIds && ['id IN (?)', storeIds], cursor && ['id > ?', cursor]]);
  const [rows] = await db.query(`SELECT id, name FROM stores ${where.sql ? `WHERE ${where.sql}` : ''} ORDER BY id LIMIT ?`, [...where.values, limit + 1]);
  return rows as StoreName[];
}

export type OpenCounts = { storeId: string; open: number; escalated: number; overdue: number };

export async function openCounts(db: Db, storeIds: string[]): Promise<OpenCounts[]> {
  if (!storeIds.length) return [];
  const [rows] = await db.query(
    `SELECT store_id AS storeId,
            SUM(status IN ('submitted', 'escalated', 'accepted', 'scheduled')) AS open,
            SUM(status = 'escalated') AS escalated,
            SUM(status IN ('submitted', 'escalated') AND respond_by <= NOW(3)) AS overdue
     FROM tickets WHERE store_id IN (?) AND status IN ('submitted', 'escalated', 'accepted', 'scheduled') GROUP BY store_id`,
    [storeIds],
  );
  return (rows as OpenCounts[]).map((r) => ({ storeId: r.storeId, open: Number(r.open), escalated: Number(r.escalated), overdue: Number(r.overdue) }));
}

export type WeekRow = { storeId: string; week: string; n: number; m: number; avg: number | null };

/** Tickets opened per store and week, and how many of them the store answered (accepted or rejected) by respondBy. */
export async function ticketsByWeek(db: Db, storeIds: string[], since: Date): Promise<WeekRow[]> {
  if (!storeIds.length) return [];
  const [rows] = await db.query(
    `SELECT store_id AS storeId, ${WEEK('created_at')} AS week, COUNT(*) AS n,
            SUM((accepted_at IS NOT NULL AND accepted_at <= respond_by) OR (reject_reason IS NOT NULL AND closed_at <= respond_by)) AS m, NULL AS avg
     FROM tickets WHERE store_id IN (?) AND created_at >= ? GROUP BY store_id, week`,
    [storeIds, since],
  );
  return rows as WeekRow[];
}

/** Ratings per store and week: how many, and their average stars. */
export async function ratingsByWeek(db: Db, storeIds: string[], since: Date): Promise<WeekRow[]> {
  if (!storeIds.length) return [];
  const [rows] = await db.query(
    `SELECT store_id AS storeId, ${WEEK('rated_at')} AS week, COUNT(*) AS n, 0 AS m, AVG(rating_stars) AS avg
     FROM tickets WHERE store_id IN (?) AND rated_at >= ? GROUP BY store_id, week`,
    [storeIds, since],
  );
  return rows as WeekRow[];
}

/** Reminders done per store and week: delivered by WeChat, or called by the store. */
export async function remindersDoneByWeek(db: Db, storeIds: string[], since: Date): Promise<WeekRow[]> {
  if (!storeIds.length) return [];
  const [rows] = await db.query(
    `SELECT storeId, week, COUNT(*) AS n, 0 AS m, NULL AS avg FROM (
       SELECT store_id AS storeId, ${WEEK('notified_at')} AS week FROM maintenance_reminders WHERE store_id IN (?) AND notify_status = 'sent' AND notified_at >= ?
       UNION ALL
       SELECT store_id AS storeId, ${WEEK('called_at')} AS week FROM maintenance_reminders WHERE store_id IN (?) AND called_at >= ?
     ) d GROUP BY storeId, week`,
    [storeIds, since, storeIds, since],
  );
  return rows as WeekRow[];
}
