import { createHash } from 'node:crypto';
import type { PoolConnection } from 'mysql2/promise';
import type { Deps } from '../../lib/deps';
import type { AuthUser } from '../../lib/auth';
import { withTransaction, isDuplicateKey } from '../../lib/db';
import { AppError, conflict, notFound, validationFailed } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { orderFacts, type OrderFacts } from '../orders/lookup';
import { getStore } from '../stores/service';
import { findAppliance } from './appliance-repository';
import { fromStates, kindAllows, OPEN_STATES, TRANSITIONS, type Actor, type TicketAction, type TicketKind, type TicketState } from './ticket-machine';
import * as repo from './ticket-repository';
import { ownedStores, readableStores } from './scope';
import { publishTicketEvent } from './events';
import { attachPhotos, photosOfTickets, type PhotoRow } from './photos/repository';
import { photoUrl, presentPhoto } from './photos/service';

/**
 * Service tickets. A villager opens one from an appliance or an order; the store answers within
 * afterSales.respondWithinSeconds or the ticket escalates; every move is one guarded transition
 * (ticket-machine.ts) with one line in the ticket's append-only history.
 */
export type OpenTicketBody = { kind: TicketKind; applianceId?: string | null; orderId?: string | null; storeId?: string | null; description: string; photoIds?: string[] };

/** Orders whose goods reached the buyer: only these can be returned or exchanged. */
const HANDED_OVER = ['picked_up', 'delivered'];

const DAY_MS = 86_400_000;

function requestHash(body: OpenTicketBody): string {
  return createHash('sha256')
    .update(JSON.stringify([body.kind, body.applianceId ?? null, body.orderId ?? null, body.storeId ?? null, body.description, body.photoIds ?? []]))
    .digest('hex');
}

/** Returns within returnWindowDays of the handover, exchanges for a quality problem within exchangeWindowDays. */
function checkWindow(deps: Deps, kind: TicketKind, order: OrderFacts, now: Date): void {
  if (kind !== 'return' && kind !== 'exchange') return;
  if (!HANDED_OVER.includes(order.status) || !order.handedOverAt) throw conflict('ORDER_NOT_HANDED_OVER', '商品还没有交到您手上，不能退换；可以直接取消订单');
  const days = kind === 'return' ? deps.config.afterSales.returnWindowDays : deps.config.afterSales.exchangeWindowDays;
  if (now.getTime() > order.handedOverAt.getTime() + days * DAY_MS) {
    throw conflict('AFTER_SALES_WINDOW_CLOSED', kind === 'return' ? `已超过${days}天退货期，可以申请维修` : `已超过${days}天换货期，可以申请维修`);
  }
}

/** Where the ticket goes and what it is about, from the appliance and/or the order the villager picked. */
async function resolveSubject(deps: Deps, user: AuthUser, body: OpenTicketBody, now: Date) {
  if (!body.applianceId && !body.orderId) throw validationFailed([{ path: 'body', message: 'applianceId or orderId is required' }], '请选择家电或订单');
  const appliance = body.applianceId ? await findAppliance(deps.db, body.applianceId, user.id) : null;
  if (body.applianceId && !appliance) throw notFound('找不到这件家电');
  const orderId = body.orderId ?? appliance?.orderId ?? null;
  if (appliance && body.orderId && appliance.orderId !== body.orderId) {
    throw validationFailed([{ path: 'body.orderId', message: 'the appliance did not come with this order' }]);
  }
  const order = orderId ? await orderFacts(deps.db, orderId) : null;
  if (orderId && (!order || order.userId !== user.id)) throw notFound('订单不存在');
  if ((body.kind === 'return' || body.kind === 'exchange') && !order) {
    throw validationFailed([{ path: 'body.orderId', message: 'a return or an exchange needs the order it came with' }]);
  }
  if (order) checkWindow(deps, body.kind, order, now);
  const storeId = order?.storeId ?? appliance?.storeId ?? body.storeId ?? null;
  if (!storeId) throw validationFailed([{ path: 'body.storeId', message: 'choose the store that should come' }]);
  if (body.storeId && body.storeId !== storeId) throw validationFailed([{ path: 'body.storeId', message: 'the order or appliance belongs to another store' }]);
  await getStore(deps, storeId);
  // Returns and exchanges are of a whole order; other kinds of one appliance (or of an order's goods).
  const openKey = body.kind === 'return' || body.kind === 'exchange' || !appliance ? `${body.kind}:order:${orderId}` : `${body.kind}:appliance:${appliance.id}`;
  return { storeId, orderId, applianceId: appliance?.id ?? null, openKey };
}

