import type { PoolConnection } from 'mysql2/promise';
import type { Db } from '../../lib/db';
import { allOf, isCheckViolation } from '../../lib/db';
import { conflict } from '../../lib/errors';

/** The only place that reads and writes groups and their members. */
export type GroupRow = {
  id: string; leaderId: string; storeId: string; skuId: string; tiers: string; maxUnits: number; maxUnitsPerMember: number; unitsJoined: number;
  membersCount: number; status: string; deadline: Date; shareCode: string; settledPriceFen: number | null; settledAt: Date | null;
  failureReason: string | null; settleAttempts: number;
};

export const GROUP_SELECT = `SELECT id, leader_id AS leaderId, store_id AS storeId, sku_id AS skuId, tiers, max_units AS maxUnits, max_units_per_member AS maxUnitsPerMember,
  units_joined AS unitsJoined, members_count AS membersCount, status, deadline, share_code AS shareCode, settled_price_fen AS settledPriceFen, settled_at AS settledAt,
  failure_reason AS failureReason, settle_attempts AS settleAttempts FROM group_buys`;

export async function findGroup(db: Db, idOrShareCode: string): Promise<GroupRow | null> {
  const [rows] = await db.query(`${GROUP_SELECT} WHERE id = ? OR share_code = ?`, [idOrShareCode, idOrShareCode]);
  return (rows as GroupRow[])[0] ?? null;
}

export async function insertGroup(db: Db, g: { id: string; leaderId: string; storeId: string; skuId: string; tiers: string; maxUnits: number; maxUnitsPerMember: number; deadline: Date; shareCode: string }): Promise<void> {
  await db.query(
    `INSERT INTO group_buys (id, leader_id, store_id, sku_id, tiers, max_units, max_units_per_member, units_joined, members_count, status, deadline, share_code)
     VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0, 'open', ?, ?)`,
    [g.id, g.leaderId, g.storeId, g.skuId, g.tiers, g.maxUnits, g.maxUnitsPerMember, g.deadline, g.shareCode],
  );
}

/** A page of groups, newest deadline first; the cursor is the last group's id (ids order like their creation). */
export async function listGroups(db: Db, f: { storeId?: string; status?: string; leaderId?: string; cursor?: string; limit: number }): Promise<GroupRow[]> {
  const where = allOf([f.storeId && ['store_id = ?', f.storeId], f.status && ['status = ?', f.status], f.leaderId && ['leader_id = ?', f.leaderId], f.cursor && ['id < ?', f.cursor]]);
  const [rows] = await db.query(`${GROUP_SELECT} ${where.sql ? `WHERE ${where.sql}` : ''} ORDER BY id DESC LIMIT ?`, [...where.values, f.limit]);
  return rows as GroupRow[];
}

/** Store names and addresses, and leaders' nicknames, of a page of groups: two reads whatever its size. */
export async function namesOf(db: Db, storeIds: string[], leaderIds: string[]) {
  if (!storeIds.length) return { stores: new Map<string, { name: string; address: string }>(), leaders: new Map<string, string>() };
  const [[stores], [leaders]] = await Promise.all([
    db.query('SELECT id, name, address FROM stores WHERE id IN (?)', [storeIds]),
    db.query('SELECT id, nickname FROM users WHERE id IN (?)', [leaderIds]),
  ]);
  return {
    stores: new Map((stores as { id: string; name: string; address: string }[]).map((s) => [s.id, s])),
    leaders: new Map((leaders as { id: string; nickname: string }[]).map((u) => [u.id, u.nickname])),
  };
}

/** The caller's units in each group of a page, and their own order where the group succeeded. */
export async function callerStakes(db: Db, userId: string, groupIds: string[]) {
  if (!groupIds.length) return { units: new Map<string, number>(), orders: new Map<string, { id: string; pickupCode: string; status: string }>() };
  const [[units], [orders]] = await Promise.all([
    db.query('SELECT group_buy_id AS g, units FROM group_buy_members WHERE user_id = ? AND group_buy_id IN (?)', [userId, groupIds]),
    db.query('SELECT group_buy_id AS g, id, pickup_code AS pickupCode, status FROM orders WHERE user_id = ? AND group_buy_id IN (?) AND proxy_member_id IS NULL', [userId, groupIds]),
  ]);
  return {
    units: new Map((units as { g: string; units: number }[]).map((r) => [r.g, r.units])),
    orders: new Map((orders as { g: string; id: string; pickupCode: string; status: string }[]).map((r) => [r.g, r])),
  };
}

export type MemberRow = {
  id: string; groupBuyId: string; userId: string | null; proxyName: string | null; proxyPhoneEnc: Buffer | null; units: number; nickname: string | null;
  pickupCode: string | null; orderStatus: string | null;
};

/** The members of several groups (the leader's view), with each member's order once settled. */
export async function membersOfGroups(db: Db, groupIds: string[]): Promise<MemberRow[]> {
  if (!groupIds.length) return [];
  const [rows] = await db.query(
    `SELECT m.id, m.group_buy_id AS groupBuyId, m.user_id AS userId, m.proxy_name AS proxyName, m.proxy_phone_enc AS proxyPhoneEnc, m.units, u.nickname,
            o.pickup_code AS pickupCode, o.status AS orderStatus
     FROM group_buy_members m LEFT JOIN users u ON u.id = m.user_id LEFT JOIN orders o ON o.group_buy_member_id = m.id
     WHERE m.group_buy_id IN (?) ORDER BY m.created_at, m.id`,
    [groupIds],
  );
  return rows as MemberRow[];
}

