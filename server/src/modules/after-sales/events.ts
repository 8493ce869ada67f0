import type { PoolConnection } from 'mysql2/promise';
import { publishEvent } from '../../lib/outbox';
import type { Actor, TicketAction, TicketState } from './ticket-machine';

/**
 * What after-sales tells others (and its own notifications), through the outbox, in the move's
 * transaction: `ticket.<state>` for every move (ticket.submitted, ticket.accepted, ticket.escalated,
 * ticket.scheduled, ticket.resolved, ticket.refunded, ticket.closed, ticket.rejected,
 * ticket.cancelled), with the ticket as it stands after the move. Refunds also publish
 * `order.refunded` (refunds.ts).
 */
export type TicketEventPayload = {
  ticketId: string; userId: string; storeId: string; kind: string; action: TicketAction; actor: Actor;
  fromState: TicketState | null; toState: TicketState; note: string | null; respondBy: string;
};

export async function publishTicketEvent(
  conn: PoolConnection, ticketId: string, move: { action: TicketAction; actor: Actor; fromState: TicketState | null; toState: TicketState; note: string | null },
): Promise<void> {
  const [rows] = await conn.query('SELECT user_id AS userId, store_id AS storeId, kind, respond_by AS respondBy FROM tickets WHERE id = ?', [ticketId]);
  const t = (rows as { userId: string; storeId: string; kind: string; respondBy: Date }[])[0];
  const payload: TicketEventPayload = { ticketId, userId: t.userId, storeId: t.storeId, kind: t.kind, ...move, respondBy: t.respondBy.toISOString() };
  await publishEvent(conn, `ticket.${move.toState}`, ticketId, payload);
}
