import type { Deps } from '../../lib/deps';
import type { AuthUser } from '../../lib/auth';
import { isDuplicateKey } from '../../lib/db';
import { AppError, conflict, notFound } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { publishEvent } from '../../lib/outbox';
import { orderFacts } from '../orders/lookup';
import { getTicket, moveOrExplain } from './tickets';
import { findTicket } from './ticket-repository';
import { insertRefund } from './refund-repository';
import { ownedStores } from './scope';

/**
 * 退货退款: the store pays a returned order back, in cash or by its WeChat QR code at the counter, or
 * (an order paid online) through WeChat Pay, and records it. The ticket's move accepted → refunded, the refund row (unique per ticket and per
 * order) and the `order.refunded` event are one transaction: however many devices or processes
 * press the button, one refund exists and the event is published once. The orders module reacts
 * by giving the units and a still-valid coupon back; group-buy commission is reversed by its own
 * subscriber.
 */
const METHOD_NAMES = { cash: '现金', wechat_qr: '微信收款码', online: '原路退回微信' } as const;

export type RefundBody = { amountFen: number; method: 'cash' | 'wechat_qr' | 'online' };

export async function refundTicket(deps: Deps, owner: AuthUser, id: string, body: RefundBody) {
  const scope = ownedStores(owner);
  const ticket = await findTicket(deps.db, id, scope);
  if (!ticket) throw notFound('工单不存在');
  // Other kinds and states fall through to the guarded move, which answers 409 TICKET_STATE_CONFLICT.
  const order = ticket.kind === 'return' && ticket.orderId ? await orderFacts(deps.db, ticket.orderId) : null;
  // Money goes back the way it came: an order paid online through WeChat Pay (the payments
  // capability refunds it on order.refunded), one paid at the counter at the counter.
  if (order && (order.paymentMethod === 'prepaid') !== (body.method === 'online')) {
    throw new AppError(409, 'REFUND_METHOD_MISMATCH', order.paymentMethod === 'prepaid' ? '线上支付的订单只能原路退回' : '到店支付的订单请用现金或收款码退款', [
      { path: 'body.method', message: order.paymentMethod === 'prepaid' ? 'online' : 'cash or wechat_qr' },
    ]);
  }
  if (order && body.amountFen > order.payableFen) {
    throw new AppError(409, 'REFUND_EXCEEDS_PAID', `退款不能超过实付金额 ¥${(order.payableFen / 100).toFixed(2)}`, [{ path: 'body.amountFen', message: `at most ${order.payableFen}` }]);
  }
  const refundId = newId();
  try {
    await moveOrExplain(deps, id, {
      action: 'refund', actor: 'store', actorUserId: owner.id, scope, set: { resolved_at: 'now' },
      note: `退款 ¥${(body.amountFen / 100).toFixed(2)}（${METHOD_NAMES[body.method]}）`,
      alongside: async (conn) => {
        // A return ticket always names its order (tickets.ts); the move only applies to returns.
        const orderId = ticket.orderId!;
        await insertRefund(conn, { id: refundId, ticketId: id, orderId, amountFen: body.amountFen, method: body.method, refundedBy: owner.id });
        await publishEvent(conn, 'order.refunded', orderId, {
          orderId, refundId, amountFen: body.amountFen, method: body.method, ticketId: id, userId: ticket.userId, storeId: ticket.storeId,
          groupBuyId: order?.groupBuyId ?? null,
        });
      },
    });
  } catch (err) {
    // Another return ticket of the same order was refunded already.
    if (isDuplicateKey(err, 'uq_ticket_refunds_order')) throw conflict('ALREADY_REFUNDED', '这笔订单已经退过款了');
    throw err;
  }
  return getTicket(deps, id, scope, { forStore: true });
}
