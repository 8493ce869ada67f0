import type { PoolConnection } from 'mysql2/promise';
import type { Db } from '../../lib/db';

export type TemplateRow = {
  id: string; campaignId: string; title: string; kind: 'threshold' | 'direct'; thresholdFen: number; discountFen: number; categories: string;
  total: number; perUserLimit: number; validDays: number; startsAt: Date; endsAt: Date; campaignName: string;
};

const TEMPLATE_SELECT = `SELECT t.id, t.campaign_id AS campaignId, t.title, t.kind, t.threshold_fen AS thresholdFen, t.discount_fen AS discountFen,
  t.categories, t.total, t.per_user_limit AS perUserLimit, t.valid_days AS validDays, c.starts_at AS startsAt, c.ends_at AS endsAt, c.name AS campaignName
  FROM coupon_templates t JOIN campaigns c ON c.id = t.campaign_id`;

export async function findTemplate(db: Db, id: string): Promise<TemplateRow | null> {
  const [rows] = await db.query(`${TEMPLATE_SELECT} WHERE t.id = ?`, [id]);
  return (rows as TemplateRow[])[0] ?? null;
}

/** Campaigns running now or opening within `aheadDays` (and, with `endedHours`, those ended that recently). */
export async function activeTemplates(db: Db, aheadDays: number, endedHours = 0): Promise<TemplateRow[]> {
  const [rows] = await db.query(
    `${TEMPLATE_SELECT} WHERE c.ends_at > NOW(3) - INTERVAL ? HOUR AND c.starts_at <= NOW(3) + INTERVAL ? DAY ORDER BY c.starts_at, c.id, t.id`,
    [endedHours, aheadDays],
  );
  return rows as TemplateRow[];
}

export type NewCoupon = { id: string; templateId: string; userId: string; slot: number; seq: number; claimedAt: Date; expiresAt: Date };

/**
 * Writes claims, many at once. A retry of the same claim id is ignored; a row refused by the unique
 * keys (slot, or user and seq) under another id is not written: the caller learns which ids are stored.
 */
export async function insertCoupons(db: Db | PoolConnection, coupons: NewCoupon[]): Promise<Set<string>> {
  if (!coupons.length) return new Set();
  const [r] = await db.query('INSERT IGNORE INTO coupons (id, template_id, user_id, slot, seq, status, claimed_at, expires_at) VALUES ?', [
    coupons.map((c) => [c.id, c.templateId, c.userId, c.slot, c.seq, 'unused', c.claimedAt, c.expiresAt]),
  ]);
  // Every row new: all stored. Otherwise some were there already (a retry) or refused: ask which are stored.
  if ((r as { affectedRows: number }).affectedRows === coupons.length) return new Set(coupons.map((c) => c.id));
  const [rows] = await db.query('SELECT id FROM coupons WHERE id IN (?)', [coupons.map((c) => c.id)]);
  return new Set((rows as { id: string }[]).map((r) => r.id));
}

/** What Redis needs to admit claims again after it forgot: the highest slot and each user's highest seq. */
export async function issuedState(db: Db, templateId: string): Promise<{ maxSlot: number; count: number; users: { userId: string; maxSeq: number }[] }> {
  const [agg] = await db.query('SELECT COALESCE(MAX(slot), 0) AS maxSlot, COUNT(*) AS n FROM coupons WHERE template_id = ?', [templateId]);
  const [users] = await db.query('SELECT user_id AS userId, MAX(seq) AS maxSeq FROM coupons WHERE template_id = ? GROUP BY user_id', [templateId]);
  const a = (agg as { maxSlot: number; n: number }[])[0];
  return { maxSlot: Number(a.maxSlot), count: Number(a.n), users: (users as { userId: string; maxSeq: number }[]).map((u) => ({ userId: u.userId, maxSeq: Number(u.maxSeq) })) };
}

