import type { Deps } from '../../lib/deps';
import type { OutboxEvent, Subscriber } from '../../lib/outbox';
import { paymentMetrics } from './metrics';
import * as repo from './repository';
import { RefundExceedsPaid, requestRefund } from './refunds';
import { syncPayment } from './service';
import { addShipment, itemDescription, LOGISTICS } from './shipping';
import { wechatPay } from './wechatpay';

/**
 * What payments do when other capabilities move an order (through the outbox, at least once: each
 * reaction is idempotent by a guarded update or a refund's unique cause).
 */
const settled = (status: string) => status === 'paid' || status === 'refunding' || status === 'refunded';

/**
 * An order cancelled or expired: an unpaid WeChat transaction is closed so it cannot be paid later
 * (if the user paid first, the payment is taken and refunded, as the order no longer takes it); a
 * paid one is refunded what is left of it.
 */
async function settleClosedOrder(deps: Deps, event: OutboxEvent): Promise<void> {
  const orderId = String(event.payload.orderId);
  const payment = await repo.findPayment(deps.db, { orderId });
  if (!payment || payment.status === 'closed') return;
  if (payment.status === 'created') {
    const outcome = payment.prepayId ? await wechatPay(deps).close(payment.id) : 'closed';
    if (outcome === 'paid') await syncPayment(deps, payment);
    else await repo.markPaymentClosed(deps.db, payment.id);
    return;
  }
  const reason = event.type === 'order.expired' ? '订单超时未取货，款项原路退回' : '订单已取消，款项原路退回';
  await requestRefund(deps, payment.id, { amountFen: 'rest', cause: 'order_closed', causeRef: orderId, reason });
}

/** An after-sales refund (not in cash) of an order paid online goes back through WeChat Pay. */
async function refundAfterSales(deps: Deps, event: OutboxEvent): Promise<void> {
  const { orderId, refundId, amountFen, method } = event.payload as { orderId: string; refundId: string; amountFen: number; method?: string };
  if (method === 'cash' || !Number.isInteger(amountFen) || amountFen <= 0) return;
  const payment = await repo.findPayment(deps.db, { orderId });
  if (!payment || !settled(payment.status)) return;
  try {
    await requestRefund(deps, payment.id, { amountFen, cause: 'after_sales', causeRef: String(refundId), reason: '售后退款' });
  } catch (err) {
    if (!(err instanceof RefundExceedsPaid)) throw err;
    // Retrying cannot make it fit: record it for an operator instead of failing the delivery forever.
    paymentMetrics(deps).refunds.inc({ outcome: 'exceeds_paid' });
    deps.logger.error({ orderId, refundId, amountFen, paymentId: payment.id }, 'after-sales refund larger than what is left of the online payment; not sent');
  }
}

/** Goods handed over or delivered: the platform is told, so the payment's funds are released. */
async function shipOrder(deps: Deps, event: OutboxEvent): Promise<void> {
  const orderId = String(event.payload.orderId);
  const payment = await repo.findPayment(deps.db, { orderId });
  if (!payment || !settled(payment.status)) return;
  const items = (event.payload.items as { name: string; units: number }[] | undefined) ?? [];
  await addShipment(deps, {
    paymentId: payment.id, orderId, logisticsType: event.type === 'order.delivered' ? LOGISTICS.localDelivery : LOGISTICS.selfPickup, itemDesc: itemDescription(items),
  });
}

export const paymentsSubscribers: Subscriber[] = [
  { name: 'payments.settle-closed-order', events: ['order.cancelled', 'order.expired'], handle: settleClosedOrder },
  { name: 'payments.refund-after-sales', events: ['order.refunded'], handle: refundAfterSales },
  { name: 'payments.upload-shipping', events: ['order.picked_up', 'order.delivered'], handle: shipOrder },
];
