import type { PoolConnection } from 'mysql2/promise';
import { allOf, type Db } from '../../lib/db';

/** The only place that reads and writes orders, their items and their audit. */
export type OrderRow = {
  id: string; userId: string; storeId: string; status: string; source: string; groupBuyId: string | null; proxyMemberId: string | null;
  couponId: string | null; tradeInQuoteId: string | null; itemsFen: number; couponFen: number; tradeInFen: number; payableFen: number;
  pickupCode: string; paymentMethod: string | null; createdAt: Date; expiresAt: Date; pickedUpAt: Date | null; closedAt: Date | null;
  paymentMode: 'on_pickup' | 'online'; paidAt: Date | null;
  fulfilment: 'pickup' | 'delivery'; deliveryFen: number; installFen: number; haulAwayFen: number; remoteFen: number;
  storeName: string; storeAddress: string; storePhone: string; buyerNickname: string;
};

export type ItemRow = { orderId: string; skuId: string; productId: string; productName: string; spec: string; category: string; units: number; unitPriceFen: number };

const ORDER_SELECT = `SELECT o.id, o.user_id AS userId, o.store_id AS storeId, o.status, o.source, o.group_buy_id AS groupBuyId,
  o.proxy_member_id AS proxyMemberId, o.coupon_id AS couponId, o.trade_in_quote_id AS tradeInQuoteId, o.items_fen AS itemsFen,
  o.coupon_fen AS couponFen, o.trade_in_fen AS tradeInFen, o.payable_fen AS payableFen, o.pickup_code AS pickupCode,
  o.payment_method AS paymentMethod, o.created_at AS createdAt, o.expires_at AS expiresAt, o.picked_up_at AS pickedUpAt,
  o.closed_at AS closedAt, o.payment_mode AS paymentMode, o.paid_at AS paidAt,
  o.fulfilment, o.delivery_fen AS deliveryFen, o.install_fen AS installFen, o.haul_away_fen AS haulAwayFen, o.remote_fen AS remoteFen, s.name AS storeName, s.address AS storeAddress, s.phone AS storePhone, u.nickname AS buyerNickname
  FROM orders o JOIN stores s ON s.id = o.store_id JOIN users u ON u.id = o.user_id`;

type NewOrderRow = {
  id: string; userId: string; storeId: string; source: string; groupBuyId: string | null; groupBuyMemberId: string | null; proxyMemberId: string | null;
  couponId: string | null; tradeInQuoteId: string | null; itemsFen: number; couponFen: number; tradeInFen: number; payableFen: number; pickupCode: string; expiresAt: Date;
  paymentMode: 'on_pickup' | 'online';
  status: 'awaiting_pickup' | 'awaiting_delivery'; fulfilment: 'pickup' | 'delivery';
  deliveryFen: number; installFen: number; haulAwayFen: number; remoteFen: number;
};

