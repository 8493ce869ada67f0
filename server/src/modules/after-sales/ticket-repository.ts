import type { PoolConnection } from 'mysql2/promise';
import { allOf, type Db } from '../../lib/db';
import type { Actor, TicketAction, TicketKind, TicketState } from './ticket-machine';

/** The only place that reads and writes `tickets` and `ticket_events` (the latter insert-only). */
export type TicketRow = {
  id: string; userId: string; storeId: string; kind: TicketKind; status: TicketState; version: number; applianceId: string | null;
  orderId: string | null; description: string; idemKey: string | null; requestHash: string | null; respondBy: Date; escalatedAt: Date | null;
  acceptedAt: Date | null; resolvedAt: Date | null; closedAt: Date | null; rejectReason: string | null; visitId: string | null;
  visitStartsAt: Date | null; visitEndsAt: Date | null; ratingStars: number | null; ratingComment: string | null; ratingPhotoId: string | null;
  ratedAt: Date | null; wallStatus: string | null; wallDecidedAt: Date | null; createdAt: Date;
  storeName: string; storePhone: string; customerNickname: string; applianceName: string | null;
  refundAmountFen: number | null; refundMethod: string | null; refundedAt: Date | null;
};

export type EventRow = { ticketId: string; seq: number; actorUserId: string | null; actor: Actor; action: TicketAction; fromState: TicketState | null; toState: TicketState; note: string | null; createdAt: Date };

const SELECT = `SELECT t.id, t.user_id AS userId, t.store_id AS storeId, t.kind, t.status, t.version, t.appliance_id AS applianceId, t.order_id AS orderId,
  t.description, t.idem_key AS idemKey, t.request_hash AS requestHash, t.respond_by AS respondBy, t.escalated_at AS escalatedAt,
  t.accepted_at AS acceptedAt, t.resolved_at AS resolvedAt, t.closed_at AS closedAt, t.reject_reason AS rejectReason, t.visit_id AS visitId,
  t.visit_starts_at AS visitStartsAt, t.visit_ends_at AS visitEndsAt, t.rating_stars AS ratingStars, t.rating_comment AS ratingComment,
  t.rating_photo_id AS ratingPhotoId, t.rated_at AS ratedAt, t.wall_status AS wallStatus, t.wall_decided_at AS wallDecidedAt, t.created_at AS createdAt,
  s.name AS storeName, s.phone AS storePhone, u.nickname AS customerNickname, a.name AS applianceName,
  r.amount_fen AS refundAmountFen, r.method AS refundMethod, r.created_at AS refundedAt
  FROM tickets t JOIN stores s ON s.id = t.store_id JOIN users u ON u.id = t.user_id LEFT JOIN appliances a ON a.id = t.appliance_id
  LEFT JOIN ticket_refunds r ON r.ticket_id = t.id`;

/** Who may see a ticket: its villager, or the stores in the caller's charge (null: every store, for admins). */
export type Scope = { userId: string } | { storeIds: string[] | null };

function scopeSql(scope: Scope): { sql: string; args: unknown[] } {
  if ('userId' in scope) return { sql: 't.user_id = ?', args: [scope.userId] };
  if (scope.storeIds === null) return { sql: '1 = 1', args: [] };
  if (!scope.storeIds.length) return { sql: '1 = 0', args: [] };
  return { sql: 't.store_id IN (?)', args: [scope.storeIds] };
}

export type NewTicket = {
  id: string; userId: string; storeId: string; kind: TicketKind; applianceId: string | null; orderId: string | null; description: string;
  openKey: string; idemKey: string | null; requestHash: string | null; respondBy: Date;
};

export async function insertTicket(conn: PoolConnection, t: NewTicket): Promise<void> {
  await conn.query(
    `INSERT INTO tickets (id, user_id, store_id, kind, status, version, appliance_id, order_id, description, open_key, idem_key, request_hash, respond_by)
     VALUES (?, ?, ?, ?, 'submitted', 1, ?, ?, ?, ?, ?, ?, ?)`,
    [t.id, t.userId, t.storeId, t.kind, t.applianceId, t.orderId, t.description, t.openKey, t.idemKey, t.requestHash, t.respondBy],
  );
}

export async function insertEvent(conn: PoolConnection, e: Omit<EventRow, 'createdAt'>): Promise<void> {
  await conn.query(
    'INSERT INTO ticket_events (ticket_id, seq, actor_user_id, actor, action, from_state, to_state, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    [e.ticketId, e.seq, e.actorUserId, e.actor, e.action, e.fromState, e.toState, e.note],
  );
}

