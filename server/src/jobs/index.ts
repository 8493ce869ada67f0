import type { Deps } from '../lib/deps';
import { Lease } from '../lib/lease';
import { expireOverdueOrders } from '../modules/orders/service';
import { reconcileCoupons } from '../modules/coupons/consumer';
import { settleDueGroupBuys } from '../modules/group-buys/service';
import { dispatchOutbox } from '../lib/outbox';
import { subscribers } from '../modules/subscribers';
import { paymentJobs } from '../modules/payments/jobs';
import { escalateOverdueTickets } from '../modules/after-sales/escalation';
import { makeDueReminders } from '../modules/after-sales/reminders';

/** A job that runs on a timer in exactly one process at a time (it holds a lease while it runs). */
export type Job = { name: string; intervalMs: (deps: Deps) => number; run: (deps: Deps) => Promise<void> };

// One line per job; capabilities add theirs.
export const jobs: Job[] = [
  { name: 'reconcile-coupons', intervalMs: (d) => d.config.coupons.reconcileIntervalMs, run: reconcileCoupons },
  { name: 'settle-group-buys', intervalMs: (d) => d.config.groupBuy.settleIntervalMs, run: async (d) => void (await settleDueGroupBuys(d)) },
  { name: 'dispatch-outbox', intervalMs: (d) => d.config.outbox.dispatchIntervalMs, run: async (d) => void (await dispatchOutbox(d, subscribers)) },
  { name: 'expire-orders', intervalMs: (d) => d.config.orders.sweepIntervalMs, run: async (d) => void (await expireOverdueOrders(d)) },
  ...paymentJobs,
  { name: 'escalate-tickets', intervalMs: (d) => d.config.afterSales.escalationSweepMs, run: async (d) => void (await escalateOverdueTickets(d)) },
  { name: 'maintenance-reminders', intervalMs: (d) => d.config.afterSales.reminderSweepMs, run: async (d) => void (await makeDueReminders(d)) },
];

export function startJobs(deps: Deps, list: Job[] = jobs): () => Promise<void> {
  const timers: NodeJS.Timeout[] = [];
  const running = new Set<Promise<void>>();
  let stopped = false;
  for (const job of list) {
    const every = job.intervalMs(deps);
    const lease = new Lease(deps.redis, `job:${job.name}`, Math.max(every * 5, 5000));
    let busy = false;
    const tick = async () => {
      if (busy || stopped) return;
      busy = true;
      try {
        if (await lease.acquire()) await job.run(deps);
      } catch (err) {
        deps.logger.warn({ job: job.name, err: (err as Error).message }, 'job run failed');
      } finally {
        busy = false;
      }
    };
    timers.push(
      setInterval(() => {
        const p = tick();
        running.add(p);
        void p.finally(() => running.delete(p));
      }, every),
    );
  }
  return async () => {
    stopped = true;
    timers.forEach(clearInterval);
    await Promise.allSettled([...running]);
  };
}
