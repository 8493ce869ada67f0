import type { Subscriber } from '../lib/outbox';
import { afterSalesSubscribers } from './after-sales/subscribers';
import { ordersSubscribers } from './orders/subscribers';
import { groupBuySubscribers } from './group-buys/subscribers';
import { paymentsSubscribers } from './payments/subscribers';

/**
 * Every capability's reactions to other capabilities' events (server/src/lib/outbox.ts), one spread
 * per capability: `...afterSalesSubscribers`. The dispatcher fans each event out to these.
 */
export const subscribers: Subscriber[] = [...ordersSubscribers, ...afterSalesSubscribers, ...groupBuySubscribers, ...paymentsSubscribers];
