import type { PoolConnection } from 'mysql2/promise';
import { allOf, type Db } from '../../lib/db';

/** The only place that reads and writes payments, their refunds, notifications, shipments and reconciliation. */
export type PaymentStatus = 'created' | 'paid' | 'closed' | 'refunding' | 'refunded';

export type PaymentRow = {
  id: string; orderId: string; userId: string; storeId: string; amountFen: number; status: PaymentStatus; payerOpenid: string;
  prepayId: string | null; prepayExpiresAt: Date | null; payDeadline: Date; transactionId: string | null; paidAt: Date | null; closedAt: Date | null;
  refundReservedFen: number; refundedFen: number; createdAt: Date;
};

const PAYMENT_SELECT = `SELECT id, order_id AS orderId, user_id AS userId, store_id AS storeId, amount_fen AS amountFen, status, payer_openid AS payerOpenid,
  prepay_id AS prepayId, prepay_expires_at AS prepayExpiresAt, pay_deadline AS payDeadline, transaction_id AS transactionId, paid_at AS paidAt,
  closed_at AS closedAt, refund_reserved_fen AS refundReservedFen, refunded_fen AS refundedFen, created_at AS createdAt FROM payments`;

type Conn = Db | PoolConnection;

export async function findPayment(db: Conn, where: { id?: string; orderId?: string; userId?: string }, forUpdate = false): Promise<PaymentRow | null> {
  const cond = allOf([where.id && ['id = ?', where.id], where.orderId && ['order_id = ?', where.orderId], where.userId && ['user_id = ?', where.userId]]);
  if (!cond.sql) return null;
  const [rows] = await db.query(`${PAYMENT_SELECT} WHERE ${cond.sql}${forUpdate ? ' FOR UPDATE' : ''}`, cond.values);
  return (rows as PaymentRow[])[0] ?? null;
}

/** The order's payment, made once (unique order_id): a second caller finds the first one's. */
export async function ensurePayment(db: Db, p: { id: string; orderId: string; userId: string; storeId: string; amountFen: number; payerOpenid: string; payDeadline: Date }): Promise<PaymentRow> {
  await db.query(
    `INSERT IGNORE INTO payments (id, order_id, user_id, store_id, amount_fen, status, payer_openid, pay_deadline) VALUES (?, ?, ?, ?, ?, 'created', ?, ?)`,
    [p.id, p.orderId, p.userId, p.storeId, p.amountFen, p.payerOpenid, p.payDeadline],
  );
  return (await findPayment(db, { orderId: p.orderId }))!;
}

export async function savePrepay(db: Db, id: string, prepayId: string, expiresAt: Date): Promise<void> {
  await db.query(`UPDATE payments SET prepay_id = ?, prepay_expires_at = ? WHERE id = ? AND status = 'created'`, [prepayId, expiresAt, id]);
}

/** created → paid, once; false when the payment was not waiting (already paid by another path, or closed). */
export async function markPaymentPaid(conn: PoolConnection, id: string, transactionId: string, paidAt: Date): Promise<boolean> {
  const [r] = await conn.query(`UPDATE payments SET status = 'paid', transaction_id = ?, paid_at = ? WHERE id = ? AND status = 'created'`, [transactionId, paidAt, id]);
  return (r as { affectedRows: number }).affectedRows === 1;
}

/** created → closed, once WeChat Pay closed it. */
export async function markPaymentClosed(db: Conn, id: string): Promise<boolean> {
  const [r] = await db.query(`UPDATE payments SET status = 'closed', closed_at = NOW(3) WHERE id = ? AND status = 'created'`, [id]);
  return (r as { affectedRows: number }).affectedRows === 1;
}

/** Lets one caller in `seconds` ask WeChat Pay about a payment, across processes (a guarded timestamp). */
export async function claimQuery(db: Db, id: string, seconds: number): Promise<boolean> {
  const [r] = await db.query(
    `UPDATE payments SET last_queried_at = NOW(3) WHERE id = ? AND status = 'created' AND (last_queried_at IS NULL OR last_queried_at <= NOW(3) - INTERVAL ? SECOND)`,
    [id, seconds],
  );
  return (r as { affectedRows: number }).affectedRows === 1;
}