/** Columns a move may set besides status: only these names reach the SQL. */
export type MoveSet = Partial<{
  accepted_at: 'now'; escalated_at: 'now'; resolved_at: 'now'; closed_at: 'now'; rated_at: 'now'; reject_reason: string;
  visit_id: string; visit_starts_at: Date; visit_ends_at: Date; rating_stars: number; rating_comment: string | null; rating_photo_id: string | null;
  wall_status: string | null;
}>;

/**
 * One move, as one conditional UPDATE: it applies only when the ticket is in one of `from`, is of a
 * kind the move allows, and is in the caller's scope; `extra` adds a condition of the move's own
 * (the sweeper's `respond_by <= now`). The open key goes once the ticket is answered. Returns the
 * state it left and the new version, or null when nothing matched.
 */
export async function moveTicket(
  conn: PoolConnection,
  m: { id: string; from: TicketState[]; to: TicketState; kinds: readonly TicketKind[]; scope: Scope; set: MoveSet; extra?: string },
): Promise<{ fromState: TicketState; version: number } | null> {
  const scope = scopeSql(m.scope);
  const sets = ['t.status = ?', 't.version = t.version + 1', `t.open_key = IF(? IN ('submitted', 'escalated', 'accepted', 'scheduled'), t.open_key, NULL)`];
  const args: unknown[] = [m.to, m.to];
  for (const [col, value] of Object.entries(m.set)) {
    sets.push(value === 'now' ? `t.${col} = NOW(3)` : `t.${col} = ?`);
    if (value !== 'now') args.push(value);
  }
  // The state it leaves is read under the row lock this UPDATE takes, in the same transaction.
  const [before] = await conn.query(`SELECT t.status FROM tickets t WHERE t.id = ? AND t.status IN (?) AND t.kind IN (?) AND ${scope.sql} ${m.extra ? `AND ${m.extra}` : ''} FOR UPDATE`, [m.id, m.from, m.kinds, ...scope.args]);
  const fromState = (before as { status: TicketState }[])[0]?.status;
  if (!fromState) return null;
  const [r] = await conn.query(`UPDATE tickets t SET ${sets.join(', ')} WHERE t.id = ? AND t.status = ?`, [...args, m.id, fromState]);
  if ((r as { affectedRows: number }).affectedRows !== 1) return null;
  const [rows] = await conn.query('SELECT version FROM tickets WHERE id = ?', [m.id]);
  return { fromState, version: (rows as { version: number }[])[0].version };
}

export async function findTicket(db: Db | PoolConnection, id: string, scope: Scope): Promise<TicketRow | null> {
  const s = scopeSql(scope);
  const [rows] = await db.query(`${SELECT} WHERE t.id = ? AND ${s.sql}`, [id, ...s.args]);
  return (rows as TicketRow[])[0] ?? null;
}

export async function findByIdempotencyKey(db: Db | PoolConnection, userId: string, key: string): Promise<TicketRow | null> {
  const [rows] = await db.query(`${SELECT} WHERE t.user_id = ? AND t.idem_key = ?`, [userId, key]);
  return (rows as TicketRow[])[0] ?? null;
}

export async function findOpenByKey(db: Db | PoolConnection, openKey: string): Promise<{ id: string } | null> {
  const [rows] = await db.query('SELECT id FROM tickets WHERE open_key = ?', [openKey]);
  return (rows as { id: string }[])[0] ?? null;
}

export async function eventsOf(db: Db | PoolConnection, ticketIds: string[]): Promise<Map<string, (EventRow & { actorNickname: string | null })[]>> {
  const out = new Map<string, (EventRow & { actorNickname: string | null })[]>();
  if (!ticketIds.length) return out;
  const [rows] = await db.query(
    `SELECT e.ticket_id AS ticketId, e.seq, e.actor_user_id AS actorUserId, e.actor, e.action, e.from_state AS fromState, e.to_state AS toState,
            e.note, e.created_at AS createdAt, u.nickname AS actorNickname
     FROM ticket_events e LEFT JOIN users u ON u.id = e.actor_user_id WHERE e.ticket_id IN (?) ORDER BY e.ticket_id, e.seq`,
    [ticketIds],
  );
  for (const r of rows as (EventRow & { actorNickname: string | null })[]) out.set(r.ticketId, [...(out.get(r.ticketId) ?? []), r]);
  return out;
}

/** The villager's tickets, newest first. */
export async function listUserTickets(db: Db, userId: string, f: { status?: string; cursor?: string; limit: number }): Promise<TicketRow[]> {
  const where = allOf([['t.user_id = ?', userId], f.status && ['t.status = ?', f.status], f.cursor && ['t.id < ?', f.cursor]]);
  const [rows] = await db.query(`${SELECT} WHERE ${where.sql} ORDER BY t.id DESC LIMIT ?`, [...where.values, f.limit + 1]);
  return rows as TicketRow[];
}

/**
 * The stores' inbox, the nearest deadline first: open tickets by respond_by, then the rest newest
 * first. The cursor is the offset into that order (an inbox is short-lived and small).
 */
