import { createHash, randomInt } from 'node:crypto';
import type { PoolConnection } from 'mysql2/promise';
import type { Deps } from '../../lib/deps';
import { withTransaction, isDuplicateKey, isCheckViolation, type Db, type Statement } from '../../lib/db';
import { newId } from '../../lib/ids';
import { AppError, conflict, notFound, validationFailed } from '../../lib/errors';
import type { AuthUser } from '../../lib/auth';
import type { SubscribeTemplate } from '../../lib/wechat';
import { findSkus } from '../catalogue/repository';
import { couponAdjustment } from '../coupons/order-adjustment';
import { tradeInAdjustment } from '../trade-in/order-adjustment';
import type { OrderLine, TradeInInspection } from './adjustments';
import { limitFailures, type FailureBudget } from '../../lib/rate-limit';
import * as repo from './repository';
import { orderCreatedStatement, publishOrderEvent } from './events';
import { bookVisit, releaseVisit, rescheduleVisit, slotFull, slotTakesBookings, visitsOfOrders, type DeliveryRequest, type VisitOfOrder, type AppointmentView } from '../delivery/booking';

/**
 * Orders, paid at pickup (到店付). The story of an order: stock is reserved where it is kept (a
 * conditional UPDATE per SKU), the price is computed here from SKU prices, a coupon and a trade-in
 * credit may take part in the same transaction, and a pickup code unique among open orders is
 * given. The buyer can cancel while it waits; overdue orders expire; the store owner confirms the
 * handover exactly once, at their own stores only.
 */
export type PlaceOrderInput = {
  userId: string;
  storeId: string;
  items: { skuId: string; units: number }[];
  unitPriceFenOverride?: number;
  couponId?: string;
  tradeInQuoteId?: string;
  source: 'direct' | 'group_buy';
  groupBuyId?: string;
  groupBuyMemberId?: string;
  proxyMemberId?: string;
  /** online: paid through WeChat Pay before pickup (payments module); an order with nothing to pay is paid at pickup. */
  paymentMode?: 'on_pickup' | 'online';
  /** Delivered (送装一体) instead of picked up: a visit is booked in the same transaction (delivery module). */
  delivery?: DeliveryRequest;
};

export type Price = { itemsFen: number; couponFen: number; tradeInFen: number; payableFen: number; deliveryFen: number; installFen: number; haulAwayFen: number; remoteFen: number };
export type PlacedOrder = {
  id: string; status: 'awaiting_pickup' | 'awaiting_delivery'; fulfilment: 'pickup' | 'delivery'; pickupCode: string | null; deliveryCode: string | null;
  appointment: AppointmentView | null; price: Price; paymentMode: 'on_pickup' | 'online';
};

/** 8 digits from a CSPRNG: 10^8 codes, so an open order's code cannot be guessed in the few tries verification allows. */
export function newPickupCode(): string {
  return String(randomInt(0, 100_000_000)).padStart(8, '0');
}

/** 409 OPEN_UNITS_LIMIT: the buyer already holds as many units in open orders as a household needs. */
const openUnitsLimit = (deps: Deps) => {
  const { maxOpenUnitsPerUser, maxOpenUnitsPerSku } = deps.config.safeguards;
  return conflict('OPEN_UNITS_LIMIT', `每户未提货的订单最多 ${maxOpenUnitsPerUser} 台（同一款最多 ${maxOpenUnitsPerSku} 台），请先提货或取消不要的订单`);
};

const expiry = (deps: Deps) => new Date(Date.now() + deps.config.orders.expireAfterDays * 86_400_000);

export type { Statement };

/** Sends several statements in one round trip, on a connection of the batch pool (values always go through placeholders). */
async function batch(conn: PoolConnection, statements: Statement[]): Promise<unknown[]> {
  const sql = statements.map((st) => conn.format(st.sql, st.values as never[])).join(';\n');
  const [results] = await conn.query(sql);
  return statements.length === 1 ? [results] : (results as unknown[]);
}

/** A leading statement of `placeOrderInTx` hit a unique key (an Idempotency-Key already used). */
export class LeadingDuplicate extends Error {}

/**
 * Inside the caller's transaction, which runs on the batch pool (`deps.batchDb`), in few round trips: the caller's leading statements, the store
 * and SKU reads and every SKU's reservation go in one batch (the CHECK constraint on skus.available
 * refuses to go below zero, so no read-then-write; a missing store or SKU throws and the caller's
 * transaction rolls the reservation back); adjustments run; the order, its items, its audit line
 * and the caller's trailing statements are written in one batch, with a new code if one collides.
 */
