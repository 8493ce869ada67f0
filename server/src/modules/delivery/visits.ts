import type { Deps } from '../../lib/deps';
import type { AuthUser } from '../../lib/auth';
import { withTransaction } from '../../lib/db';
import { AppError, conflict, notFound } from '../../lib/errors';
import { DEFAULT_LIMIT, pageInMemory, pageOf } from '../../lib/http';
import { newId } from '../../lib/ids';
import { decryptPhone, encryptPhone, hashPhone, maskPhone } from '../../lib/phone';
import { limitFailures, type FailureBudget } from '../../lib/rate-limit';
import { grantRole, userExists } from '../auth/roles';
import { regionPath } from '../regions/service';
import { handOverAtDoor } from '../orders/service';
import type { TradeInInspection } from '../orders/adjustments';
import * as repo from './repository';

/**
 * The store's side of delivery: the owner binds technicians (师傅) to their store and gives them the
 * day's visits; the technician departs, arrives, and completes at the door with the buyer's 6-digit
 * delivery code (wrong codes are limited like pickup codes), or records a no-show. Every step is a
 * conditional UPDATE from the states it may follow; completion hands the order over exactly once
 * (the orders module's `handOverAtDoor`, in the same transaction).
 */
const stateConflict = (message: string) => conflict('VISIT_STATE_CONFLICT', message);

export async function bindTechnician(deps: Deps, owner: AuthUser, input: { storeId: string; userId: string; name: string; phone: string }) {
  if (!(await repo.isStoreOwner(deps.db, owner.id, input.storeId)) || !(await userExists(deps, input.userId))) throw notFound('门店或用户不存在');
  const id = newId();
  const bound = await repo.insertTechnician(deps.db, {
    id, storeId: input.storeId, userId: input.userId, name: input.name, phoneEnc: encryptPhone(deps.config.crypto, input.phone), phoneHash: hashPhone(deps.config.crypto, input.phone),
  });
  if (!bound) throw conflict('TECHNICIAN_ALREADY_BOUND', '该用户已是师傅（每位师傅只属于一家门店）');
  await grantRole(deps, input.userId, 'technician');
  return presentTechnician(deps, (await repo.findTechnician(deps.db, { id }))!);
}

const presentTechnician = (deps: Deps, t: repo.TechnicianRow) => ({
  id: t.id, storeId: t.storeId, userId: t.userId, name: t.name, phoneMasked: maskPhone(decryptPhone(deps.config.crypto, t.phoneEnc)), createdAt: t.createdAt.toISOString(),
});

export async function listTechnicians(deps: Deps, owner: AuthUser, q: { cursor?: string; limit?: number }) {
  const limit = q.limit ?? DEFAULT_LIMIT;
  const page = pageOf(await repo.techniciansOfOwner(deps.db, owner.id, q.cursor ?? null, limit + 1), limit, (t) => t.id);
  return { items: page.items.map((t) => presentTechnician(deps, t)), nextCursor: page.nextCursor };
}

async function presentVisits(deps: Deps, rows: repo.AppointmentRow[], opts: { fullPhone: boolean }) {
  const names = await repo.namesOfTechnicians(deps.db, [...new Set(rows.map((r) => r.technicianId).filter((x): x is string => x !== null))]);
  const paths = new Map(await Promise.all([...new Set(rows.map((r) => r.villageCode))].map(async (c) => [c, await regionPath(deps, c)] as const)));
  return rows.map((a) => {
    const phone = decryptPhone(deps.config.crypto, a.phoneEnc);
    return {
      id: a.id, orderId: a.orderId, storeId: a.storeId, status: a.status, startsAt: a.startsAt.toISOString(), endsAt: a.endsAt.toISOString(),
      tasks: ['deliver', ...(a.install ? ['install'] : []), ...(a.haulAway ? ['haul_away'] : [])] as ('deliver' | 'install' | 'haul_away')[],
      technician: a.technicianId ? { id: a.technicianId, name: names.get(a.technicianId) ?? '' } : null,
      address: { villageCode: a.villageCode, path: paths.get(a.villageCode) ?? '', detail: a.addressDetail },
      contactName: a.contactName,
      ...(opts.fullPhone ? { phone } : {}),
      phoneMasked: maskPhone(phone),
    };
  });
}

export async function listStoreVisits(deps: Deps, owner: AuthUser, q: { date: string; status?: string; cursor?: string; limit?: number }) {
  const rows = await repo.visitsOfDay(deps.db, { ownerId: owner.id, date: q.date, status: q.status });
  return pageInMemory(await presentVisits(deps, rows, { fullPhone: false }), q);
}

