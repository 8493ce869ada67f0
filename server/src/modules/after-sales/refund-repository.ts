import type { PoolConnection } from 'mysql2/promise';

/** The only place that writes `ticket_refunds`. */
export async function insertRefund(conn: PoolConnection, r: { id: string; ticketId: string; orderId: string; amountFen: number; method: string; refundedBy: string }): Promise<void> {
  await conn.query('INSERT INTO ticket_refunds (id, ticket_id, order_id, amount_fen, method, refunded_by) VALUES (?, ?, ?, ?, ?, ?)', [
    r.id, r.ticketId, r.orderId, r.amountFen, r.method, r.refundedBy,
  ]);
}
