import type { Subscriber } from '../../lib/outbox';
import { ACCRUING_EVENTS, REVERSING_EVENTS, accrueCommission, reverseCommission } from './commissions';
import { notifyMembers } from './service';

/** What group-buying does on events: the leader's commission follows real sales; members hear how their group ended. */
export const groupBuySubscribers: Subscriber[] = [
  { name: 'group-buys.accrue-commission', events: [...ACCRUING_EVENTS], handle: accrueCommission },
  { name: 'group-buys.reverse-commission', events: [...REVERSING_EVENTS], handle: reverseCommission },
  { name: 'group-buys.notify-members', events: ['group_buy.settled', 'group_buy.failed'], handle: notifyMembers },
];