export async function issuedCounts(db: Db, templateIds: string[]): Promise<Map<string, number>> {
  if (!templateIds.length) return new Map();
  const [rows] = await db.query('SELECT template_id AS t, COUNT(*) AS n FROM coupons WHERE template_id IN (?) GROUP BY template_id', [templateIds]);
  return new Map((rows as { t: string; n: number }[]).map((r) => [r.t, Number(r.n)]));
}

export type MyCouponRow = {
  id: string; templateId: string; status: string; claimedAt: Date; expiresAt: Date; usedAt: Date | null; orderId: string | null;
  title: string; kind: string; thresholdFen: number; discountFen: number; categories: string;
};

/** A user's coupons, newest claim first (ids are claim-time ULIDs), after the id `before`, at most `limit`. */
export async function listMyCoupons(db: Db, userId: string, f: { status?: 'unused' | 'used' | 'expired'; before?: string; limit: number }): Promise<MyCouponRow[]> {
  const status = f.status;
  const cond = status === 'used' ? "AND c.status = 'used'" : status === 'unused' ? "AND c.status = 'unused' AND c.expires_at > NOW(3)" : status === 'expired' ? "AND c.status = 'unused' AND c.expires_at <= NOW(3)" : '';
  const [rows] = await db.query(
    `SELECT c.id, c.template_id AS templateId, c.status, c.claimed_at AS claimedAt, c.expires_at AS expiresAt, c.used_at AS usedAt, c.order_id AS orderId,
       t.title, t.kind, t.threshold_fen AS thresholdFen, t.discount_fen AS discountFen, t.categories
     FROM coupons c JOIN coupon_templates t ON t.id = c.template_id WHERE c.user_id = ? ${cond} ${f.before ? 'AND c.id < ?' : ''} ORDER BY c.id DESC LIMIT ?`,
    [userId, ...(f.before ? [f.before] : []), f.limit],
  );
  return rows as MyCouponRow[];
}

export async function myClaimCounts(db: Db, userId: string, templateIds: string[]): Promise<Map<string, number>> {
  if (!templateIds.length) return new Map();
  const [rows] = await db.query('SELECT template_id AS t, COUNT(*) AS n FROM coupons WHERE user_id = ? AND template_id IN (?) GROUP BY template_id', [userId, templateIds]);
  return new Map((rows as { t: string; n: number }[]).map((r) => [r.t, Number(r.n)]));
}

// Inside an order's transaction.

export async function couponForOrder(conn: PoolConnection, couponId: string, userId: string) {
  const [rows] = await conn.query(
    `SELECT c.id, c.status, c.expires_at AS expiresAt, t.kind, t.threshold_fen AS thresholdFen, t.discount_fen AS discountFen, t.categories
     FROM coupons c JOIN coupon_templates t ON t.id = c.template_id WHERE c.id = ? AND c.user_id = ?`,
    [couponId, userId],
  );
  return (rows as { id: string; status: string; expiresAt: Date; kind: string; thresholdFen: number; discountFen: number; categories: string }[])[0] ?? null;
}

/** Uses the coupon exactly once: only an unused, unexpired coupon of this user becomes used. */
export async function markUsed(conn: PoolConnection, couponId: string, userId: string, orderId: string): Promise<boolean> {
  const [r] = await conn.query(
    "UPDATE coupons SET status = 'used', order_id = ?, used_at = NOW(3) WHERE id = ? AND user_id = ? AND status = 'unused' AND expires_at > NOW(3)",
    [orderId, couponId, userId],
  );
  return (r as { affectedRows: number }).affectedRows === 1;
}

export async function releaseForOrder(conn: PoolConnection, orderId: string): Promise<void> {
  await conn.query("UPDATE coupons SET status = 'unused', order_id = NULL, used_at = NULL WHERE order_id = ? AND status = 'used'", [orderId]);
}

/** After a refund: the order's coupon becomes usable again, if it has not expired meanwhile. */
export async function releaseStillValidForOrder(conn: PoolConnection, orderId: string): Promise<void> {
  await conn.query("UPDATE coupons SET status = 'unused', order_id = NULL, used_at = NULL WHERE order_id = ? AND status = 'used' AND expires_at > NOW(3)", [orderId]);
}
