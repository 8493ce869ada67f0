import type { Deps } from '../../lib/deps';
import type { Counter } from 'prom-client';
import type { SubscribeMessage } from '../../lib/wechat';
import { usersWithRole, contactsOf } from '../auth/roles';
import { moveTicket, KIND_NAMES } from './tickets';
import { gridManagersOfStore } from './grid-repository';
import * as repo from './ticket-repository';
import { shanghaiMinute } from './upkeep';

/**
 * The 24-hour clock. The due time lives in MySQL (tickets.respond_by, indexed with status), so no
 * timer is lost when a process dies: a sweep run by the jobs runner under a Redis lease picks up
 * every submitted ticket past its deadline, and the escalation itself is the guarded move
 * submitted → escalated (a conditional UPDATE): whatever the number of processes or sweeps that
 * see a ticket, one escalates it, once.
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
    const done: string[] = [];
    for (const id of due) {
      const moved = await moveTicket(deps, id, {
        action: 'escalate', actor: 'system', actorUserId: null, scope: { storeIds: null }, set: { escalated_at: 'now' },
        extra: 't.respond_by <= NOW(3)', note: '门店未在约定时间内受理，已升级给网格经理',
      });
      if (moved) done.push(id);
    }
    escalated += done.length;
    breachCounter(deps).inc(done.length);
    await tellEscalations(deps, done);
    if (due.length < BATCH) break;
  }
  return escalated;
}

/** The store's grid managers and every admin hear of each; WeChat refusing one changes nothing. */
async function tellEscalations(deps: Deps, ticketIds: string[]): Promise<void> {
  if (!ticketIds.length) return;
  const admins = await usersWithRole(deps, 'admin');
  const managersOf = new Map<string, Awaited<ReturnType<typeof contactsOf>>>();
  const messages: SubscribeMessage[] = [];
  for (const id of ticketIds) {
    const t = await repo.findTicket(deps.db, id, { storeIds: null });
    if (!t) continue;
    if (!managersOf.has(t.storeId)) managersOf.set(t.storeId, await contactsOf(deps, await gridManagersOfStore(deps.db, t.storeId)));
    const people = new Map([...managersOf.get(t.storeId)!, ...admins].filter((p) => p.openid).map((p) => [p.id, p.openid!]));
    for (const openid of people.values()) {
      messages.push({
        touser: openid, template: 'ticketEscalated', page: `pages/grid/ticket?id=${t.id}`,
        data: { thing1: { value: `${t.storeName}的${KIND_NAMES[t.kind]}工单超时未受理` }, time2: { value: shanghaiMinute(t.respondBy) } },
      });
    }
  }
  // A few at a time: a slow WeChat must not hold the sweep for long.
  for (let i = 0; i < messages.length; i += 8) await Promise.all(messages.slice(i, i + 8).map((m) => deps.wechat.notify(m)));
}