export async function placeOrderInTx(
  conn: PoolConnection, deps: Deps, input: PlaceOrderInput, trailing: (order: PlacedOrder) => Statement[] = () => [], leading: Statement[] = [],
): Promise<PlacedOrder> {
  const skuIds = input.items.map((i) => i.skuId);
  let results: unknown[];
  try {
    results = await batch(conn, [
      ...leading,
      repo.holdUnitsStatement(input.userId, input.items, deps.config.safeguards),
      { sql: 'SELECT id FROM stores WHERE id = ?', values: [input.storeId] },
      { sql: 'SELECT s.id, s.product_id AS productId, p.category, p.brand, s.price_fen AS priceFen, s.spec, p.name AS productName FROM skus s JOIN products p ON p.id = s.product_id WHERE s.id IN (?)', values: [skuIds] },
      // SKU rows are locked in id order, so concurrent multi-item orders cannot deadlock.
      ...[...input.items].sort((a, b) => a.skuId.localeCompare(b.skuId)).map((i) => ({ sql: 'UPDATE skus SET available = available - ? WHERE id = ?', values: [i.units, i.skuId] })),
    ]);
  } catch (err) {
    if (isCheckViolation(err, repo.HOLDS_CHECK)) throw openUnitsLimit(deps);
    if (isCheckViolation(err)) throw conflict('INSUFFICIENT_STOCK', '库存不足');
    // Reads and UPDATEs of `available` cannot hit a unique key: only a leading statement can.
    if (leading.length && isDuplicateKey(err)) throw new LeadingDuplicate();
    throw err;
  }
  const [storeRows, skuRows] = results.slice(leading.length + 1, leading.length + 3) as [unknown[], { id: string; productId: string; category: string; brand: string; priceFen: number; spec: string; productName: string }[]];
  if (!storeRows.length) throw notFound('门店不存在');
  const skus = new Map(skuRows.map((r) => [r.id, r]));
  if (input.items.some((i) => !skus.has(i.skuId))) throw notFound('商品不存在');
  const lines: OrderLine[] = input.items.map((i) => {
    const s = skus.get(i.skuId)!;
    return { skuId: s.id, productId: s.productId, category: s.category, units: i.units, unitPriceFen: input.unitPriceFenOverride ?? s.priceFen };
  });
  const itemsFen = lines.reduce((n, l) => n + l.units * l.unitPriceFen, 0);
  const orderId = newId();
  const floorFen = Math.ceil((itemsFen * deps.config.safeguards.payableFloorBps) / 10_000);
  const ctx = { conn, deps, userId: input.userId, orderId, lines, itemsFen, roomFen: itemsFen - floorFen, now: new Date() };
  const couponFen = input.couponId ? Math.min(ctx.roomFen, await couponAdjustment.apply(ctx, input.couponId)) : 0;
  const tradeInFen = input.tradeInQuoteId ? await tradeInAdjustment.apply({ ...ctx, roomFen: ctx.roomFen - couponFen }, input.tradeInQuoteId) : 0;
  const visit = input.delivery ? await bookVisit(conn, deps, { ...input.delivery, userId: input.userId, storeId: input.storeId, orderId, lines }) : null;
  const fees = visit?.fees ?? { deliveryFen: 0, installFen: 0, haulAwayFen: 0, remoteFen: 0 };
  // Credits come off the goods only; the visit's fees are paid on top.
  const payableFen = Math.max(0, itemsFen - couponFen - tradeInFen) + fees.deliveryFen + fees.installFen + fees.haulAwayFen + fees.remoteFen;
  const paymentMode = input.paymentMode === 'online' && payableFen > 0 ? 'online' : 'on_pickup';
  const status = visit ? 'awaiting_delivery' : 'awaiting_pickup';
  // A delivery order waits for its visit, however far ahead: it expires that long after the window.
  const expiresAt = visit ? new Date(visit.endsAt.getTime() + deps.config.orders.expireAfterDays * 86_400_000) : expiry(deps);
  for (let attempt = 0; ; attempt++) {
    const pickupCode = newPickupCode();
    const placed: PlacedOrder = {
      id: orderId, status, fulfilment: visit ? 'delivery' : 'pickup', pickupCode: visit ? null : pickupCode, deliveryCode: visit?.deliveryCode ?? null,
      appointment: visit
        ? { id: visit.appointmentId, slotId: visit.slotId, startsAt: visit.startsAt.toISOString(), endsAt: visit.endsAt.toISOString(), status: 'booked', technician: null, install: input.delivery!.install, haulAway: input.delivery!.haulAway, reschedules: 0 }
        : null,
      price: { itemsFen, couponFen, tradeInFen, payableFen, ...fees }, paymentMode,
    };
    try {
      await batch(conn, [
        repo.insertOrderStatement({
          id: orderId, userId: input.userId, storeId: input.storeId, source: input.source, groupBuyId: input.groupBuyId ?? null,
          groupBuyMemberId: input.groupBuyMemberId ?? null, proxyMemberId: input.proxyMemberId ?? null, couponId: input.couponId ?? null,
          tradeInQuoteId: input.tradeInQuoteId ?? null, itemsFen, couponFen, tradeInFen, payableFen, pickupCode, expiresAt, paymentMode,
          status, fulfilment: visit ? 'delivery' : 'pickup', ...fees,
        }),
        repo.insertItemsStatement(lines.map((l) => ({ orderId, skuId: l.skuId, productId: l.productId, productName: skus.get(l.skuId)!.productName, spec: skus.get(l.skuId)!.spec, category: l.category, units: l.units, unitPriceFen: l.unitPriceFen }))),
        repo.insertAuditStatement({ orderId, actorUserId: input.userId, action: 'create', fromState: null, toState: status, detail: { source: input.source, ...(visit ? { appointmentId: visit.appointmentId, slotId: visit.slotId } : {}) } }),
        orderCreatedStatement([{
          orderId, userId: input.userId, storeId: input.storeId, source: input.source, groupBuyId: input.groupBuyId ?? null, payableFen, paymentMethod: null,
          items: lines.map((l) => {
            const s = skus.get(l.skuId)!;
            return { skuId: l.skuId, productId: l.productId, category: l.category, brand: s.brand, name: s.productName, spec: s.spec, units: l.units, unitPriceFen: l.unitPriceFen };
          }),
        }]),
        ...trailing(placed),
      ]);
      return placed;
    } catch (err) {
      // 10^8 codes: a collision with an open order's code is rare; the statement failed alone, so draw again.
      if (isDuplicateKey(err, 'uq_orders_open_pickup_code') && attempt < 10) continue;
      throw err;
    }
  }
}

