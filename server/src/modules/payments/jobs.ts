import type { Deps } from '../../lib/deps';
import type { Job } from '../../jobs';
import { expireUnpaidOnlineOrder, unpaidOnlineOrders } from '../orders/service';
import * as repo from './repository';
import { reconcileYesterday } from './reconcile';
import { followRefunds } from './refunds';
import { syncPayment } from './service';
import { uploadDueShipments } from './shipping';
import { wechatPay, wechatPayConfigured } from './wechatpay';

/**
 * The payments module's timers. Each runs under a lease (one process at a time) and is idempotent
 * anyway: every change is a guarded update, so a lease that lapses mid-run does no harm.
 */

/** Payments still waiting a while after their prepay: their notification may be lost, WeChat Pay is asked. */
export async function queryPendingPayments(deps: Deps): Promise<void> {
  const cutoff = new Date(Date.now() - deps.config.wechatPay.queryPendingAfterSeconds * 1000);
  for (const p of await repo.pendingPayments(deps.db, cutoff, 100)) {
    if (!(await repo.claimQuery(deps.db, p.id, 60))) continue;
    await syncPayment(deps, p).catch((err: Error) => deps.logger.warn({ paymentId: p.id, err: err.message }, 'pending payment query failed'));
  }
}

/**
 * Online orders not paid within their window: WeChat Pay's side is closed first (it refuses the
 * payment after time_expire anyway; if the user paid just before, the payment is taken instead),
 * then the order expires through the orders service, giving back units, coupon and quote.
 */
export async function closeUnpaidOrders(deps: Deps): Promise<void> {
  const cutoff = new Date(Date.now() - deps.config.wechatPay.payWindowSeconds * 1000);
  for (const orderId of await unpaidOnlineOrders(deps, cutoff)) {
    const payment = await repo.findPayment(deps.db, { orderId });
    if (payment?.status === 'created') {
      try {
        const outcome = payment.prepayId ? await wechatPay(deps).close(payment.id) : 'closed';
        if (outcome === 'paid') {
          await syncPayment(deps, payment);
          continue;
        }
        await repo.markPaymentClosed(deps.db, payment.id);
      } catch (err) {
        deps.logger.warn({ orderId, err: (err as Error).message }, 'could not close the WeChat Pay transaction; the order stays for the next run');
        continue;
      }
    }
    await expireUnpaidOnlineOrder(deps, orderId, cutoff);
  }
}

const configured = (run: (deps: Deps) => Promise<unknown>) => async (deps: Deps) => {
  if (wechatPayConfigured(deps)) await run(deps);
};
const every = (deps: Deps) => deps.config.wechatPay.jobIntervalMs;

export const paymentJobs: Job[] = [
  { name: 'payments-query-pending', intervalMs: every, run: configured(queryPendingPayments) },
  { name: 'payments-close-unpaid', intervalMs: every, run: configured(closeUnpaidOrders) },
  { name: 'payments-follow-refunds', intervalMs: every, run: configured(followRefunds) },
  { name: 'payments-upload-shipping', intervalMs: every, run: configured(uploadDueShipments) },
  { name: 'payments-reconcile', intervalMs: (d) => Math.max(60_000, every(d)), run: configured(reconcileYesterday) },
];
