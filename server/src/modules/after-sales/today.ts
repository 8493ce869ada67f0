import type { Deps } from '../../lib/deps';
import type { AuthUser } from '../../lib/auth';
import { awaitingPickups } from '../orders/lookup';
import * as tickets from './ticket-repository';
import * as reminders from './reminder-repository';
import { listStoreTickets } from './tickets';
import { presentReminder } from './reminders';
import { shanghaiDay } from './upkeep';

/**
 * The store owner's "today" (今日待办), one screen: pickups waiting, today's visits, tickets by
 * deadline, reminders to call. A few of each, with the counts; each links to its full list.
 */
const FEW = 5;
const SHANGHAI_MS = 8 * 3_600_000;

export async function ownerToday(deps: Deps, owner: AuthUser, now = new Date()) {
  const storeIds = owner.storeIds;
  const day = shanghaiDay(now);
  const from = new Date(Date.parse(`${day}T00:00:00Z`) - SHANGHAI_MS);
  const to = new Date(from.getTime() + 86_400_000);
  const [pickups, visits, open, inbox, toCall, toCallCount] = await Promise.all([
    awaitingPickups(deps.db, storeIds, FEW),
    tickets.visitsBetween(deps.db, storeIds, from, to),
    tickets.openCount(deps.db, storeIds),
    listStoreTickets(deps, owner, { status: 'open', limit: FEW }),
    reminders.listStoreReminders(deps.db, storeIds, { called: false, limit: FEW }),
    reminders.countToCall(deps.db, storeIds),
  ]);
  return {
    date: day,
    pickups: {
      count: pickups.count,
      items: pickups.items.map((p) => ({ orderId: p.id, buyerNickname: p.buyerNickname, payableFen: p.payableFen, createdAt: p.createdAt.toISOString(), expiresAt: p.expiresAt.toISOString() })),
    },
    visits: {
      count: visits.length,
      items: visits.slice(0, FEW).map((t) => ({ ticketId: t.id, kind: t.kind, applianceName: t.applianceName, customerNickname: t.customerNickname, startsAt: t.visitStartsAt?.toISOString() ?? null, endsAt: t.visitEndsAt?.toISOString() ?? null })),
    },
    tickets: {
      open: open.open,
      overdue: open.overdue,
      items: inbox.items.map((t) => ({ id: t.id, kind: t.kind, status: t.status, applianceName: t.applianceName, respondBy: t.respondBy, overdue: t.overdue, customerNickname: t.customer?.nickname ?? '' })),
    },
    reminders: { toCall: toCallCount, items: toCall.slice(0, FEW).map((r) => presentReminder(r, { forStore: true })) },
  };
}