/** Payments with a prepay id still waiting, created before the cutoff (their notification may be lost). */
export async function pendingPayments(db: Db, createdBefore: Date, limit: number): Promise<PaymentRow[]> {
  const [rows] = await db.query(`${PAYMENT_SELECT} WHERE status = 'created' AND prepay_id IS NOT NULL AND created_at <= ? ORDER BY created_at LIMIT ?`, [createdBefore, limit]);
  return rows as PaymentRow[];
}

/** Payments paid or refunded between two instants (a bill day), for reconciliation. */
export async function paymentsPaidBetween(db: Db, from: Date, to: Date): Promise<PaymentRow[]> {
  const [rows] = await db.query(`${PAYMENT_SELECT} WHERE paid_at >= ? AND paid_at < ?`, [from, to]);
  return rows as PaymentRow[];
}

export async function paymentsByIds(db: Db, ids: string[]): Promise<Map<string, PaymentRow>> {
  if (!ids.length) return new Map();
  const [rows] = await db.query(`${PAYMENT_SELECT} WHERE id IN (?)`, [ids]);
  return new Map((rows as PaymentRow[]).map((p) => [p.id, p]));
}

// Notifications.

/** Records a verified notification; false when its id was recorded before (a repeat). */
export async function recordNotification(conn: PoolConnection, n: { id: string; eventType: string; outTradeNo: string | null; outRefundNo: string | null; outcome: string }): Promise<boolean> {
  const [r] = await conn.query('INSERT IGNORE INTO payment_notifications (id, event_type, out_trade_no, out_refund_no, outcome) VALUES (?, ?, ?, ?, ?)', [
    n.id, n.eventType, n.outTradeNo, n.outRefundNo, n.outcome,
  ]);
  return (r as { affectedRows: number }).affectedRows === 1;
}

// Refunds.

export type RefundStatus = 'requested' | 'processing' | 'success' | 'closed' | 'abnormal' | 'failed';
export type RefundRow = {
  id: string; paymentId: string; orderId: string; amountFen: number; reason: string; cause: string; causeRef: string; status: RefundStatus;
  refundId: string | null; attempts: number; createdAt: Date; succeededAt: Date | null;
};

const REFUND_SELECT = `SELECT id, payment_id AS paymentId, order_id AS orderId, amount_fen AS amountFen, reason, cause, cause_ref AS causeRef, status,
  refund_id AS refundId, attempts, created_at AS createdAt, succeeded_at AS succeededAt FROM payment_refunds`;

/** The refund for a cause, made once (unique payment, cause, reference): false when it was there already. */
export async function insertRefund(conn: PoolConnection, r: { id: string; paymentId: string; orderId: string; amountFen: number; reason: string; cause: string; causeRef: string }): Promise<boolean> {
  const [res] = await conn.query(
    `INSERT IGNORE INTO payment_refunds (id, payment_id, order_id, amount_fen, reason, cause, cause_ref, status, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'requested', NOW(3))`,
    [r.id, r.paymentId, r.orderId, r.amountFen, r.reason, r.cause, r.causeRef],
  );
  return (res as { affectedRows: number }).affectedRows === 1;
}

/**
 * Takes `fen` of what is left to refund: never more than paid in all, whatever the concurrency
 * (one conditional UPDATE). The payment is `refunding` while a refund is under way.
 */
export async function reserveRefund(conn: PoolConnection, paymentId: string, fen: number): Promise<boolean> {
  const [r] = await conn.query(
    `UPDATE payments SET refund_reserved_fen = refund_reserved_fen + ?, status = 'refunding'
      WHERE id = ? AND status IN ('paid', 'refunding', 'refunded') AND refund_reserved_fen + ? <= amount_fen`,
    [fen, paymentId, fen],
  );
  return (r as { affectedRows: number }).affectedRows === 1;
}

