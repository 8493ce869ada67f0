import type { PoolConnection } from 'mysql2/promise';
import type { Deps } from '../../lib/deps';

/**
 * What other capabilities do to an order's price inside the order's own MySQL transaction:
 * a coupon (coupons module) and a trade-in credit (trade-in module). The orders module calls
 * them; each enforces its own invariant with a conditional UPDATE on `conn` (never a read then
 * a write), so a coupon or a quote is used by one order only.
 */
export type OrderLine = { skuId: string; productId: string; category: string; units: number; unitPriceFen: number };

export type AdjustmentContext = {
  conn: PoolConnection;
  deps: Deps;
  userId: string;
  orderId: string;
  lines: OrderLine[];
  /** Sum of the lines, before any adjustment. */
  itemsFen: number;
  /**
   * The most this adjustment may take off: the items, less what earlier adjustments took, less the
   * payable floor (safeguards.payableFloorBps of the items), so no stack of credits makes an order free.
   */
  roomFen: number;
  now: Date;
};

export type OrderAdjustment = {
  /** Marks the coupon/quote as taken by this order and returns the fen to take off (>= 0); throws AppError (404, 409 codes). */
  apply(ctx: AdjustmentContext, id: string): Promise<number>;
  /** Inside the transaction that cancels or expires the order: gives back what apply took. */
  release(conn: PoolConnection, orderId: string): Promise<void>;
};

export type TradeInInspection = { condition: 'excellent' | 'good' | 'fair' | 'poor'; working: boolean };

export type TradeInAdjustment = OrderAdjustment & {
  /** At pickup: recomputes the credit from what the store saw, with the quote's rule version; returns the final credit in fen. */
  inspect(conn: PoolConnection, orderId: string, inspection: TradeInInspection): Promise<{ quotedFen: number; finalFen: number } | null>;
};
