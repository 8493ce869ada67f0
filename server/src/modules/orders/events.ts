import type { PoolConnection } from 'mysql2/promise';
import { publishEvent, publishEventsStatement } from '../../lib/outbox';
import type { Statement } from '../../lib/db';

/**
 * What the orders module tells other capabilities, through the outbox, in the transaction of the
 * change: `order.created`, `order.picked_up`, `order.delivered`, `order.cancelled`, `order.expired`. Payload fields
 * are additive; subscribers read only what they need.
 */
export type OrderEventType = 'order.created' | 'order.picked_up' | 'order.delivered' | 'order.cancelled' | 'order.expired';

export type OrderEventItem = { skuId: string; productId: string; category: string; brand: string; name: string; spec: string; units: number; unitPriceFen: number };

export type OrderEventPayload = {
  orderId: string;
  userId: string;
  storeId: string;
  source: string;
  groupBuyId: string | null;
  payableFen: number;
  paymentMethod: string | null;
  items: OrderEventItem[];
};

/** The event of a new order, from what the placing code already holds (no extra read on the hot path). */
export function orderCreatedStatement(payloads: OrderEventPayload[]): Statement {
  return publishEventsStatement(payloads.map((p) => ({ type: 'order.created', aggregateId: p.orderId, payload: p })));
}

/** Publishes an order's change, reading the order as it stands inside the caller's transaction. */
export async function publishOrderEvent(conn: PoolConnection, type: OrderEventType, orderId: string, extra: Record<string, unknown> = {}): Promise<void> {
  const [rows] = await conn.query(
    `SELECT o.id AS orderId, o.user_id AS userId, o.store_id AS storeId, o.source, o.group_buy_id AS groupBuyId, o.payable_fen AS payableFen,
            o.payment_method AS paymentMethod, i.sku_id AS skuId, i.product_id AS productId, i.category, p.brand, i.product_name AS name,
            i.spec, i.units, i.unit_price_fen AS unitPriceFen
       FROM orders o JOIN order_items i ON i.order_id = o.id LEFT JOIN products p ON p.id = i.product_id
      WHERE o.id = ? ORDER BY i.sku_id`,
    [orderId],
  );
  const lines = rows as (Omit<OrderEventPayload, 'items'> & OrderEventItem)[];
  if (!lines.length) return;
  const first = lines[0];
  const payload: OrderEventPayload = {
    orderId: first.orderId, userId: first.userId, storeId: first.storeId, source: first.source, groupBuyId: first.groupBuyId,
    payableFen: first.payableFen, paymentMethod: first.paymentMethod,
    items: lines.map((l) => ({ skuId: l.skuId, productId: l.productId, category: l.category, brand: l.brand ?? '', name: l.name, spec: l.spec, units: l.units, unitPriceFen: l.unitPriceFen })),
  };
  await publishEvent(conn, type, orderId, { ...payload, ...extra });
}