/**
 * Group-buy settlement: every member's order for one SKU at one price, in the caller's
 * transaction, stock reserved once for the total, rows inserted many at a time. Idempotent per
 * member: a member who already has an order (unique group_buy_member_id) gets no second one.
 */
export async function placeGroupOrdersInTx(
  conn: PoolConnection,
  deps: Deps,
  input: { storeId: string; skuId: string; unitPriceFen: number; groupBuyId: string; members: { groupBuyMemberId: string; userId: string; units: number; proxyMemberId?: string }[] },
): Promise<{ groupBuyMemberId: string; orderId: string; pickupCode: string }[]> {
  if (!input.members.length) return [];
  const [existingRows] = await conn.query('SELECT group_buy_member_id AS m FROM orders WHERE group_buy_id = ?', [input.groupBuyId]);
  const done = new Set((existingRows as { m: string }[]).map((r) => r.m));
  const members = input.members.filter((m) => !done.has(m.groupBuyMemberId));
  if (!members.length) return [];
  const sku = (await findSkus(conn, [input.skuId])).get(input.skuId);
  if (!sku) throw notFound('商品不存在');
  const total = members.reduce((n, m) => n + m.units, 0);
  try {
    await conn.query('UPDATE skus SET available = available - ? WHERE id = ?', [total, input.skuId]);
  } catch (err) {
    if (isCheckViolation(err)) throw conflict('INSUFFICIENT_STOCK', '库存不足');
    throw err;
  }
  const expiresAt = expiry(deps);
  const made: { groupBuyMemberId: string; orderId: string; pickupCode: string }[] = [];
  const codes = new Set<string>();
  for (let i = 0; i < members.length; i += 1000) {
    const chunk = members.slice(i, i + 1000);
    const rows = chunk.map((m) => {
      let code = newPickupCode();
      while (codes.has(code)) code = newPickupCode();
      codes.add(code);
      const fen = m.units * input.unitPriceFen;
      const orderId = newId();
      made.push({ groupBuyMemberId: m.groupBuyMemberId, orderId, pickupCode: code });
      return [orderId, m.userId, input.storeId, 'awaiting_pickup', 'group_buy', input.groupBuyId, m.groupBuyMemberId, m.proxyMemberId ?? null, fen, 0, 0, fen, code, code, expiresAt];
    });
    try {
      await conn.query(
        `INSERT INTO orders (id, user_id, store_id, status, source, group_buy_id, group_buy_member_id, proxy_member_id, items_fen, coupon_fen, trade_in_fen, payable_fen, pickup_code, open_pickup_code, expires_at) VALUES ?`,
        [rows],
      );
    } catch (err) {
      // A code that collides with another open order's (10^8 codes: rare): the whole settlement retries.
      if (isDuplicateKey(err, 'uq_orders_open_pickup_code')) throw new AppError(503, 'DEPENDENCY_UNAVAILABLE', '请稍后再试');
      throw err;
    }
    const madeChunk = made.slice(i, i + chunk.length);
    await repo.insertItems(conn, madeChunk.map((o, k) => ({ orderId: o.orderId, skuId: sku.id, productId: sku.productId, productName: sku.productName, spec: sku.spec, category: sku.category, units: chunk[k].units, unitPriceFen: input.unitPriceFen })));
    await conn.query('INSERT INTO order_audit (order_id, actor_user_id, action, from_state, to_state, detail) VALUES ?', [
      madeChunk.map((o) => [o.orderId, null, 'create', null, 'awaiting_pickup', JSON.stringify({ source: 'group_buy', groupBuyId: input.groupBuyId })]),
    ]);
    const created = orderCreatedStatement(madeChunk.map((o, k) => ({
      orderId: o.orderId, userId: chunk[k].userId, storeId: input.storeId, source: 'group_buy', groupBuyId: input.groupBuyId, payableFen: chunk[k].units * input.unitPriceFen, paymentMethod: null,
      items: [{ skuId: sku.id, productId: sku.productId, category: sku.category, brand: sku.brand, name: sku.productName, spec: sku.spec, units: chunk[k].units, unitPriceFen: input.unitPriceFen }],
    })));
    await conn.query(created.sql, created.values);
  }
  return made;
}

