import type { OrderAdjustment } from '../orders/adjustments';
import { notFound } from '../../lib/errors';

// Placeholder until the coupons capability lands: no coupon can be found yet.
export const couponAdjustment: OrderAdjustment = {
  async apply() {
    throw notFound('优惠券不存在');
  },
  async release() {},
};