export async function findRefund(db: Conn, where: { id?: string; paymentId?: string; cause?: string; causeRef?: string }): Promise<RefundRow | null> {
  const cond = allOf([
    where.id && ['id = ?', where.id], where.paymentId && ['payment_id = ?', where.paymentId], where.cause && ['cause = ?', where.cause], where.causeRef && ['cause_ref = ?', where.causeRef],
  ]);
  if (!cond.sql) return null;
  const [rows] = await db.query(`${REFUND_SELECT} WHERE ${cond.sql}`, cond.values);
  return (rows as RefundRow[])[0] ?? null;
}

export async function refundsOf(db: Db, paymentId: string): Promise<RefundRow[]> {
  const [rows] = await db.query(`${REFUND_SELECT} WHERE payment_id = ? ORDER BY id`, [paymentId]);
  return rows as RefundRow[];
}

/** Refunds to ask WeChat Pay about: not yet acknowledged (requested) or still processing, due now. */
export async function dueRefunds(db: Db, limit: number): Promise<RefundRow[]> {
  const [rows] = await db.query(`${REFUND_SELECT} WHERE status IN ('requested', 'processing') AND next_attempt_at <= NOW(3) ORDER BY next_attempt_at LIMIT ?`, [limit]);
  return rows as RefundRow[];
}

/** Puts off the next look at a refund, counting the attempt. */
export async function deferRefund(db: Db, id: string, seconds: number, error: string | null): Promise<void> {
  await db.query('UPDATE payment_refunds SET attempts = attempts + 1, next_attempt_at = NOW(3) + INTERVAL ? SECOND, last_error = ? WHERE id = ?', [seconds, error?.slice(0, 300) ?? null, id]);
}

/** requested → processing (WeChat Pay took it), guarded. */
export async function markRefundProcessing(db: Conn, id: string, refundId: string, recheckSeconds: number): Promise<void> {
  await db.query(
    `UPDATE payment_refunds SET status = 'processing', refund_id = ?, next_attempt_at = NOW(3) + INTERVAL ? SECOND, last_error = NULL WHERE id = ? AND status = 'requested'`,
    [refundId, recheckSeconds, id],
  );
}

/** A refund's end, once: from requested or processing to success, closed, abnormal or failed. */
export async function endRefund(conn: PoolConnection, id: string, to: 'success' | 'closed' | 'abnormal' | 'failed', refundId: string | null, error: string | null = null): Promise<boolean> {
  const [r] = await conn.query(
    `UPDATE payment_refunds SET status = ?, refund_id = COALESCE(?, refund_id), succeeded_at = IF(? = 'success', NOW(3), NULL), last_error = ?
      WHERE id = ? AND status IN ('requested', 'processing')`,
    [to, refundId, to, error?.slice(0, 300) ?? null, id],
  );
  return (r as { affectedRows: number }).affectedRows === 1;
}

/**
 * The payment after a refund ended: a success adds to refunded_fen, a closed or failed one gives its
 * reservation back. Then `refunded` when all is refunded, `refunding` while some refund is under
 * way or stuck, `paid` otherwise.
 */
export async function settleRefundOnPayment(conn: PoolConnection, paymentId: string, outcome: 'success' | 'released' | 'stuck', fen: number): Promise<void> {
  const refunded = outcome === 'success' ? fen : 0;
  const released = outcome === 'released' ? fen : 0;
  await conn.query(
    `UPDATE payments SET
        status = CASE WHEN refunded_fen + ? >= amount_fen THEN 'refunded'
                      WHEN refund_reserved_fen - ? > refunded_fen + ? THEN 'refunding'
                      ELSE 'paid' END,
        refunded_fen = refunded_fen + ?,
        refund_reserved_fen = refund_reserved_fen - ?
      WHERE id = ?`,
    [refunded, released, refunded, refunded, released, paymentId],
  );
}

// Shipments.

