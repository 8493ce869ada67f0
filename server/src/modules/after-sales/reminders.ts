import type { Deps } from '../../lib/deps';
import type { AuthUser } from '../../lib/auth';
import { withTransaction } from '../../lib/db';
import { AppError, conflict, notFound } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { WechatError } from '../../lib/wechat';
import { contactsOf } from '../auth/roles';
import { CATEGORIES, type Category } from '../catalogue/categories';
import { advanceMaintenance, dueForMaintenance } from './appliance-repository';
import { nextMaintenanceAfter, shanghaiDay } from './upkeep';
import * as repo from './reminder-repository';
import { readableStores } from './scope';

/**
 * Maintenance reminders (保养提醒). A leased job finds appliances whose upkeep falls due within
 * reminderLeadDays and, per appliance, in one transaction moves its next upkeep on (a conditional
 * UPDATE from the cycle it had) and inserts the reminder (unique per appliance and cycle): so each
 * cycle is reminded once, whatever the number of processes or runs. Then each new reminder is
 * claimed (pending → sending) and sent as a subscribe message; a villager who did not subscribe
 * (WeChat 43101) lands on the store's call list (回访名单), where the owner marks them called.
 */
const BATCH = 500;
/** A claim older than this was left by a process that died mid-send. */
const STALE_CLAIM_SECONDS = 300;

export async function makeDueReminders(deps: Deps, now = new Date()): Promise<number> {
  const horizon = new Date(now.getTime() + deps.config.afterSales.reminderLeadDays * 86_400_000);
  let made = 0;
  for (const a of await dueForMaintenance(deps.db, horizon, BATCH)) {
    const due = a.nextMaintenanceAt!;
    const next = nextMaintenanceAfter(deps.config, a.category, a.installedAt, due);
    const took = await withTransaction(deps.db, async (conn) => {
      if (!(await advanceMaintenance(conn, a.id, due, next))) return false;
      await repo.insertReminder(conn, { id: newId(), applianceId: a.id, userId: a.userId, storeId: a.storeId, category: a.category, cycle: shanghaiDay(due), dueAt: due });
      return true;
    });
    if (took) made++;
  }
  await notifyPendingReminders(deps);
  return made;
}

export async function notifyPendingReminders(deps: Deps): Promise<void> {
  await repo.settleStaleClaims(deps.db, STALE_CLAIM_SECONDS);
  const pending = await repo.pendingReminders(deps.db, BATCH);
  const contacts = new Map((await contactsOf(deps, [...new Set(pending.map((r) => r.userId))])).map((c) => [c.id, c.openid]));
  for (const r of pending) {
    if (!(await repo.claimReminder(deps.db, r.id))) continue;
    const openid = contacts.get(r.userId);
    let outcome: 'sent' | 'call_list' | 'unreachable' | 'pending' = r.storeId ? 'call_list' : 'unreachable';
    if (openid) {
      try {
        const sent = await deps.wechat.sendSubscribeMessage({
          touser: openid, template: 'maintenanceDue', page: 'pages/appliances/index',
          data: { thing1: { value: `${r.applianceName}该保养了` }, date2: { value: shanghaiDay(r.dueAt) } },
        });
        if (sent) outcome = 'sent';
      } catch (err) {
        // Not subscribed (or refused): a person calls instead. WeChat unreachable: try again next run.
        if (!(err instanceof WechatError)) outcome = 'pending';
      }
    }
    await repo.settleReminder(deps.db, r.id, outcome);
  }
}

export function presentReminder(r: repo.ReminderRow, opts: { forStore?: boolean } = {}) {
  return {
    id: r.id,
    appliance: { id: r.applianceId, name: r.applianceName, category: r.category, categoryName: CATEGORIES[r.category as Category] ?? r.category },
    storeId: r.storeId,
    cycle: r.cycle,
    dueAt: r.dueAt.toISOString(),
    /** How the villager hears of it: sent (subscribe message), call_list (the store calls), pending, unreachable. */
    channel: r.notifyStatus === 'sending' ? ('pending' as const) : r.notifyStatus,
    notifiedAt: r.notifiedAt?.toISOString() ?? null,
    calledAt: r.calledAt?.toISOString() ?? null,
    callNote: r.callNote,
    customer: opts.forStore ? { nickname: r.customerNickname } : null,
  };
}

export async function listMyReminders(deps: Deps, user: AuthUser, q: { cursor?: string; limit?: number }) {
  const limit = Math.min(q.limit ?? 20, 50);
  const rows = await repo.listUserReminders(deps.db, user.id, q.cursor, limit);
  const page = rows.slice(0, limit);
  return { items: page.map((r) => presentReminder(r)), nextCursor: rows.length > limit ? page[page.length - 1].id : null };
}

/** The call list (回访名单): `status=to_call` (default) or `called`. */
export async function listStoreReminders(deps: Deps, user: AuthUser, q: { status?: 'to_call' | 'called'; cursor?: string; limit?: number }) {
  const limit = Math.min(q.limit ?? 20, 50);
  const scope = await readableStores(deps, user);
  const storeIds = 'storeIds' in scope ? scope.storeIds : [];
  const rows = await repo.listStoreReminders(deps.db, storeIds, { called: (q.status ?? 'to_call') === 'called', cursor: q.cursor, limit });
  const page = rows.slice(0, limit);
  return { items: page.map((r) => presentReminder(r, { forStore: true })), nextCursor: rows.length > limit ? page[page.length - 1].id : null };
}

export async function markReminderCalled(deps: Deps, owner: AuthUser, id: string, note: string | null) {
  const storeIds = owner.roles.includes('store_owner') ? owner.storeIds : [];
  if (!(await repo.markCalled(deps.db, id, storeIds, owner.id, note))) {
    const r = await repo.findReminder(deps.db, id, storeIds);
    if (!r) throw notFound('提醒不存在');
    if (r.calledAt) throw new AppError(409, 'REMINDER_ALREADY_CALLED', '已经回访过了', [{ path: 'calledAt', message: r.calledAt.toISOString() }]);
    throw conflict('REMINDER_NOT_ON_CALL_LIST', '这条提醒已通过微信送达，不在回访名单上');
  }
  return presentReminder((await repo.findReminder(deps.db, id, storeIds))!, { forStore: true });
}
