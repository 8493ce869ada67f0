import type { PoolConnection } from 'mysql2/promise';
import type { Deps } from '../../lib/deps';
import { withTransaction } from '../../lib/db';
import { newId } from '../../lib/ids';
import { publishEvent } from '../../lib/outbox';
import type { RefundStatus as WechatRefundStatus } from '../../lib/wechatpay/client';
import { paymentMetrics } from './metrics';
import * as repo from './repository';
import { wechatPay, WechatPayError } from './wechatpay';

/**
 * Refunds. Each has its own out_refund_no (its id) and one cause (an order closed after it was
 * paid, or an after-sales refund), so an event handled twice opens one refund. Opening reserves the
 * amount on the payment with a conditional UPDATE: several partial refunds per payment, never more
 * than paid in all. The refund is "done" only when WeChat Pay says SUCCESS (answer, query or
 * notification); CLOSED gives the reservation back, ABNORMAL keeps it and waits for an operator.
 * A request WeChat did not acknowledge (network, 5xx) stays `requested` and the job asks again with
 * the same out_refund_no, which WeChat treats as the same refund.
 */
export type RefundCause = 'order_closed' | 'after_sales';

/** The wait before asking WeChat again: the configured base, doubling, at most an hour. */
export const retryDelaySeconds = (deps: Deps, attempts: number) => Math.min(3600, deps.config.wechatPay.retryBaseSeconds * 2 ** Math.min(attempts, 12));

/** Inside the caller's transaction; returns the refund's id, or null when this cause already has one or nothing is left to refund. */
export async function openRefundInTx(
  conn: PoolConnection, payment: Pick<repo.PaymentRow, 'id' | 'orderId' | 'amountFen' | 'status'>,
  r: { amountFen: number; cause: RefundCause; causeRef: string; reason: string },
): Promise<string | null> {
  const id = newId();
  if (r.amountFen <= 0) return null;
  if (!(await repo.insertRefund(conn, { id, paymentId: payment.id, orderId: payment.orderId, amountFen: r.amountFen, reason: r.reason, cause: r.cause, causeRef: r.causeRef }))) return null;
  if (!(await repo.reserveRefund(conn, payment.id, r.amountFen))) throw new RefundExceedsPaid(payment.id, r.amountFen);
  return id;
}

export class RefundExceedsPaid extends Error {
  constructor(paymentId: string, fen: number) {
    super(`refund of ${fen} fen would exceed what payment ${paymentId} has left`);
  }
}

/**
 * Opens a refund for a cause and submits it. Idempotent per cause. An amount larger than what is
 * left is refused (RefundExceedsPaid) and nothing is stored.
 */
export async function requestRefund(deps: Deps, paymentId: string, r: { amountFen: number | 'rest'; cause: RefundCause; causeRef: string; reason: string }): Promise<string | null> {
  const refundId = await withTransaction(deps.db, async (conn) => {
    const payment = await repo.findPayment(conn, { id: paymentId }, true);
    if (!payment || !['paid', 'refunding', 'refunded'].includes(payment.status)) return null;
    const amountFen = r.amountFen === 'rest' ? payment.amountFen - payment.refundReservedFen : r.amountFen;
    return openRefundInTx(conn, payment, { ...r, amountFen });
  });
  if (refundId) await submitRefund(deps, refundId);
  return refundId;
}

/** Sends a refund to WeChat Pay (again, with the same out_refund_no, if it was not acknowledged) and applies the answer. Never throws for WeChat's failures. */
export async function submitRefund(deps: Deps, refundId: string): Promise<void> {
  const refund = await repo.findRefund(deps.db, { id: refundId });
  if (!refund || refund.status !== 'requested') return;
  const payment = (await repo.findPayment(deps.db, { id: refund.paymentId }))!;
  try {
    const view = await wechatPay(deps).refund({ outTradeNo: payment.id, outRefundNo: refund.id, reason: refund.reason, refundFen: refund.amountFen, totalFen: payment.amountFen });
    await applyRefundStatus(deps, refund, view.status, view.refund_id);
  } catch (err) {
    if (err instanceof WechatPayError && err.status < 500) {
      // WeChat refused it for good (more than is left there, an unknown trade): the reservation goes back.
      deps.logger.error({ refundId, code: err.code, err: err.message }, 'WeChat Pay refused a refund');
      await withTransaction(deps.db, async (conn) => {
        if (await repo.endRefund(conn, refund.id, 'failed', null, `${err.code}: ${err.message}`)) await repo.settleRefundOnPayment(conn, refund.paymentId, 'released', refund.amountFen);
      });
      paymentMetrics(deps).refunds.inc({ outcome: 'failed' });
      return;
    }
    await repo.deferRefund(deps.db, refund.id, retryDelaySeconds(deps, refund.attempts), (err as Error).message);
  }
}

/** Applies WeChat Pay's word about a refund: processing, or its end (once), with the payment's amounts. */
export async function applyRefundStatus(deps: Deps, refund: repo.RefundRow, status: WechatRefundStatus, wechatRefundId: string | null, inTx?: PoolConnection): Promise<boolean> {
  if (status === 'PROCESSING') {
    await repo.markRefundProcessing(inTx ?? deps.db, refund.id, wechatRefundId ?? '', retryDelaySeconds(deps, refund.attempts + 1));
    return false;
  }
  const to = status === 'SUCCESS' ? 'success' : status === 'CLOSED' ? 'closed' : 'abnormal';
  const apply = async (conn: PoolConnection) => {
    if (!(await repo.endRefund(conn, refund.id, to, wechatRefundId))) return false;
    await repo.settleRefundOnPayment(conn, refund.paymentId, to === 'success' ? 'success' : to === 'closed' ? 'released' : 'stuck', refund.amountFen);
    if (to === 'success') {
      const p = (await repo.findPayment(conn, { id: refund.paymentId }))!;
      await publishEvent(conn, 'payment.refunded', refund.paymentId, {
        paymentId: refund.paymentId, orderId: refund.orderId, refundId: refund.id, amountFen: refund.amountFen, cause: refund.cause, causeRef: refund.causeRef,
        refundedFen: p.refundedFen, fullyRefunded: p.status === 'refunded',
      });
    }
    return true;
  };
  const moved = inTx ? await apply(inTx) : await withTransaction(deps.db, apply);
  if (moved) {
    paymentMetrics(deps).refunds.inc({ outcome: to });
    if (to === 'abnormal') deps.logger.error({ refundId: refund.id, paymentId: refund.paymentId }, 'refund ABNORMAL at WeChat Pay (the card may be frozen): needs an operator');
  }
  return moved;
}

/** The job: refunds not acknowledged are sent again; refunds processing are asked about. */
export async function followRefunds(deps: Deps, limit = 100): Promise<number> {
  const due = await repo.dueRefunds(deps.db, limit);
  for (const refund of due) {
    if (refund.status === 'requested') {
      await submitRefund(deps, refund.id);
      continue;
    }
    try {
      const view = await wechatPay(deps).queryRefund(refund.id);
      if (!view) await repo.deferRefund(deps.db, refund.id, retryDelaySeconds(deps, refund.attempts), 'WeChat Pay does not know this refund');
      else if (view.status === 'PROCESSING') await repo.deferRefund(deps.db, refund.id, retryDelaySeconds(deps, refund.attempts), null);
      else await applyRefundStatus(deps, refund, view.status, view.refund_id);
    } catch (err) {
      await repo.deferRefund(deps.db, refund.id, retryDelaySeconds(deps, refund.attempts), (err as Error).message);
    }
  }
  return due.length;
}