export type ShipmentRow = { paymentId: string; orderId: string; logisticsType: number; itemDesc: string; status: string; attempts: number };

export async function insertShipment(db: Db, s: { paymentId: string; orderId: string; logisticsType: number; itemDesc: string }): Promise<void> {
  await db.query(
    `INSERT IGNORE INTO payment_shipments (payment_id, order_id, logistics_type, item_desc, status, next_attempt_at) VALUES (?, ?, ?, ?, 'pending', NOW(3))`,
    [s.paymentId, s.orderId, s.logisticsType, s.itemDesc],
  );
}

export async function dueShipments(db: Db, limit: number, paymentId?: string): Promise<ShipmentRow[]> {
  const [rows] = await db.query(
    `SELECT payment_id AS paymentId, order_id AS orderId, logistics_type AS logisticsType, item_desc AS itemDesc, status, attempts
       FROM payment_shipments WHERE status = 'pending' AND next_attempt_at <= NOW(3) ${paymentId ? 'AND payment_id = ?' : ''} ORDER BY next_attempt_at LIMIT ?`,
    paymentId ? [paymentId, limit] : [limit],
  );
  return rows as ShipmentRow[];
}

/** Claims a shipment's attempt (across processes) by moving its next attempt on; false when another took it. */
export async function claimShipment(db: Db, paymentId: string, attempts: number, retryInSeconds: number): Promise<boolean> {
  const [r] = await db.query(
    `UPDATE payment_shipments SET attempts = attempts + 1, next_attempt_at = NOW(3) + INTERVAL ? SECOND WHERE payment_id = ? AND status = 'pending' AND attempts = ?`,
    [retryInSeconds, paymentId, attempts],
  );
  return (r as { affectedRows: number }).affectedRows === 1;
}

export async function endShipment(db: Db, paymentId: string, outcome: { uploaded: true } | { uploaded: false; error: string }): Promise<void> {
  if (outcome.uploaded) await db.query(`UPDATE payment_shipments SET status = 'uploaded', uploaded_at = NOW(3), last_error = NULL WHERE payment_id = ?`, [paymentId]);
  else await db.query('UPDATE payment_shipments SET last_error = ? WHERE payment_id = ?', [outcome.error.slice(0, 300), paymentId]);
}

// Reconciliation.

export async function billRunDone(db: Db, billDate: string): Promise<boolean> {
  const [rows] = await db.query('SELECT 1 FROM payment_bill_runs WHERE bill_date = ?', [billDate]);
  return (rows as unknown[]).length > 0;
}

export type Mismatch = { kind: 'missing_here' | 'missing_there' | 'amount_differs'; ref: string; hereFen: number | null; thereFen: number | null; detail: string };

/** Every mismatch once per bill date (a rerun adds none), and the run itself. */
export async function recordBillRun(conn: PoolConnection, billDate: string, rows: number, mismatches: Mismatch[]): Promise<void> {
  if (mismatches.length) {
    await conn.query('INSERT IGNORE INTO payment_mismatches (bill_date, kind, ref, here_fen, there_fen, detail) VALUES ?', [
      mismatches.map((m) => [billDate, m.kind, m.ref, m.hereFen, m.thereFen, m.detail.slice(0, 300)]),
    ]);
  }
  await conn.query('INSERT IGNORE INTO payment_bill_runs (bill_date, bill_rows, mismatches, finished_at) VALUES (?, ?, ?, NOW(3))', [billDate, rows, mismatches.length]);
}

/** Refunds of the given out_refund_nos, and those made between two instants. */
export async function refundsForBill(db: Db, ids: string[], from: Date, to: Date): Promise<RefundRow[]> {
  const [rows] = await db.query(
    `${REFUND_SELECT} WHERE ${ids.length ? 'id IN (?) OR ' : ''}(created_at >= ? AND created_at < ? AND status IN ('processing', 'success', 'abnormal'))`,
    ids.length ? [ids, from, to] : [from, to],
  );
  return rows as RefundRow[];
}
