import type { Deps } from '../../lib/deps';
import type { Counter } from 'prom-client';
import { moveTicket } from './tickets';
import * as repo from './ticket-repository';

/**
 * The 24-hour clock. The due time lives in MySQL (tickets.respond_by, indexed with status), so no
 * timer is lost when a process dies: a sweep run by the jobs runner under a Redis lease picks up
 * every submitted ticket past its deadline, and the escalation itself is the guarded move
 * submitted → escalated (a conditional UPDATE): whatever the number of processes or sweeps that
 * see a ticket, one escalates it, once. Its `ticket.escalated` event (outbox) tells the grid
 * managers and admins (notifications.ts).
 */
const BATCH = 200;
/** Enough batches for a backlog; the next run (every escalationSweepMs) takes the rest. */
const MAX_BATCHES = 10;

const breaches = new WeakMap<Deps, Counter>();
const breachCounter = (deps: Deps) => {
  let c = breaches.get(deps);
  if (!c) breaches.set(deps, (c = deps.metrics.counter('after_sales_sla_breaches_total', 'Tickets escalated because the store did not answer by respondBy')));
  return c;
};

export async function escalateOverdueTickets(deps: Deps): Promise<number> {
  let escalated = 0;
  for (let b = 0; b < MAX_BATCHES; b++) {
    const due = await repo.overdueTicketIds(deps.db, BATCH);
    let done = 0;
    for (const id of due) {
      const moved = await moveTicket(deps, id, {
        action: 'escalate', actor: 'system', actorUserId: null, scope: { storeIds: null }, set: { escalated_at: 'now' },
        extra: 't.respond_by <= NOW(3)', note: '门店未在约定时间内受理，已升级给网格经理',
      });
      if (moved) done++;
    }
    escalated += done;
    breachCounter(deps).inc(done);
    if (due.length < BATCH) break;
  }
  return escalated;
}
