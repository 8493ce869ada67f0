import type { PoolConnection } from 'mysql2/promise';
import type { Deps } from '../../lib/deps';
import type { AuthUser } from '../../lib/auth';
import { withTransaction } from '../../lib/db';
import { newId } from '../../lib/ids';
import { conflict, notFound } from '../../lib/errors';
import { publishEvent } from '../../lib/outbox';
import type { Transaction } from '../../lib/wechatpay/client';
import { markOrderPaid, orderToPay } from '../orders/service';
import * as repo from './repository';
import { openRefundInTx, submitRefund } from './refunds';
import { asUpstream, wechatPay, WechatPayError } from './wechatpay';

/**
 * Paying an order online with WeChat Pay (JSAPI in the mini-program). The story: the buyer asks to
 * pay; the order's one payment is made (its id is the out_trade_no), a prepay id is got from WeChat
 * Pay and reused while valid, and requestPayment's parameters are signed with the merchant's key.
 * The client's "ok" proves nothing: the payment is paid only when WeChat Pay says so, in a verified
 * notification (notify.ts) or in the answer to a query (the order page polling, a job), and both go
 * through `acceptTrade`: one transaction moving the payment and the order with guarded updates.
 */
const payable = (status: string) => status === 'awaiting_pickup' || status === 'awaiting_delivery';

export async function payOrder(deps: Deps, user: AuthUser, orderId: string) {
  const client = wechatPay(deps);
  const order = await orderToPay(deps, user.id, orderId);
  if (!order) throw notFound('订单不存在');
  if (order.paymentMode !== 'online') throw conflict('ORDER_NOT_PAYABLE', '该订单为到店付款，无需在线支付');
  if (order.paid) throw conflict('ALREADY_PAID', '订单已付款');
  const deadline = new Date(order.createdAt.getTime() + deps.config.wechatPay.payWindowSeconds * 1000);
  // A minute's margin: the user still has to get through the cashier before WeChat's time_expire.
  if (!payable(order.status) || deadline.getTime() <= Date.now() + 60_000) throw conflict('ORDER_NOT_PAYABLE', '订单已关闭或已超过支付时间');
  if (!user.openid) throw conflict('ORDER_NOT_PAYABLE', '请在微信中登录后支付');
  const payment = await repo.ensurePayment(deps.db, {
    id: newId(), orderId, userId: user.id, storeId: order.storeId, amountFen: order.payableFen, payerOpenid: user.openid, payDeadline: deadline,
  });
  if (payment.status === 'closed') throw conflict('ORDER_NOT_PAYABLE', '订单已关闭或已超过支付时间');
  if (payment.status !== 'created') throw conflict('ALREADY_PAID', '订单已付款');

  let prepayId = payment.prepayId && payment.prepayExpiresAt && payment.prepayExpiresAt.getTime() > Date.now() + 60_000 ? payment.prepayId : null;
  if (!prepayId) {
    const description = `${order.storeName}-${order.items.map((i) => i.name).join('、')}`.slice(0, 127);
    try {
      prepayId = await client.prepayJsapi({ outTradeNo: payment.id, description, amountFen: payment.amountFen, openid: payment.payerOpenid, timeExpire: payment.payDeadline });
    } catch (err) {
      if (err instanceof WechatPayError && err.code === 'ORDERPAID') {
        await syncPayment(deps, payment).catch(() => undefined);
        throw conflict('ALREADY_PAID', '订单已付款');
      }
      if (err instanceof WechatPayError && err.code === 'ORDER_CLOSED') throw conflict('ORDER_NOT_PAYABLE', '订单已关闭或已超过支付时间');
      asUpstream(err, deps, 'prepay');
    }
    // Kept a little shorter than WeChat's 2 h, so a reused one never dies in the user's hands.
    await repo.savePrepay(deps.db, payment.id, prepayId, new Date(Date.now() + deps.config.wechatPay.prepayValidSeconds * 1000));
  }
  return {
    paymentId: payment.id,
    amountFen: payment.amountFen,
    params: client.requestPaymentParams(prepayId),
    // The H5 build stands in for the mini-program in development and tests: its "cashier" pays at the emulator.
    h5CashierUrl: deps.config.env === 'production' ? null : `${deps.config.wechatPay.apiBase}/_emulator/pay/${prepayId}`,
  };
}

