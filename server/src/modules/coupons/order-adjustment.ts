import type { OrderAdjustment } from '../orders/adjustments';
import { conflict, notFound } from '../../lib/errors';
import { couponForOrder, markUsed, releaseForOrder, releaseStillValidForOrder } from './repository';
import { couponDiscount } from './discount';

/**
 * A coupon on an order, inside the order's transaction: threshold, category scope and expiry are
 * checked here, and the coupon becomes used by a conditional UPDATE, so of two orders racing with
 * one coupon, one gets it and the other 409. Cancelling or expiring the order gives it back.
 */
export const couponAdjustment: OrderAdjustment = {
  async apply(ctx, couponId) {
    const c = await couponForOrder(ctx.conn, couponId, ctx.userId);
    if (!c) throw notFound('优惠券不存在');
    if (c.status !== 'unused' || c.expiresAt.getTime() <= ctx.now.getTime()) throw conflict('COUPON_NOT_APPLICABLE', '该券已使用或已过期');
    const discount = couponDiscount(c, ctx.lines);
    if (discount === null) throw conflict('COUPON_NOT_APPLICABLE', '该券不适用于本单');
    if (!(await markUsed(ctx.conn, couponId, ctx.userId, ctx.orderId))) throw conflict('COUPON_NOT_APPLICABLE', '该券已使用或已过期');
    return discount;
  },
  async release(conn, orderId) {
    await releaseForOrder(conn, orderId);
  },
};

/** A refunded order gives its coupon back only while the coupon is still valid (an expired one stays spent). */
export const restoreCouponAfterRefund = releaseStillValidForOrder;