export async function openTicket(deps: Deps, user: AuthUser, idemKey: string | null, body: OpenTicketBody) {
  const hash = requestHash(body);
  if (idemKey) {
    const prior = await repo.findByIdempotencyKey(deps.db, user.id, idemKey);
    if (prior) return replay(deps, prior, hash);
  }
  const now = new Date();
  const subject = await resolveSubject(deps, user, body, now);
  const id = newId();
  try {
    await withTransaction(deps.db, async (conn) => {
      await repo.insertTicket(conn, {
        id, userId: user.id, storeId: subject.storeId, kind: body.kind, applianceId: subject.applianceId, orderId: subject.orderId,
        description: body.description, openKey: subject.openKey, idemKey, requestHash: hash,
        respondBy: new Date(now.getTime() + deps.config.afterSales.respondWithinSeconds * 1000),
      });
      await repo.insertEvent(conn, { ticketId: id, seq: 1, actorUserId: user.id, actor: 'villager', action: 'submit', fromState: null, toState: 'submitted', note: null });
      await publishTicketEvent(conn, id, { action: 'submit', actor: 'villager', fromState: null, toState: 'submitted', note: null });
      await takePhotos(conn, id, user.id, body.photoIds ?? []);
    });
  } catch (err) {
    // A concurrent retry with the same key can hit either unique key first: the key decides.
    if (idemKey && isDuplicateKey(err)) {
      const prior = await repo.findByIdempotencyKey(deps.db, user.id, idemKey);
      if (prior) return replay(deps, prior, hash);
    }
    if (isDuplicateKey(err, 'uq_tickets_open_key')) {
      const open = await repo.findOpenByKey(deps.db, subject.openKey);
      throw new AppError(409, 'TICKET_ALREADY_OPEN', '这件事已经有一张处理中的工单', open ? [{ path: 'ticketId', message: open.id }] : []);
    }
    throw err;
  }
  return getTicket(deps, id, { userId: user.id });
}

/** The villager's own photos, not yet on another ticket, or the whole change is undone. */
async function takePhotos(conn: PoolConnection, ticketId: string, userId: string, photoIds: string[]): Promise<void> {
  const unique = [...new Set(photoIds)];
  if ((await attachPhotos(conn, ticketId, userId, unique)) !== unique.length) {
    throw new AppError(409, 'PHOTO_NOT_AVAILABLE', '照片不存在或已用于其他工单', [{ path: 'body.photoIds', message: 'unknown, not yours, or on another ticket' }]);
  }
}

async function replay(deps: Deps, prior: repo.TicketRow, hash: string) {
  if (prior.requestHash !== hash) throw new AppError(422, 'IDEMPOTENCY_KEY_REUSED', '该请求编号已用于另一张工单');
  return getTicket(deps, prior.id, { userId: prior.userId });
}

export type Move = {
  action: TicketAction; actor: Actor; actorUserId: string | null; scope: repo.Scope; set?: repo.MoveSet; note?: string | null; extra?: string;
  /** What else the move writes, in its transaction (a refund and its event): throwing undoes the move. */
  alongside?: (conn: PoolConnection) => Promise<void>;
};

/**
 * One guarded transition and its history line, in one transaction. A ticket outside the scope is
 * 404; one whose state (or kind) does not allow the move is 409 TICKET_STATE_CONFLICT, naming the
 * state it is in.
 */
export async function moveTicket(deps: Deps, id: string, m: Move): Promise<{ fromState: TicketState; toState: TicketState } | null> {
  const t = TRANSITIONS[m.action];
  if (!t.by.includes(m.actor)) throw new Error(`${m.actor} cannot ${m.action}`);
  return withTransaction(deps.db, async (conn) => {
    const moved = await repo.moveTicket(conn, { id, from: fromStates(m.action), to: t.to, kinds: t.kinds, scope: m.scope, set: m.set ?? {}, extra: m.extra });
    if (!moved) return null;
    if (m.alongside) await m.alongside(conn);
    await repo.insertEvent(conn, { ticketId: id, seq: moved.version, actorUserId: m.actorUserId, actor: m.actor, action: m.action, fromState: moved.fromState, toState: t.to, note: m.note ?? null });
    await publishTicketEvent(conn, id, { action: m.action, actor: m.actor, fromState: moved.fromState, toState: t.to, note: m.note ?? null });
    return { fromState: moved.fromState, toState: t.to };
  });
}

