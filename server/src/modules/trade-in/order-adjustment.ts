import type { TradeInAdjustment } from '../orders/adjustments';
import { notFound } from '../../lib/errors';

// Placeholder until the trade-in capability lands: no quote can be found yet.
export const tradeInAdjustment: TradeInAdjustment = {
  async apply() {
    throw notFound('以旧换新估价不存在');
  },
  async release() {},
  async inspect() {
    return null;
  },
};
