import type { Db } from '../../lib/db';
import * as repo from './repository';

/**
 * What other capabilities may read of an order, through the orders module (after-sales: the return
 * window and what a refund may pay back). Never another module's SQL on `orders`.
 */
export type OrderFacts = {
  id: string;
  userId: string;
  storeId: string;
  status: string;
  source: string;
  groupBuyId: string | null;
  couponId: string | null;
  payableFen: number;
  /** cash | wechat_qr | prepaid, once paid. */
  paymentMethod: string | null;
  /** When the goods reached the buyer (pickup or delivery), null before. */
  handedOverAt: Date | null;
  items: { skuId: string; productId: string; productName: string; spec: string; category: string; units: number; unitPriceFen: number }[];
};

export async function orderFacts(db: Db, id: string): Promise<OrderFacts | null> {
  const o = await repo.findOrder(db, { id });
  if (!o) return null;
  const items = (await repo.itemsOf(db, [id])).get(id) ?? [];
  return {
    id: o.id, userId: o.userId, storeId: o.storeId, status: o.status, source: o.source, groupBuyId: o.groupBuyId, couponId: o.couponId,
    payableFen: o.payableFen, paymentMethod: o.paymentMethod, handedOverAt: o.pickedUpAt,
    items: items.map((i) => ({ skuId: i.skuId, productId: i.productId, productName: i.productName, spec: i.spec, category: i.category, units: i.units, unitPriceFen: i.unitPriceFen })),
  };
}

/** Orders waiting for pickup at these stores: how many, and the oldest few (the owner's "today"). */
export async function awaitingPickups(db: Db, storeIds: string[], limit: number): Promise<{ count: number; items: { id: string; buyerNickname: string; createdAt: Date; expiresAt: Date; payableFen: number }[] }> {
  if (!storeIds.length) return { count: 0, items: [] };
  const [countRows] = await db.query("SELECT COUNT(*) AS n FROM orders WHERE store_id IN (?) AND status = 'awaiting_pickup'", [storeIds]);
  const [rows] = await db.query(
    `SELECT o.id, u.nickname AS buyerNickname, o.created_at AS createdAt, o.expires_at AS expiresAt, o.payable_fen AS payableFen
     FROM orders o JOIN users u ON u.id = o.user_id WHERE o.store_id IN (?) AND o.status = 'awaiting_pickup' ORDER BY o.created_at LIMIT ?`,
    [storeIds, limit],
  );
  return { count: Number((countRows as { n: number }[])[0].n), items: rows as { id: string; buyerNickname: string; createdAt: Date; expiresAt: Date; payableFen: number }[] };
}
