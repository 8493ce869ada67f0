import type { Deps } from '../../lib/deps';
import type { AuthUser } from '../../lib/auth';
import type { OutboxEvent } from '../../lib/outbox';
import { withTransaction } from '../../lib/db';
import { newId } from '../../lib/ids';
import type { OrderEventPayload } from '../orders/events';
import * as repo from './commission-repository';

/**
 * The leader's commission, earned on real sales only. Settling a group makes orders, not money: a
 * group order accrues its leader's commission when it is picked up or delivered, and a cancel, an
 * expiry or a refund reverses it. The orders module tells us through the outbox; each event is
 * handled at least once and in no guaranteed order, so:
 * - one accrual and one reversal per order at most (a unique key): a replay changes nothing;
 * - a reversal takes back what accrued, and when it comes first it closes the order's ledger with
 *   0, so an accrual delivered late can never bring the commission back.
 */
export const ACCRUING_EVENTS = ['order.picked_up', 'order.delivered'] as const;
export const REVERSING_EVENTS = ['order.cancelled', 'order.expired', 'order.refunded'] as const;

export const commissionRateBp = (deps: Deps, storeId: string) =>
  Math.round((deps.config.groupBuy.commissionRate[storeId] ?? deps.config.groupBuy.commissionRate.default ?? 0) * 10_000);

export async function accrueCommission(deps: Deps, event: OutboxEvent): Promise<void> {
  const p = event.payload as OrderEventPayload;
  if (!p.groupBuyId) return;
  const group = await repo.groupOf(deps.db, p.groupBuyId);
  if (!group) return;
  const rateBp = commissionRateBp(deps, group.storeId);
  await withTransaction(deps.db, (conn) =>
    repo.insertAccrual(conn, {
      id: newId(), leaderId: group.leaderId, groupBuyId: p.groupBuyId!, orderId: p.orderId, storeId: group.storeId, cause: event.type, eventId: event.id,
      salesFen: p.payableFen, rateBp, amountFen: Math.floor((p.payableFen * rateBp) / 10_000),
    }),
  );
}

export async function reverseCommission(deps: Deps, event: OutboxEvent): Promise<void> {
  const p = event.payload as OrderEventPayload;
  if (!p.groupBuyId) return;
  const group = await repo.groupOf(deps.db, p.groupBuyId);
  if (!group) return;
  await withTransaction(deps.db, (conn) =>
    repo.insertReversal(conn, {
      id: newId(), leaderId: group.leaderId, groupBuyId: p.groupBuyId!, orderId: p.orderId, storeId: group.storeId, cause: event.type, eventId: event.id,
      rateBp: commissionRateBp(deps, group.storeId),
    }),
  );
}

/** The ledger as the leader sees it: newest first, entries that moved money only. */
export async function myCommissions(deps: Deps, leader: AuthUser, q: { cursor?: string; limit?: number }) {
  const limit = Math.min(q.limit ?? 20, 100);
  const rows = await repo.entriesOf(deps.db, leader.id, q.cursor, limit + 1);
  const page = rows.slice(0, limit);
  return {
    items: page.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() })),
    totalFen: await repo.totalOf(deps.db, leader.id),
    nextCursor: rows.length > limit ? page[page.length - 1].id : null,
  };
}