export const writeAudit = repo.insertAudit;

type CreateOrderBody = {
  storeId: string; items: { skuId: string; units: number }[]; couponId?: string | null; tradeInQuoteId?: string | null; payment?: 'on_pickup' | 'online';
  fulfilment?: { mode: 'pickup' } | ({ mode: 'delivery' } & DeliveryRequest);
};

const deliveryOf = (body: CreateOrderBody): DeliveryRequest | undefined =>
  body.fulfilment?.mode === 'delivery' ? { addressId: body.fulfilment.addressId, slotId: body.fulfilment.slotId, install: body.fulfilment.install, haulAway: body.fulfilment.haulAway } : undefined;

function requestHash(body: CreateOrderBody): string {
  const delivery = deliveryOf(body);
  return createHash('sha256')
    .update(JSON.stringify({
      storeId: body.storeId, items: body.items, couponId: body.couponId ?? null, tradeInQuoteId: body.tradeInQuoteId ?? null,
      ...(body.payment === 'online' ? { payment: 'online' } : {}), ...(delivery ? { delivery } : {}),
    }))
    .digest('hex');
}

function checkItems(body: CreateOrderBody): void {
  const seen = new Set<string>();
  body.items.forEach((item, i) => {
    if (seen.has(item.skuId)) throw validationFailed([{ path: `body.items.${i}.skuId`, message: 'each SKU once per order' }]);
    seen.add(item.skuId);
  });
}

const placeInput = (user: AuthUser, body: CreateOrderBody): PlaceOrderInput => ({
  userId: user.id, storeId: body.storeId, items: body.items, couponId: body.couponId ?? undefined, tradeInQuoteId: body.tradeInQuoteId ?? undefined,
  source: 'direct', paymentMode: body.payment, delivery: deliveryOf(body),
});

async function notifyBuyer(deps: Deps, buyer: string | { openid?: string | null; id: string }, template: SubscribeTemplate, orderId: string, data: Record<string, { value: string }>) {
  const openid = typeof buyer === 'object' && buyer.openid !== undefined ? buyer.openid : await repo.openidOf(deps.db, typeof buyer === 'string' ? buyer : buyer.id).catch(() => null);
  if (openid) await deps.wechat.notify({ touser: openid, template, page: `pages/order/index?id=${orderId}`, data });
}

/**
 * POST /orders: the same Idempotency-Key with the same body answers the first response again;
 * with another body, 422. Concurrent retries wait for the first one's answer.
 */
