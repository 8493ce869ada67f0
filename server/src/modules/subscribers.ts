import type { Subscriber } from '../lib/outbox';

/**
 * Every capability's reactions to other capabilities' events (server/src/lib/outbox.ts), one spread
 * per capability: `...afterSalesSubscribers`. The dispatcher fans each event out to these.
 */
export const subscribers: Subscriber[] = [];