export async function assignTechnician(deps: Deps, owner: AuthUser, visitId: string, technicianId: string) {
  if (!(await repo.assignVisit(deps.db, visitId, owner.id, technicianId))) {
    const v = await repo.findVisit(deps.db, visitId);
    if (!v || !(await repo.isStoreOwner(deps.db, owner.id, v.storeId))) throw notFound('预约不存在');
    const t = await repo.findTechnician(deps.db, { id: technicianId });
    if (!t || t.storeId !== v.storeId) throw notFound('本店没有这位师傅');
    throw stateConflict('该预约已结束或已取消，不能派单');
  }
  return (await presentVisits(deps, [(await repo.findVisit(deps.db, visitId))!], { fullPhone: false }))[0];
}

async function technicianOf(deps: Deps, user: AuthUser): Promise<repo.TechnicianRow> {
  const me = await repo.findTechnician(deps.db, { userId: user.id });
  if (!me) throw notFound('您还不是任何门店的师傅');
  return me;
}

export async function listMyTasks(deps: Deps, user: AuthUser, q: { date: string; cursor?: string; limit?: number }) {
  const me = await technicianOf(deps, user);
  return pageInMemory(await presentVisits(deps, await repo.visitsOfDay(deps.db, { technicianId: me.id, date: q.date }), { fullPhone: true }), q);
}

const STEPS = {
  depart: { from: ['assigned'], to: 'en_route', extra: { departed: true } },
  arrive: { from: ['assigned', 'en_route'], to: 'arrived', extra: { arrived: true } },
  'no-show': { from: ['en_route', 'arrived'], to: 'no_show', extra: { closed: true } },
} as const;

async function myTask(deps: Deps, user: AuthUser, id: string) {
  const me = await technicianOf(deps, user);
  const v = await repo.findVisit(deps.db, id);
  if (!v || v.technicianId !== me.id) throw notFound('任务不存在');
  return { me, v };
}

export async function stepTask(deps: Deps, user: AuthUser, id: string, step: keyof typeof STEPS) {
  const { me, v } = await myTask(deps, user, id);
  const s = STEPS[step];
  if (!(await repo.stepVisit(deps.db, id, me.id, [...s.from], s.to, s.extra))) {
    if (v.status === 'completed') throw conflict('ALREADY_COMPLETED', '该任务已完成');
    throw stateConflict('该任务当前不能这样操作，请刷新');
  }
  return (await presentVisits(deps, [(await repo.findVisit(deps.db, id))!], { fullPhone: true }))[0];
}

/** Wrong delivery codes count against these: per technician, consecutive; per store. */
const codeBudgets = (me: repo.TechnicianRow): FailureBudget[] => [
  { name: 'deliveryCodeFailuresPerTechnician', key: me.id, clearedBySuccess: true },
  { name: 'deliveryCodeFailuresPerStore', key: me.storeId, clearedBySuccess: false },
];

export async function completeTask(
  deps: Deps, user: AuthUser, id: string,
  input: { deliveryCode: string; serialNumbers?: string[]; paymentMethod: string; tradeInInspection?: TradeInInspection },
) {
  const { me } = await myTask(deps, user, id);
  await limitFailures(
    deps, codeBudgets(me),
    () => withTransaction(deps.db, async (conn) => {
      const v = (await repo.findVisit(conn, id))!;
      if (v.status === 'completed') throw conflict('ALREADY_COMPLETED', '该任务已完成');
      if (!['assigned', 'en_route', 'arrived'].includes(v.status)) throw stateConflict('该任务已取消或已结束');
      if (v.deliveryCode !== input.deliveryCode) throw new AppError(409, 'DELIVERY_CODE_MISMATCH', '送货码不对，请让顾客出示本单的送货码', [{ path: 'body.deliveryCode', message: "not this order's delivery code" }]);
      // The order first (as a cancel locks it), then the visit; both move exactly once.
      await handOverAtDoor(conn, v.orderId, user.id, { paymentMethod: input.paymentMethod, tradeInInspection: input.tradeInInspection });
      if (!(await repo.stepVisit(conn, id, me.id, ['assigned', 'en_route', 'arrived'], 'completed', { closed: true, serialNumbers: (input.serialNumbers ?? []).join(',') }))) {
        throw conflict('ALREADY_COMPLETED', '该任务已完成');
      }
    }),
    (err) => err instanceof AppError && err.code === 'DELIVERY_CODE_MISMATCH',
    (wait) => `送货码核验失败次数过多，请 ${wait}后再试`,
  );
  return (await presentVisits(deps, [(await repo.findVisit(deps.db, id))!], { fullPhone: true }))[0];
}