export async function listStoreTickets(db: Db, scope: Scope, f: { statuses?: string[]; storeId?: string; wall?: string; offset: number; limit: number }): Promise<TicketRow[]> {
  const s = scopeSql(scope);
  const where = allOf([[s.sql, ...s.args], !!f.statuses?.length && ['t.status IN (?)', f.statuses], f.storeId && ['t.store_id = ?', f.storeId], f.wall && ['t.wall_status = ?', f.wall]]);
  const [rows] = await db.query(
    `${SELECT} WHERE ${where.sql}
     ORDER BY (t.status IN ('submitted', 'escalated')) DESC, CASE WHEN t.status IN ('submitted', 'escalated', 'accepted', 'scheduled') THEN t.respond_by END ASC, t.id DESC
     LIMIT ? OFFSET ?`,
    [...where.values, f.limit + 1, f.offset],
  );
  return rows as TicketRow[];
}

/** Submitted tickets whose deadline has passed, oldest deadline first (the escalation sweep). */
export async function overdueTicketIds(db: Db, limit: number): Promise<string[]> {
  const [rows] = await db.query("SELECT id FROM tickets WHERE status = 'submitted' AND respond_by <= NOW(3) ORDER BY respond_by LIMIT ?", [limit]);
  return (rows as { id: string }[]).map((r) => r.id);
}

/** The owner's decision on a photo offered for the wall, once, only at their own stores. */
export async function decideWall(db: Db, id: string, storeIds: string[], approve: boolean): Promise<boolean> {
  if (!storeIds.length) return false;
  const [r] = await db.query("UPDATE tickets SET wall_status = ?, wall_decided_at = NOW(3) WHERE id = ? AND store_id IN (?) AND wall_status = 'pending'", [
    approve ? 'approved' : 'declined', id, storeIds,
  ]);
  return (r as { affectedRows: number }).affectedRows === 1;
}

export type WallRow = { ticketId: string; ratingStars: number; ratingComment: string | null; ratingPhotoId: string; ratedAt: Date; decidedAt: Date; nickname: string; applianceName: string | null; width: number; height: number };

/** The store's wall: approved rated photos, the latest approval first (cursor: the last ticket id of the page before). */
export async function wallOf(db: Db, storeId: string, cursor: { decidedAt: Date; id: string } | null, limit: number): Promise<WallRow[]> {
  const where = allOf([
    // A deleted account takes its consent to the wall with it (docs/privacy.md).
    ['t.store_id = ?', storeId], ["t.wall_status = 'approved'"], ['t.rating_photo_id IS NOT NULL'], ['u.deleted_at IS NULL'],
    cursor && ['(t.wall_decided_at < ? OR (t.wall_decided_at = ? AND t.id < ?))', cursor.decidedAt, cursor.decidedAt, cursor.id],
  ]);
  const [rows] = await db.query(
    `SELECT t.id AS ticketId, t.rating_stars AS ratingStars, t.rating_comment AS ratingComment, t.rating_photo_id AS ratingPhotoId, t.rated_at AS ratedAt,
            t.wall_decided_at AS decidedAt, u.nickname, a.name AS applianceName, p.width, p.height
     FROM tickets t JOIN users u ON u.id = t.user_id LEFT JOIN appliances a ON a.id = t.appliance_id JOIN photos p ON p.id = t.rating_photo_id
     WHERE ${where.sql} ORDER BY t.wall_decided_at DESC, t.id DESC LIMIT ?`,
    [...where.values, limit + 1],
  );
  return rows as WallRow[];
}

/** Tickets of these stores with a visit booked in [from, to). */
export async function visitsBetween(db: Db, storeIds: string[], from: Date, to: Date): Promise<TicketRow[]> {
  if (!storeIds.length) return [];
  const [rows] = await db.query(`${SELECT} WHERE t.store_id IN (?) AND t.status = 'scheduled' AND t.visit_starts_at >= ? AND t.visit_starts_at < ? ORDER BY t.visit_starts_at`, [storeIds, from, to]);
  return rows as TicketRow[];
}

export async function openCount(db: Db, storeIds: string[]): Promise<{ open: number; overdue: number }> {
  if (!storeIds.length) return { open: 0, overdue: 0 };
  const [rows] = await db.query(
    `SELECT COUNT(*) AS open, COALESCE(SUM(status IN ('submitted', 'escalated') AND respond_by <= NOW(3)), 0) AS overdue
     FROM tickets WHERE store_id IN (?) AND status IN ('submitted', 'escalated', 'accepted', 'scheduled')`,
    [storeIds],
  );
  const r = (rows as { open: number; overdue: number }[])[0];
  return { open: Number(r.open), overdue: Number(r.overdue) };
}