export type Proxy = { name: string; phoneEnc: Buffer; phoneHash: string };

/** A neighbour's row, once per group and phone: the unique key refuses the same person twice. */
export async function insertProxyMember(conn: PoolConnection, groupId: string, memberId: string, proxy: Proxy): Promise<void> {
  await conn.query('INSERT INTO group_buy_members (id, group_buy_id, user_id, proxy_name, proxy_phone_enc, proxy_phone_hash, units) VALUES (?, ?, NULL, ?, ?, ?, 0)', [
    memberId, groupId, proxy.name, proxy.phoneEnc, proxy.phoneHash,
  ]);
}

/**
 * The caller's member row, created at 0 units if new, and locked exclusively either way: a repeated
 * first join waits for the first one's row instead of sharing a lock it must then upgrade, which is
 * what made concurrent first joins of one user deadlock (INSERT IGNORE takes a shared lock on a
 * duplicate; ON DUPLICATE KEY UPDATE an exclusive one).
 */
export async function insertUserMember(conn: PoolConnection, groupId: string, memberId: string, userId: string): Promise<void> {
  await conn.query('INSERT INTO group_buy_members (id, group_buy_id, user_id, units) VALUES (?, ?, ?, 0) ON DUPLICATE KEY UPDATE units = units', [memberId, groupId, userId]);
}

export async function lockMember(conn: PoolConnection, groupId: string, who: { userId: string } | { memberId: string }): Promise<{ id: string; units: number; userId: string | null } | null> {
  const [rows] = await conn.query(
    `SELECT id, units, user_id AS userId FROM group_buy_members WHERE group_buy_id = ? AND ${'userId' in who ? 'user_id = ?' : 'id = ?'} FOR UPDATE`,
    [groupId, 'userId' in who ? who.userId : who.memberId],
  );
  return (rows as { id: string; units: number; userId: string | null }[])[0] ?? null;
}

/**
 * Moves the group's total by `delta` (and its member count by `joins`), only while open, before
 * the deadline and within maxUnits: one conditional UPDATE. Throws GROUP_BUY_CLOSED / GROUP_BUY_FULL.
 */
export async function moveGroupUnits(conn: PoolConnection, groupId: string, delta: number, joins: number): Promise<void> {
  let moved: number;
  try {
    const [r] = await conn.query(
      `UPDATE group_buys SET units_joined = units_joined + ?, members_count = members_count + ?
       WHERE id = ? AND status = 'open' AND deadline > NOW(3) AND units_joined + ? <= max_units`,
      [delta, joins, groupId, delta],
    );
    moved = (r as { affectedRows: number }).affectedRows;
  } catch (err) {
    if (isCheckViolation(err)) throw conflict('GROUP_BUY_FULL', '团购名额已满');
    throw err;
  }
  if (moved === 0) {
    const [rows] = await conn.query("SELECT status = 'open' AND deadline > NOW(3) AS isOpen FROM group_buys WHERE id = ?", [groupId]);
    if (!(rows as { isOpen: number }[])[0]?.isOpen) throw conflict('GROUP_BUY_CLOSED', '团购已截止');
    throw conflict('GROUP_BUY_FULL', '团购名额已满');
  }
}

export async function setMemberUnits(conn: PoolConnection, memberId: string, units: number): Promise<void> {
  if (units === 0) await conn.query('DELETE FROM group_buy_members WHERE id = ?', [memberId]);
  else await conn.query('UPDATE group_buy_members SET units = ? WHERE id = ?', [units, memberId]);
}

/** Whether the phone (by its keyed hash) is a signed-in member's own or the group's leader's own. */
export async function phoneTakenInGroup(db: Db | PoolConnection, groupId: string, leaderId: string, phoneHash: string): Promise<boolean> {
  const [rows] = await db.query(
    `SELECT 1 FROM group_buy_members m JOIN users u ON u.id = m.user_id WHERE m.group_buy_id = ? AND u.phone_hash = ?
     UNION ALL SELECT 1 FROM leaders WHERE user_id = ? AND phone_hash = ?
     UNION ALL SELECT 1 FROM users WHERE id = ? AND phone_hash = ? LIMIT 1`,
    [groupId, phoneHash, leaderId, phoneHash, leaderId, phoneHash],
  );
  return (rows as unknown[]).length > 0;
}

/** The groups still open where the user holds units. */
export async function openStakesOf(db: Db, userId: string): Promise<{ id: string; maxUnitsPerMember: number }[]> {
  const [rows] = await db.query(
    `SELECT g.id, g.max_units_per_member AS maxUnitsPerMember FROM group_buy_members m JOIN group_buys g ON g.id = m.group_buy_id
     WHERE m.user_id = ? AND m.units > 0 AND g.status = 'open'`,
    [userId],
  );
  return rows as { id: string; maxUnitsPerMember: number }[];
}

/** The phones of the neighbours a leader joined, in every group of theirs: gone (names and units stay for the neighbours' orders). */
export async function forgetProxyPhonesOfLeader(db: Db, leaderId: string): Promise<void> {
  await db.query(
    `UPDATE group_buy_members m JOIN group_buys g ON g.id = m.group_buy_id SET m.proxy_phone_enc = NULL, m.proxy_phone_hash = NULL
     WHERE g.leader_id = ? AND m.user_id IS NULL AND m.proxy_phone_enc IS NOT NULL`,
    [leaderId],
  );
}