export async function moveOrExplain(deps: Deps, id: string, m: Move) {
  const moved = await moveTicket(deps, id, m);
  if (moved) return moved;
  const current = await repo.findTicket(deps.db, id, m.scope);
  if (!current) throw notFound('工单不存在');
  const why = kindAllows(current.kind, m.action) ? `工单${STATE_NAMES[current.status]}，不能${ACTION_NAMES[m.action]}` : `${KIND_NAMES[current.kind]}工单不能${ACTION_NAMES[m.action]}`;
  throw new AppError(409, 'TICKET_STATE_CONFLICT', why, [{ path: 'status', message: current.status }]);
}

export const KIND_NAMES: Record<TicketKind, string> = { repair: '报修', return: '退货', exchange: '换货', install_issue: '安装问题', maintenance: '保养' };
export const STATE_NAMES: Record<TicketState, string> = {
  submitted: '待受理', escalated: '已超时升级', accepted: '已受理', scheduled: '已预约上门', resolved: '已处理', refunded: '已退款',
  closed: '已完成', rejected: '已驳回', cancelled: '已取消',
};
const ACTION_NAMES: Record<TicketAction, string> = {
  submit: '提交', escalate: '升级', accept: '受理', reject: '驳回', schedule: '预约上门', resolve: '标记处理完成', refund: '退款', rate: '评价', cancel: '取消',
};

// What the villager does.

export async function cancelMyTicket(deps: Deps, user: AuthUser, id: string, reason: string | null) {
  await moveOrExplain(deps, id, { action: 'cancel', actor: 'villager', actorUserId: user.id, scope: { userId: user.id }, note: reason });
  return getTicket(deps, id, { userId: user.id });
}

export type Rating = { stars: number; comment?: string | null; showOnWall?: boolean; photoId?: string | null };

export async function rateMyTicket(deps: Deps, user: AuthUser, id: string, rating: Rating) {
  if (rating.showOnWall && !rating.photoId) throw validationFailed([{ path: 'body.showOnWall', message: 'a photoId is needed to show on the wall' }], '上照片墙需要一张照片');
  await moveOrExplain(deps, id, {
    action: 'rate', actor: 'villager', actorUserId: user.id, scope: { userId: user.id },
    set: {
      closed_at: 'now', rated_at: 'now', rating_stars: rating.stars, rating_comment: rating.comment ?? null, rating_photo_id: rating.photoId ?? null,
      wall_status: rating.showOnWall ? 'pending' : null,
    },
    note: `${rating.stars}星${rating.comment ? `：${rating.comment}` : ''}`,
    alongside: (conn) => takePhotos(conn, id, user.id, rating.photoId ? [rating.photoId] : []),
  });
  return getTicket(deps, id, { userId: user.id });
}

// What the store does.

export async function acceptTicket(deps: Deps, owner: AuthUser, id: string, note: string | null) {
  await moveOrExplain(deps, id, { action: 'accept', actor: 'store', actorUserId: owner.id, scope: ownedStores(owner), set: { accepted_at: 'now' }, note });
  return getTicket(deps, id, ownedStores(owner), { forStore: true });
}

export async function rejectTicket(deps: Deps, owner: AuthUser, id: string, reason: string) {
  await moveOrExplain(deps, id, { action: 'reject', actor: 'store', actorUserId: owner.id, scope: ownedStores(owner), set: { closed_at: 'now', reject_reason: reason }, note: reason });
  return getTicket(deps, id, ownedStores(owner), { forStore: true });
}

export async function resolveTicket(deps: Deps, owner: AuthUser, id: string, note: string | null) {
  await moveOrExplain(deps, id, { action: 'resolve', actor: 'store', actorUserId: owner.id, scope: ownedStores(owner), set: { resolved_at: 'now' }, note });
  return getTicket(deps, id, ownedStores(owner), { forStore: true });
}

// Reading.

export async function getTicket(deps: Deps, id: string, scope: repo.Scope, opts: { forStore?: boolean } = {}) {
  const row = await repo.findTicket(deps.db, id, scope);
  if (!row) throw notFound('工单不存在');
  const events = (await repo.eventsOf(deps.db, [id])).get(id) ?? [];
  return presentTicket(deps, row, events, await photosOfTickets(deps.db, [id]), opts);
}

export const getMyTicket = (deps: Deps, user: AuthUser, id: string) => getTicket(deps, id, { userId: user.id });