/** Why WeChat Pay's word about a transaction is not taken for this payment (null when it is). */
export function tradeMismatch(deps: Deps, payment: repo.PaymentRow, trade: Transaction): string | null {
  if (trade.appid !== deps.config.wechat.appId) return 'appid';
  if (trade.mchid !== deps.config.wechatPay.mchId) return 'mchid';
  if (trade.out_trade_no !== payment.id) return 'out_trade_no';
  if (trade.amount?.total !== payment.amountFen) return 'amount';
  if (!trade.transaction_id) return 'transaction_id';
  return null;
}

export const isPaidState = (state: string) => state === 'SUCCESS' || state === 'REFUND';

/**
 * Inside the caller's transaction: the payment becomes paid (once, whichever path gets here first),
 * then the order (once). An order that no longer takes the payment (cancelled, expired, handed over
 * and paid at the counter) gets its money back: a refund is opened in the same transaction.
 * Returns whether this call moved the payment, and the refund to submit after the commit.
 */
export async function acceptTradeInTx(conn: PoolConnection, payment: repo.PaymentRow, trade: Transaction): Promise<{ moved: boolean; refundId: string | null }> {
  const paidAt = trade.success_time ? new Date(trade.success_time) : new Date();
  if (!(await repo.markPaymentPaid(conn, payment.id, trade.transaction_id!, Number.isNaN(paidAt.getTime()) ? new Date() : paidAt))) return { moved: false, refundId: null };
  const accepted = await markOrderPaid(conn, payment.orderId, payment.id);
  await publishEvent(conn, 'payment.paid', payment.id, {
    paymentId: payment.id, orderId: payment.orderId, userId: payment.userId, storeId: payment.storeId, amountFen: payment.amountFen, transactionId: trade.transaction_id, accepted,
  });
  const refundId = accepted ? null : await openRefundInTx(conn, { ...payment, status: 'paid' }, { amountFen: payment.amountFen, cause: 'order_closed', causeRef: payment.orderId, reason: '订单已关闭，款项原路退回' });
  return { moved: true, refundId };
}

/** Asks WeChat Pay about a payment still waiting and applies what it says (the same guarded update as a notification). */
export async function syncPayment(deps: Deps, payment: repo.PaymentRow): Promise<void> {
  const trade = await wechatPay(deps).queryByOutTradeNo(payment.id);
  if (!trade || !isPaidState(trade.trade_state)) return;
  const why = tradeMismatch(deps, payment, trade);
  if (why) {
    deps.logger.error({ paymentId: payment.id, why }, 'WeChat Pay reports a transaction that does not match the payment; left for reconciliation');
    return;
  }
  const { refundId } = await withTransaction(deps.db, (conn) => acceptTradeInTx(conn, payment, trade));
  if (refundId) void submitRefund(deps, refundId);
}

export function presentPayment(p: repo.PaymentRow, refunds: repo.RefundRow[]) {
  return {
    id: p.id,
    orderId: p.orderId,
    status: p.status,
    amountFen: p.amountFen,
    refundedFen: p.refundedFen,
    paidAt: p.paidAt ? p.paidAt.toISOString() : null,
    refunds: refunds.map((r) => ({
      id: r.id, amountFen: r.amountFen, reason: r.reason,
      status: r.status === 'requested' ? 'processing' : r.status,
      createdAt: r.createdAt.toISOString(), succeededAt: r.succeededAt ? r.succeededAt.toISOString() : null,
    })),
  };
}

/**
 * The caller's payment. While it waits, WeChat Pay is asked (at most every 2 s per payment across
 * processes), so the order page learns of a payment whose notification is late or lost.
 */
export async function getPayment(deps: Deps, user: AuthUser, where: { id?: string; orderId?: string }) {
  let p = await repo.findPayment(deps.db, { ...where, userId: user.id });
  if (!p) throw notFound('没有找到该支付');
  if (p.status === 'created' && p.prepayId && (await repo.claimQuery(deps.db, p.id, 2))) {
    try {
      await syncPayment(deps, p);
    } catch (err) {
      // The stored state is still the truth we have: the poll goes on.
      deps.logger.warn({ paymentId: p.id, err: (err as Error).message }, 'payment query failed');
    }
    p = (await repo.findPayment(deps.db, { id: p.id }))!;
  }
  return presentPayment(p, await repo.refundsOf(deps.db, p.id));
}