export async function createOrder(deps: Deps, user: AuthUser, key: string, body: CreateOrderBody): Promise<{ status: number; body: unknown }> {
  checkItems(body);
  const hash = requestHash(body);
  // A rush on a full slot is turned away before it queues for row locks; a retry of an order
  // already placed with this key goes on, to be answered from its stored response.
  const delivery = deliveryOf(body);
  if (delivery && !(await slotTakesBookings(deps, delivery.slotId)) && !(await repo.idempotencyKeyExists(deps.db, user.id, key))) throw slotFull();
  // The key is inserted in the order's own transaction: a concurrent retry's INSERT waits on the
  // first one's row lock, then finds the stored response (or, if the first rolled back, goes ahead).
  for (let attempt = 0; ; attempt++) {
    // The batch pool: placing an order sends its statements in two round trips.
    const outcome = await withTransaction(deps.batchDb, async (conn) => {
      try {
        const order = await placeOrderInTx(
          conn, deps, placeInput(user, body),
          (placed) => [repo.completeIdempotencyKeyStatement(user.id, key, 201, placed)],
          [repo.claimIdempotencyKeyStatement(user.id, key, hash)],
        );
        return { order };
      } catch (err) {
        if (!(err instanceof LeadingDuplicate)) throw err;
        return { prior: await repo.findIdempotencyKeyInTx(conn, user.id, key, hash) };
      }
    });
    if (outcome.order) {
      const placed = outcome.order;
      const told = placed.fulfilment === 'delivery' ? { thing1: { value: '订单已提交，师傅将按预约上门' }, character_string2: { value: placed.deliveryCode! } } : { thing1: { value: '订单已提交，请到店提货' }, character_string2: { value: placed.pickupCode! } };
      void notifyBuyer(deps, user, 'orderCreated', placed.id, told);
      return { status: 201, body: placed };
    }
    const prior = outcome.prior;
    if (prior.requestHash !== hash) throw new AppError(422, 'IDEMPOTENCY_KEY_REUSED', '该请求编号已用于另一笔订单');
    if (prior.statusCode !== null && prior.response !== null) return { status: prior.statusCode, body: JSON.parse(prior.response) };
    if (attempt > 100) throw new AppError(409, 'IDEMPOTENCY_IN_PROGRESS', '订单正在处理中，请稍后刷新');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A rolled-back placement carries the price it would have had (POST /orders/preview). */
class PreviewDone extends Error {
  constructor(readonly placed: PlacedOrder) {
    super('preview');
  }
}

/**
 * POST /orders/preview: the order is placed in a transaction that is then rolled back, so the
 * price and every refusal (stock, caps, coupon, quote, service area, a full slot) are exactly
 * those the order would meet, and nothing stays: no order, no stock, no place in a slot.
 */
export async function previewOrder(deps: Deps, user: AuthUser, body: CreateOrderBody) {
  checkItems(body);
  try {
    await withTransaction(deps.batchDb, async (conn) => {
      throw new PreviewDone(await placeOrderInTx(conn, deps, placeInput(user, body)));
    });
  } catch (err) {
    if (!(err instanceof PreviewDone)) throw err;
    return { price: err.placed.price, paymentMode: err.placed.paymentMode, fulfilment: err.placed.fulfilment };
  }
  throw new Error('unreachable: a preview always rolls back');
}

/** The buyer moves a delivery order's visit to another slot (delivery module's rules); the order's expiry follows the window. */
export async function rescheduleOrder(deps: Deps, user: AuthUser, id: string, slotId: string) {
  await rescheduleVisit(deps, user, id, slotId, (conn, orderId, windowEndsAt) => repo.setExpiry(conn, orderId, new Date(windowEndsAt.getTime() + deps.config.orders.expireAfterDays * 86_400_000)));
  return getMyOrder(deps, user, id);
}

export function presentOrder(o: repo.OrderRow, items: repo.ItemRow[], opts: { showCode: boolean; visit?: VisitOfOrder }) {
  return {
    id: o.id,
    status: o.status,
    source: o.source,
    groupBuyId: o.groupBuyId,
    pickupCode: opts.showCode && o.status === 'awaiting_pickup' ? o.pickupCode : null,
    fulfilment: o.fulfilment,
    deliveryCode: opts.showCode && o.status === 'awaiting_delivery' && opts.visit ? opts.visit.deliveryCode : null,
    appointment: opts.visit?.appointment ?? null,
    price: {
      itemsFen: o.itemsFen, couponFen: o.couponFen, tradeInFen: o.tradeInFen, payableFen: o.payableFen,
      deliveryFen: o.deliveryFen, installFen: o.installFen, haulAwayFen: o.haulAwayFen, remoteFen: o.remoteFen,
    },
    items: items.map((i) => ({ skuId: i.skuId, productId: i.productId, productName: i.productName, spec: i.spec, category: i.category, units: i.units, unitPriceFen: i.unitPriceFen })),
    store: { id: o.storeId, name: o.storeName, address: o.storeAddress, phone: o.storePhone },
    couponId: o.couponId,
    tradeInQuoteId: o.tradeInQuoteId,
    paymentMethod: o.paymentMethod,
    paymentMode: o.paymentMode,
    paidAt: o.paidAt ? o.paidAt.toISOString() : null,
    createdAt: o.createdAt.toISOString(),
    expiresAt: o.expiresAt.toISOString(),
    pickedUpAt: o.pickedUpAt ? o.pickedUpAt.toISOString() : null,
    closedAt: o.closedAt ? o.closedAt.toISOString() : null,
  };
}

export async function listMyOrders(deps: Deps, user: AuthUser, q: { status?: string; cursor?: string; limit?: number }) {
  const limit = Math.min(q.limit ?? 20, 50);
  const rows = await repo.listOrders(deps.db, { userId: user.id, status: q.status, cursor: q.cursor, limit });
  const page = rows.slice(0, limit);
  const [items, visits] = await Promise.all([repo.itemsOf(deps.db, page.map((o) => o.id)), visitsOfOrders(deps.db, page.filter((o) => o.fulfilment === 'delivery').map((o) => o.id))]);
  return { items: page.map((o) => presentOrder(o, items.get(o.id) ?? [], { showCode: true, visit: visits.get(o.id) })), nextCursor: rows.length > limit ? page[page.length - 1].id : null };
}

export async function getMyOrder(deps: Deps, user: AuthUser, id: string) {
  const o = await repo.findOrder(deps.db, { id, userId: user.id });
  if (!o) throw notFound('订单不存在');
  const [items, visits] = await Promise.all([repo.itemsOf(deps.db, [id]), visitsOfOrders(deps.db, o.fulfilment === 'delivery' ? [id] : [])]);
  return presentOrder(o, items.get(id) ?? [], { showCode: true, visit: visits.get(id) });
}

async function closeAndRelease(conn: PoolConnection, deps: Deps, id: string, to: 'cancelled' | 'expired', actor: string | null, guard: repo.CloseGuard): Promise<boolean> {
  const from = await repo.closeOrder(conn, id, to, guard);
  if (!from) return false;
  await repo.returnUnits(conn, id);
  await repo.releaseHolds(conn, id);
  await couponAdjustment.release(conn, id);
  await tradeInAdjustment.release(conn, id);
  if (from === 'awaiting_delivery') await releaseVisit(conn, id);
  await repo.insertAudit(conn, { orderId: id, actorUserId: actor, action: to === 'cancelled' ? 'cancel' : 'expire', fromState: from, toState: to });
  await publishOrderEvent(conn, to === 'cancelled' ? 'order.cancelled' : 'order.expired', id);
  return true;
}

export async function cancelOrder(deps: Deps, user: AuthUser, id: string) {
  const cancelled = await withTransaction(deps.db, (conn) => closeAndRelease(conn, deps, id, 'cancelled', user.id, { userId: user.id }));
  if (!cancelled) {
    const o = await repo.findOrder(deps.db, { id, userId: user.id });
    if (!o) throw notFound('订单不存在');
    throw conflict('ORDER_NOT_CANCELLABLE', '订单不能取消');
  }
  return getMyOrder(deps, user, id);
}

/** An account being deleted: its own open orders are cancelled, units, coupons and trade-in quotes going back (an online payment is refunded by the order.cancelled subscriber). */
export async function cancelOpenOrdersOfLeavingUser(deps: Deps, userId: string): Promise<number> {
  let cancelled = 0;
  for (const id of await repo.openOwnOrderIds(deps.db, userId)) {
    if (await withTransaction(deps.db, (conn) => closeAndRelease(conn, deps, id, 'cancelled', userId, { userId }))) cancelled++;
  }
  return cancelled;
}

/** The expiry job: overdue orders give their units (and coupon, trade-in quote) back. */
export async function expireOverdueOrders(deps: Deps, batch = 200): Promise<number> {
  let expired = 0;
  for (const id of await repo.dueForExpiry(deps.db, batch)) {
    if (await withTransaction(deps.db, (conn) => closeAndRelease(conn, deps, id, 'expired', null, {}))) expired++;
  }
  return expired;
}

// What the payments module asks of orders (it never writes the orders table itself).

/** The order a buyer is about to pay online, or null when it is not theirs. */
export async function orderToPay(deps: Deps, userId: string, orderId: string) {
  const o = await repo.findOrder(deps.db, { id: orderId, userId });
  if (!o) return null;
  const items = (await repo.itemsOf(deps.db, [orderId])).get(orderId) ?? [];
  return {
    id: o.id, userId: o.userId, storeId: o.storeId, storeName: o.storeName, status: o.status, paymentMode: o.paymentMode, paid: o.paidAt !== null,
    payableFen: o.payableFen, createdAt: o.createdAt, items: items.map((i) => ({ name: i.productName, units: i.units })),
  };
}

/** Inside the payment's transaction: the order is paid, once, if it still waits for its buyer; false otherwise (then the payment is refunded). */
export async function markOrderPaid(conn: PoolConnection, orderId: string, paymentId: string): Promise<boolean> {
  if (!(await repo.markPaid(conn, orderId))) return false;
  await repo.insertAudit(conn, { orderId, actorUserId: null, action: 'paid_online', fromState: null, toState: null, detail: { paymentId } });
  return true;
}

/** Online orders never paid within their window (the payments job closes their WeChat side first). */
export const unpaidOnlineOrders = (deps: Deps, createdBefore: Date, limit = 200) => repo.unpaidOnlineOrders(deps.db, createdBefore, limit);

/** Expires an online order never paid within its window: units, coupon and trade-in quote go back, exactly once. */
export async function expireUnpaidOnlineOrder(deps: Deps, orderId: string, createdBefore: Date): Promise<boolean> {
  return withTransaction(deps.db, (conn) => closeAndRelease(conn, deps, orderId, 'expired', null, { unpaidOnlineCreatedBefore: createdBefore }));
}

// The store owner's console.

export async function listStorePickups(deps: Deps, owner: AuthUser, q: { status?: string; cursor?: string; limit?: number }) {
  const limit = Math.min(q.limit ?? 20, 50);
  const rows = await repo.listOrders(deps.db, { ownerId: owner.id, status: q.status ?? 'awaiting_pickup', cursor: q.cursor, limit });
  const page = rows.slice(0, limit);
  const [items, visits] = await Promise.all([repo.itemsOf(deps.db, page.map((o) => o.id)), visitsOfOrders(deps.db, page.filter((o) => o.fulfilment === 'delivery').map((o) => o.id))]);
  return {
    items: page.map((o) => ({ ...presentOrder(o, items.get(o.id) ?? [], { showCode: false, visit: visits.get(o.id) }), buyer: { nickname: o.buyerNickname } })),
    nextCursor: rows.length > limit ? page[page.length - 1].id : null,
  };
}

/** 12月1日 10:32, in the business's time zone: what the counter reads. */
const shanghaiTime = (d: Date) =>
  d.toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', month: 'long', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false });

/** The goods behind this code were handed over already: 409 with the time, so the counter can say so. */
const alreadyPickedUp = (pickedUpAt: Date | null) =>
  conflict('ALREADY_PICKED_UP', pickedUpAt ? `该订单已于 ${shanghaiTime(pickedUpAt)} 提货` : '该订单已提货', { pickedUpAt: pickedUpAt?.toISOString() ?? null });

/**
 * The counter's look-up of a pickup code. Only failed look-ups count against the brute-force
 * budgets (per owner account, consecutive; per store), so a queue of customers is served without
 * waiting while guessing is cut off; a code already handed over at this store is 409 with the
 * time, a code unknown at the owner's stores (another store's included) is 404.
 */
/** Failed pickup-code attempts (verify or confirm) count against these: per owner, consecutive; per store. */
const pickupCodeBudgets = (owner: AuthUser): FailureBudget[] => [
  { name: 'pickupVerifyFailuresPerOwner', key: owner.id, clearedBySuccess: true },
  ...owner.storeIds.map((storeId) => ({ name: 'pickupVerifyFailuresPerStore' as const, key: storeId, clearedBySuccess: false })),
];

export async function verifyPickupCode(deps: Deps, owner: AuthUser, code: string) {
  const o = await limitFailures(
    deps, pickupCodeBudgets(owner),
    async () => {
      const found = await repo.findOrderByCodeAtOwnerStores(deps.db, code, owner.id);
      if (!found) throw notFound('本店没有这个提货码的待提货订单');
      return found;
    },
    (err) => err instanceof AppError && err.status === 404,
    (wait) => `提货码核验失败次数过多，请 ${wait}后再试`,
  );
  if (o.status === 'picked_up') throw alreadyPickedUp(o.pickedUpAt);
  const items = await repo.itemsOf(deps.db, [o.id]);
  const tradeIn = o.tradeInQuoteId ? { quoteId: o.tradeInQuoteId, creditFen: o.tradeInFen } : null;
  return { ...presentOrder(o, items.get(o.id) ?? [], { showCode: false }), buyer: { nickname: o.buyerNickname }, tradeIn };
}

/**
 * The handover at the counter. It needs the buyer: the order's pickup code must come with it (a
 * wrong code counts against the same budgets of failed look-ups as verify, so confirm is no way to
 * guess codes), and an order that carries a trade-in needs the store's inspection of the old unit.
 */
export async function confirmPickup(deps: Deps, owner: AuthUser, orderId: string, input: { code: string; paymentMethod: string; tradeInInspection?: TradeInInspection }) {
  const result = await limitFailures(deps, pickupCodeBudgets(owner), () => handOver(deps, owner, orderId, input), (err) => err instanceof AppError && err.code === 'PICKUP_CODE_MISMATCH', (wait) => `提货码核验失败次数过多，请 ${wait}后再试`);
  const o = (await repo.findOrder(deps.db, { id: orderId, ownerId: owner.id }))!;
  void notifyBuyer(deps, o.userId, 'orderPickedUp', orderId, { thing1: { value: '您已在门店提货' }, amount2: { value: (o.payableFen / 100).toFixed(2) } });
  const items = await repo.itemsOf(deps.db, [orderId]);
  return { ...presentOrder(o, items.get(orderId) ?? [], { showCode: false }), tradeIn: result.tradeIn ? { ...result.tradeIn, differenceFen: result.tradeIn.finalFen - result.tradeIn.quotedFen } : null };
}

/** The trade-in credit recomputed from the old unit's inspection (at the counter or at the door), kept on the order. */
async function applyInspection(conn: PoolConnection, orderId: string, inspection: TradeInInspection | undefined): Promise<{ quotedFen: number; finalFen: number } | null> {
  if (!inspection) return null;
  const tradeIn = await tradeInAdjustment.inspect(conn, orderId, inspection);
  if (tradeIn) await repo.setTradeInCredit(conn, orderId, tradeIn.finalFen);
  return tradeIn;
}

/** Why a handover in the right state moved nothing: the payment does not match the order, or its trade-in needs the inspection. */
function handoverRefusal(o: { paidAt: Date | null }, paymentMethod: string): AppError {
  if (o.paidAt && paymentMethod !== 'prepaid') return conflict('ORDER_PREPAID', '该订单已在线支付，请选择「已预付」，不要再收款');
  if (!o.paidAt && paymentMethod === 'prepaid') return conflict('ORDER_NOT_PAID', '该订单没有在线支付，请现场收款');
  return validationFailed([{ path: 'body.tradeInInspection', message: 'required: the order carries a trade-in' }], '这单有以旧换新，请先验收旧机');
}

async function handOver(deps: Deps, owner: AuthUser, orderId: string, input: { code: string; paymentMethod: string; tradeInInspection?: TradeInInspection }) {
  const result = await withTransaction(deps.db, async (conn) => {
    if (!(await repo.markPickedUp(conn, { id: orderId, ownerId: owner.id, code: input.code, paymentMethod: input.paymentMethod, inspected: Boolean(input.tradeInInspection) }))) return null;
    await repo.releaseHolds(conn, orderId);
    const tradeIn = await applyInspection(conn, orderId, input.tradeInInspection);
    await repo.insertAudit(conn, {
      orderId, actorUserId: owner.id, action: 'confirm_pickup', fromState: 'awaiting_pickup', toState: 'picked_up',
      detail: { paymentMethod: input.paymentMethod, ...(tradeIn ? { tradeIn: { ...tradeIn, differenceFen: tradeIn.finalFen - tradeIn.quotedFen, inspection: input.tradeInInspection } } : {}) },
    });
    await publishOrderEvent(conn, 'order.picked_up', orderId);
    return { tradeIn };
  });
  if (result) return result;
  // Nothing moved: say why, from the order as it stands (another store's order is as absent as a missing one).
  const o = await repo.findOrder(deps.db, { id: orderId, ownerId: owner.id });
  if (!o) throw notFound('订单不存在');
  if (o.status === 'picked_up') throw alreadyPickedUp(o.pickedUpAt);
  if (o.status !== 'awaiting_pickup') throw conflict('ORDER_NOT_CANCELLABLE', '订单已取消或已过期，不能提货');
  if (o.pickupCode !== input.code) throw new AppError(409, 'PICKUP_CODE_MISMATCH', '提货码不对，请让顾客出示本单的提货码', [{ path: 'body.code', message: "not this order's pickup code" }]);
  throw handoverRefusal(o, input.paymentMethod);
}

/**
 * What the delivery module asks at the door, inside its own transaction (the order row first, as a
 * cancel locks it): the order becomes `delivered` exactly once, its holds are released, a trade-in
 * credit is recomputed from the technician's inspection, and `order.delivered` is published.
 * Nothing moved: 409 ALREADY_COMPLETED, ORDER_NOT_CANCELLABLE (closed), ORDER_PREPAID/ORDER_NOT_PAID,
 * or 400 without the inspection a trade-in needs.
 */
export async function handOverAtDoor(conn: PoolConnection, orderId: string, actorUserId: string, input: { paymentMethod: string; tradeInInspection?: TradeInInspection }) {
  if (!(await repo.markDelivered(conn, { id: orderId, paymentMethod: input.paymentMethod, inspected: Boolean(input.tradeInInspection) }))) {
    // A locking read: the transaction's snapshot may predate a concurrent completion.
    const o = await repo.orderStateForUpdate(conn, orderId);
    if (!o) throw notFound('订单不存在');
    if (o.status === 'delivered') throw conflict('ALREADY_COMPLETED', '该订单已送达，不能重复完成');
    if (o.status !== 'awaiting_delivery') throw conflict('ORDER_NOT_CANCELLABLE', '订单已取消或已过期，不能送达');
    throw handoverRefusal(o, input.paymentMethod);
  }
  await repo.releaseHolds(conn, orderId);
  const tradeIn = await applyInspection(conn, orderId, input.tradeInInspection);
  await repo.insertAudit(conn, {
    orderId, actorUserId, action: 'confirm_delivery', fromState: 'awaiting_delivery', toState: 'delivered',
    detail: { paymentMethod: input.paymentMethod, ...(tradeIn ? { tradeIn: { ...tradeIn, differenceFen: tradeIn.finalFen - tradeIn.quotedFen, inspection: input.tradeInInspection } } : {}) },
  });
  await publishOrderEvent(conn, 'order.delivered', orderId);
  return { tradeIn };
}

export type { Db };