export function insertOrderStatement(o: NewOrderRow): { sql: string; values: unknown[] } {
  return {
    sql: `INSERT INTO orders (id, user_id, store_id, status, source, group_buy_id, group_buy_member_id, proxy_member_id, coupon_id, trade_in_quote_id,
       items_fen, coupon_fen, trade_in_fen, payable_fen, pickup_code, open_pickup_code, expires_at, payment_mode,
       fulfilment, delivery_fen, install_fen, haul_away_fen, remote_fen)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    // A delivery order is never handed over at the counter: it holds no open pickup code.
    values: [o.id, o.userId, o.storeId, o.status, o.source, o.groupBuyId, o.groupBuyMemberId, o.proxyMemberId, o.couponId, o.tradeInQuoteId,
      o.itemsFen, o.couponFen, o.tradeInFen, o.payableFen, o.pickupCode, o.status === 'awaiting_pickup' ? o.pickupCode : null, o.expiresAt, o.paymentMode,
      o.fulfilment, o.deliveryFen, o.installFen, o.haulAwayFen, o.remoteFen],
  };
}

export function insertItemsStatement(items: ItemRow[]): { sql: string; values: unknown[] } {
  return {
    sql: 'INSERT INTO order_items (order_id, sku_id, product_id, product_name, spec, category, units, unit_price_fen) VALUES ?',
    values: [items.map((i) => [i.orderId, i.skuId, i.productId, i.productName, i.spec, i.category, i.units, i.unitPriceFen])],
  };
}

export function insertAuditStatement(e: { orderId: string; actorUserId: string | null; action: string; fromState: string | null; toState: string | null; detail?: unknown }): { sql: string; values: unknown[] } {
  return {
    sql: 'INSERT INTO order_audit (order_id, actor_user_id, action, from_state, to_state, detail) VALUES (?, ?, ?, ?, ?, ?)',
    values: [e.orderId, e.actorUserId, e.action, e.fromState, e.toState, e.detail === undefined ? null : JSON.stringify(e.detail)],
  };
}

export function completeIdempotencyKeyStatement(userId: string, key: string, statusCode: number, response: unknown): { sql: string; values: unknown[] } {
  return { sql: 'UPDATE idempotency_keys SET status_code = ?, response = ? WHERE user_id = ? AND idem_key = ?', values: [statusCode, JSON.stringify(response), userId, key] };
}

export async function insertItems(conn: PoolConnection, items: ItemRow[]): Promise<void> {
  if (!items.length) return;
  await conn.query(
    'INSERT INTO order_items (order_id, sku_id, product_id, product_name, spec, category, units, unit_price_fen) VALUES ?',
    [items.map((i) => [i.orderId, i.skuId, i.productId, i.productName, i.spec, i.category, i.units, i.unitPriceFen])],
  );
}

/** The CHECK that refuses units past a buyer's cap (open_unit_holds). */
export const HOLDS_CHECK = 'ck_open_unit_holds_cap';

/**
 * Counts a direct order's units against the buyer's caps, all SKUs together (sku_id '') and per
 * SKU, in one statement; past a cap the CHECK refuses it. Rows go in key order, so two orders of
 * one buyer lock them in the same order.
 */
export function holdUnitsStatement(userId: string, items: { skuId: string; units: number }[], caps: { maxOpenUnitsPerUser: number; maxOpenUnitsPerSku: number }): { sql: string; values: unknown[] } {
  const total = items.reduce((n, i) => n + i.units, 0);
  const rows = [[userId, '', total, caps.maxOpenUnitsPerUser], ...[...items].sort((a, b) => (a.skuId < b.skuId ? -1 : 1)).map((i) => [userId, i.skuId, i.units, caps.maxOpenUnitsPerSku])];
  return {
    sql: 'INSERT INTO open_unit_holds (user_id, sku_id, units, cap) VALUES ? ON DUPLICATE KEY UPDATE units = units + VALUES(units), cap = VALUES(cap)',
    values: [rows],
  };
}

/** A direct order that leaves awaiting_pickup gives its units back to the buyer's caps. */
export async function releaseHolds(conn: PoolConnection, orderId: string): Promise<void> {
  await conn.query(
    `UPDATE open_unit_holds h
       JOIN (SELECT o.user_id AS userId, i.sku_id AS skuId, i.units FROM orders o JOIN order_items i ON i.order_id = o.id WHERE o.id = ? AND o.source = 'direct'
             UNION ALL
             SELECT o.user_id, '', SUM(i.units) FROM orders o JOIN order_items i ON i.order_id = o.id WHERE o.id = ? AND o.source = 'direct' GROUP BY o.user_id) x
         ON h.user_id = x.userId AND h.sku_id = x.skuId
        SET h.units = GREATEST(h.units - x.units, 0)`,
    [orderId, orderId],
  );
}

export async function returnUnits(conn: PoolConnection, orderId: string): Promise<void> {
  await conn.query('UPDATE skus s JOIN order_items i ON i.sku_id = s.id SET s.available = s.available + i.units WHERE i.order_id = ?', [orderId]);
}

export async function findOrder(db: Db | PoolConnection, where: { id: string; userId?: string; ownerId?: string; openCode?: string }): Promise<OrderRow | null> {
  const cond = allOf([
    ['o.id = ?', where.id],
    where.userId && ['o.user_id = ?', where.userId],
    where.ownerId && ['o.store_id IN (SELECT store_id FROM store_owners WHERE user_id = ?)', where.ownerId],
  ]);
  const [rows] = await db.query(`${ORDER_SELECT} WHERE ${cond.sql}`, cond.values);
  return (rows as OrderRow[])[0] ?? null;
}

/**
 * The order behind a pickup code at the owner's own stores: the open one, or else the latest one
 * already handed over with that code (codes are unique among open orders only). Cancelled and
 * expired orders are not found. Other stores' orders never are.
 */
export async function findOrderByCodeAtOwnerStores(db: Db, code: string, ownerId: string): Promise<OrderRow | null> {
  const [rows] = await db.query(
    `${ORDER_SELECT} WHERE o.pickup_code = ? AND o.status IN ('awaiting_pickup', 'picked_up')
       AND o.store_id IN (SELECT store_id FROM store_owners WHERE user_id = ?)
     ORDER BY o.status = 'awaiting_pickup' DESC, o.picked_up_at DESC LIMIT 1`,
    [code, ownerId],
  );
  return (rows as OrderRow[])[0] ?? null;
}

export async function listOrders(db: Db, f: { userId?: string; ownerId?: string; status?: string; cursor?: string; limit: number }): Promise<OrderRow[]> {
  const cond = allOf([
    f.userId && ['o.user_id = ?', f.userId],
    f.ownerId && ['o.store_id IN (SELECT store_id FROM store_owners WHERE user_id = ?)', f.ownerId],
    f.status && ['o.status = ?', f.status],
    f.cursor && ['o.id < ?', f.cursor],
  ]);
  const [rows] = await db.query(`${ORDER_SELECT} WHERE ${cond.sql} ORDER BY o.id DESC LIMIT ?`, [...cond.values, f.limit + 1]);
  return rows as OrderRow[];
}

export async function itemsOf(db: Db | PoolConnection, orderIds: string[]): Promise<Map<string, ItemRow[]>> {
  const out = new Map<string, ItemRow[]>();
  if (!orderIds.length) return out;
  const [rows] = await db.query(
    `SELECT order_id AS orderId, sku_id AS skuId, product_id AS productId, product_name AS productName, spec, category, units, unit_price_fen AS unitPriceFen
     FROM order_items WHERE order_id IN (?) ORDER BY sku_id`,
    [orderIds],
  );
  for (const r of rows as ItemRow[]) out.set(r.orderId, [...(out.get(r.orderId) ?? []), r]);
  return out;
}

/** The states in which an order still waits for its buyer (delivery adds awaiting_delivery). */
const OPEN_STATES = "'awaiting_pickup', 'awaiting_delivery'";

/** A buyer's own orders still waiting (not the neighbours' a leader ordered for: those are theirs to collect). */
export async function openOwnOrderIds(db: Db, userId: string): Promise<string[]> {
  const [rows] = await db.query("SELECT id FROM orders WHERE user_id = ? AND status = 'awaiting_pickup' AND proxy_member_id IS NULL", [userId]);
  return (rows as { id: string }[]).map((r) => r.id);
}

export type CloseGuard = { userId?: string; unpaidOnlineCreatedBefore?: Date };

/**
 * Moves an order out of awaiting_pickup or awaiting_delivery exactly once: the state it left, or
 * null when it was in neither (or not the caller's). An expiry is either the order's own
 * (expires_at passed) or, for an online order never paid, its pay window (`unpaidOnlineCreatedBefore`).
 */
export async function closeOrder(conn: PoolConnection, id: string, to: 'cancelled' | 'expired', guard: CloseGuard): Promise<'awaiting_pickup' | 'awaiting_delivery' | null> {
  const cond = allOf([
    ['id = ?', id],
    [`status IN (${OPEN_STATES})`],
    guard.userId && ['user_id = ?', guard.userId],
    guard.unpaidOnlineCreatedBefore && ["payment_mode = 'online' AND paid_at IS NULL AND created_at <= ?", guard.unpaidOnlineCreatedBefore],
    !guard.unpaidOnlineCreatedBefore && to === 'expired' && ['expires_at <= NOW(3)'],
  ]);
  const [r] = await conn.query(`UPDATE orders SET status = ?, open_pickup_code = NULL, closed_at = NOW(3) WHERE ${cond.sql}`, [to, ...cond.values]);
  if ((r as { affectedRows: number }).affectedRows !== 1) return null;
  const [rows] = await conn.query('SELECT fulfilment FROM orders WHERE id = ?', [id]);
  return (rows as { fulfilment: string }[])[0].fulfilment === 'delivery' ? 'awaiting_delivery' : 'awaiting_pickup';
}

/** A delivery order's expiry follows its visit's window when the visit is moved. */
export async function setExpiry(conn: PoolConnection, id: string, expiresAt: Date): Promise<void> {
  await conn.query("UPDATE orders SET expires_at = ? WHERE id = ? AND status = 'awaiting_delivery'", [expiresAt, id]);
}

/**
 * An online payment accepted for the order, once: only an online order still waiting for its buyer
 * and not yet paid. False otherwise (cancelled, expired, already paid, or handed over unpaid).
 */
export async function markPaid(conn: PoolConnection, id: string): Promise<boolean> {
  const [r] = await conn.query(
    `UPDATE orders SET paid_at = NOW(3) WHERE id = ? AND payment_mode = 'online' AND paid_at IS NULL AND status IN (${OPEN_STATES})`,
    [id],
  );
  return (r as { affectedRows: number }).affectedRows === 1;
}

/** Online orders never paid, created before the cutoff, still waiting for their buyer. */
export async function unpaidOnlineOrders(db: Db, createdBefore: Date, limit: number): Promise<string[]> {
  const [rows] = await db.query(
    `SELECT id FROM orders WHERE payment_mode = 'online' AND status IN (${OPEN_STATES}) AND paid_at IS NULL AND created_at <= ? ORDER BY created_at LIMIT ?`,
    [createdBefore, limit],
  );
  return (rows as { id: string }[]).map((r) => r.id);
}

/**
 * The handover, exactly once, only at the owner's own stores, only with the order's pickup code, and
 * for an order with a trade-in only with the store's inspection; `prepaid` only for an order paid online, and
 * an order paid online only as `prepaid` (nobody pays twice): every condition is part of the update.
 */
export async function markPickedUp(conn: PoolConnection, h: { id: string; ownerId: string; code: string; paymentMethod: string; inspected: boolean }): Promise<boolean> {
  const [r] = await conn.query(
    `UPDATE orders SET status = 'picked_up', open_pickup_code = NULL, picked_up_at = NOW(3), payment_method = ?
     WHERE id = ? AND status = 'awaiting_pickup' AND open_pickup_code = ? AND (trade_in_quote_id IS NULL OR ?)
       AND store_id IN (SELECT store_id FROM store_owners WHERE user_id = ?)
       AND (? = 'prepaid') = (paid_at IS NOT NULL)`,
    [h.paymentMethod, h.id, h.code, h.inspected, h.ownerId, h.paymentMethod],
  );
  return (r as { affectedRows: number }).affectedRows === 1;
}

/**
 * A delivery order handed over at the door, exactly once: only while awaiting delivery, with the
 * inspection when it carries a trade-in, and `prepaid` exactly when it was paid online.
 */
export async function markDelivered(conn: PoolConnection, h: { id: string; paymentMethod: string; inspected: boolean }): Promise<boolean> {
  const [r] = await conn.query(
    `UPDATE orders SET status = 'delivered', picked_up_at = NOW(3), payment_method = ?
     WHERE id = ? AND status = 'awaiting_delivery' AND (trade_in_quote_id IS NULL OR ?) AND (? = 'prepaid') = (paid_at IS NOT NULL)`,
    [h.paymentMethod, h.id, h.inspected, h.paymentMethod],
  );
  return (r as { affectedRows: number }).affectedRows === 1;
}

/** The order's state as last committed, locked: what a refused handover inside a transaction explains itself by. */
export async function orderStateForUpdate(conn: PoolConnection, id: string): Promise<{ status: string; paidAt: Date | null } | null> {
  const [rows] = await conn.query('SELECT status, paid_at AS paidAt FROM orders WHERE id = ? FOR UPDATE', [id]);
  return (rows as { status: string; paidAt: Date | null }[])[0] ?? null;
}

export async function setTradeInCredit(conn: PoolConnection, id: string, tradeInFen: number): Promise<void> {
  await conn.query(
    'UPDATE orders SET trade_in_fen = ?, payable_fen = GREATEST(0, items_fen - coupon_fen - ?) + delivery_fen + install_fen + haul_away_fen + remote_fen WHERE id = ?',
    [tradeInFen, tradeInFen, id],
  );
}

export async function dueForExpiry(db: Db, limit: number): Promise<string[]> {
  // One range of the (status, expires_at) index per open state: no sort of a large table.
  const ids: string[] = [];
  for (const status of ['awaiting_pickup', 'awaiting_delivery']) {
    const [rows] = await db.query('SELECT id FROM orders WHERE status = ? AND expires_at <= NOW(3) ORDER BY expires_at LIMIT ?', [status, limit - ids.length]);
    ids.push(...(rows as { id: string }[]).map((r) => r.id));
    if (ids.length >= limit) break;
  }
  return ids;
}

export async function insertAudit(conn: PoolConnection | Db, e: Parameters<typeof insertAuditStatement>[0]): Promise<void> {
  const st = insertAuditStatement(e);
  await conn.query(st.sql, st.values);
}

export async function openidOf(db: Db, userId: string): Promise<string | null> {
  const [rows] = await db.query('SELECT openid FROM users WHERE id = ?', [userId]);
  return (rows as { openid: string | null }[])[0]?.openid ?? null;
}

// Idempotency keys of POST /orders.
export type IdempotencyRecord = { requestHash: string; statusCode: number | null; response: string | null };

/** The key's row, inserted in the order's own transaction: a concurrent retry's INSERT waits on its row lock. */
export function claimIdempotencyKeyStatement(userId: string, key: string, requestHash: string): { sql: string; values: unknown[] } {
  return { sql: 'INSERT INTO idempotency_keys (user_id, idem_key, request_hash) VALUES (?, ?, ?)', values: [userId, key, requestHash] };
}

export async function idempotencyKeyExists(db: Db, userId: string, key: string): Promise<boolean> {
  const [rows] = await db.query('SELECT 1 FROM idempotency_keys WHERE user_id = ? AND idem_key = ?', [userId, key]);
  return (rows as unknown[]).length > 0;
}

/** The earlier request's record, once the key's INSERT found it there. */
export async function findIdempotencyKeyInTx(conn: PoolConnection, userId: string, key: string, requestHash: string): Promise<IdempotencyRecord> {
  const [rows] = await conn.query('SELECT request_hash AS requestHash, status_code AS statusCode, response FROM idempotency_keys WHERE user_id = ? AND idem_key = ?', [userId, key]);
  return (rows as IdempotencyRecord[])[0] ?? { requestHash, statusCode: null, response: null };
}


/** A handed-over order paid back: refunded exactly once (false when it already was, or was never handed over). */
export async function markRefunded(conn: PoolConnection, id: string): Promise<boolean> {
  const [r] = await conn.query("UPDATE orders SET status = 'refunded', closed_at = NOW(3) WHERE id = ? AND status IN ('picked_up', 'delivered')", [id]);
  return (r as { affectedRows: number }).affectedRows === 1;
}