export async function getStoreTicket(deps: Deps, user: AuthUser, id: string) {
  return getTicket(deps, id, await readableStores(deps, user), { forStore: true });
}

export async function listMyTickets(deps: Deps, user: AuthUser, q: { status?: TicketState; cursor?: string; limit?: number }) {
  const limit = Math.min(q.limit ?? 20, 50);
  const rows = await repo.listUserTickets(deps.db, user.id, { status: q.status, cursor: q.cursor, limit });
  const page = rows.slice(0, limit);
  const [events, photos] = await Promise.all([repo.eventsOf(deps.db, page.map((t) => t.id)), photosOfTickets(deps.db, page.map((t) => t.id))]);
  return { items: page.map((t) => presentTicket(deps, t, events.get(t.id) ?? [], photos)), nextCursor: rows.length > limit ? page[page.length - 1].id : null };
}

/** The inbox: `status=open` (default) is everything waiting for the store, nearest deadline first. */
export async function listStoreTickets(deps: Deps, user: AuthUser, q: { status?: TicketState | 'open' | 'all'; storeId?: string; wall?: 'pending' | 'approved' | 'declined'; cursor?: string; limit?: number }) {
  const limit = Math.min(q.limit ?? 20, 50);
  const offset = q.cursor ? Number(q.cursor) : 0;
  // Photos waiting for the wall belong to closed tickets: that filter looks at every state.
  const status = q.status ?? (q.wall ? 'all' : 'open');
  const statuses = status === 'all' ? undefined : status === 'open' ? [...OPEN_STATES] : [status];
  const rows = await repo.listStoreTickets(deps.db, await readableStores(deps, user), { statuses, storeId: q.storeId, wall: q.wall, offset, limit });
  const page = rows.slice(0, limit);
  const [events, photos] = await Promise.all([repo.eventsOf(deps.db, page.map((t) => t.id)), photosOfTickets(deps.db, page.map((t) => t.id))]);
  return { items: page.map((t) => presentTicket(deps, t, events.get(t.id) ?? [], photos, { forStore: true })), nextCursor: rows.length > limit ? String(offset + limit) : null };
}

export function presentTicket(
  deps: Deps, t: repo.TicketRow, events: (repo.EventRow & { actorNickname: string | null })[], photos: PhotoRow[], opts: { forStore?: boolean } = {}, now = new Date(),
) {
  const waiting = t.status === 'submitted' || t.status === 'escalated';
  return {
    id: t.id,
    kind: t.kind,
    status: t.status,
    store: { id: t.storeId, name: t.storeName, phone: t.storePhone },
    applianceId: t.applianceId,
    applianceName: t.applianceName,
    orderId: t.orderId,
    description: t.description,
    respondBy: t.respondBy.toISOString(),
    /** Waiting for the store and past its deadline. */
    overdue: waiting && t.respondBy.getTime() <= now.getTime(),
    escalatedAt: t.escalatedAt?.toISOString() ?? null,
    acceptedAt: t.acceptedAt?.toISOString() ?? null,
    resolvedAt: t.resolvedAt?.toISOString() ?? null,
    closedAt: t.closedAt?.toISOString() ?? null,
    rejectReason: t.rejectReason,
    visit: t.visitId ? { id: t.visitId, startsAt: t.visitStartsAt?.toISOString() ?? null, endsAt: t.visitEndsAt?.toISOString() ?? null } : null,
    rating: t.ratingStars
      ? { stars: t.ratingStars, comment: t.ratingComment, photoId: t.ratingPhotoId, photoUrl: t.ratingPhotoId ? photoUrl(deps, t.ratingPhotoId) : null, wallStatus: t.wallStatus, ratedAt: t.ratedAt?.toISOString() ?? null }
      : null,
    photos: photos.filter((p) => p.ticketId === t.id && p.id !== t.ratingPhotoId).map((p) => presentPhoto(deps, p)),
    refund: t.refundedAt ? { amountFen: t.refundAmountFen ?? 0, method: t.refundMethod ?? '', at: t.refundedAt.toISOString() } : null,
    customer: opts.forStore ? { nickname: t.customerNickname } : null,
    createdAt: t.createdAt.toISOString(),
    events: events.map((e) => ({
      seq: e.seq, actor: e.actor, actorName: opts.forStore || e.actor !== 'store' ? e.actorNickname : null, action: e.action,
      fromState: e.fromState, toState: e.toState, note: e.note, at: e.createdAt.toISOString(),
    })),
  };
}
