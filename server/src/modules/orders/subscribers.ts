import { z } from 'zod';
import type { Subscriber } from '../../lib/outbox';
import { withTransaction } from '../../lib/db';
import { restoreCouponAfterRefund } from '../coupons/order-adjustment';
import * as repo from './repository';

/**
 * The orders module's reactions. `order.refunded` (after-sales refunds a return; payments refunds
 * online): the order becomes `refunded` by a conditional UPDATE, and only the delivery that made
 * that change gives the units and a still-valid coupon back, so a redelivered event, or two
 * refunds racing, restore them once. A trade-in quote stays used: the old appliance is gone.
 */
const Refunded = z.object({ orderId: z.string(), refundId: z.string(), amountFen: z.number().int(), method: z.string() });

export const ordersSubscribers: Subscriber[] = [
  {
    name: 'orders.restore-refunded',
    events: ['order.refunded'],
    handle: async (deps, event) => {
      const refund = Refunded.parse(event.payload);
      await withTransaction(deps.db, async (conn) => {
        if (!(await repo.markRefunded(conn, refund.orderId))) return;
        await repo.returnUnits(conn, refund.orderId);
        await restoreCouponAfterRefund(conn, refund.orderId);
        await repo.insertAudit(conn, {
          orderId: refund.orderId, actorUserId: null, action: 'refund', fromState: null, toState: 'refunded',
          detail: { refundId: refund.refundId, amountFen: refund.amountFen, method: refund.method },
        });
      });
    },
  },
];
