import { randomInt } from 'node:crypto';
import type { PoolConnection } from 'mysql2/promise';
import type { Deps } from '../../lib/deps';
import type { AuthUser } from '../../lib/auth';
import { withTransaction, isCheckViolation, isDuplicateKey, allOf } from '../../lib/db';
import { newId } from '../../lib/ids';
import { conflict, forbidden, notFound, validationFailed } from '../../lib/errors';
import { decryptPhone, encryptPhone, hashPhone, maskPhone } from '../../lib/phone';
import { findSku } from '../catalogue/repository';
import { approvedStores } from '../leaders/service';
import { placeGroupOrdersInTx } from '../orders/service';
import { nextTier, reachedTier, tierProblems, type Tier } from './tiers';

/**
 * Community group-buying (社区团购). A leader opens a group for a SKU at their store with price
 * tiers; neighbours join (setting their units) until the deadline; the leader can join neighbours
 * without a smartphone. The group's units never pass maxUnits (a conditional UPDATE and a CHECK
 * constraint), each member's never pass maxUnitsPerMember. At the deadline one process claims the
 * group (open → settling) and, in one transaction, makes every member's order at the reached tier's
 * price through the orders module — or marks it failed. A process that dies mid-way rolls back;
 * another takes the group over after the settle lease, and unique keys make no order twice.
 */
type GroupRow = {
  id: string; leaderId: string; storeId: string; skuId: string; tiers: string; maxUnits: number; maxUnitsPerMember: number; unitsJoined: number;
  membersCount: number; status: string; deadline: Date; shareCode: string; settledPriceFen: number | null; settledAt: Date | null;
};

const GROUP_SELECT = `SELECT id, leader_id AS leaderId, store_id AS storeId, sku_id AS skuId, tiers, max_units AS maxUnits, max_units_per_member AS maxUnitsPerMember,
  units_joined AS unitsJoined, members_count AS membersCount, status, deadline, share_code AS shareCode, settled_price_fen AS settledPriceFen, settled_at AS settledAt FROM group_buys`;

const SHARE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const newShareCode = () => Array.from({ length: 8 }, () => SHARE_ALPHABET[randomInt(SHARE_ALPHABET.length)]).join('');

async function findGroup(deps: Deps, idOrShareCode: string): Promise<GroupRow | null> {
  const [rows] = await deps.db.query(`${GROUP_SELECT} WHERE id = ? OR share_code = ?`, [idOrShareCode, idOrShareCode]);
  return (rows as GroupRow[])[0] ?? null;
}

export type NewGroupBuy = { skuId: string; storeId: string; tiers: Tier[]; deadline: string; maxUnits: number; maxUnitsPerMember: number };

export async function openGroupBuy(deps: Deps, leader: AuthUser, body: NewGroupBuy) {
  if (!(await approvedStores(deps, leader.id)).includes(body.storeId)) throw forbidden('您还不是这家门店的团长');
  const sku = await findSku(deps.db, body.skuId);
  if (!sku) throw validationFailed([{ path: 'body.skuId', message: 'no such SKU' }]);
  const deadline = new Date(body.deadline);
  const seconds = (deadline.getTime() - Date.now()) / 1000;
  const { minDeadlineSeconds, maxDeadlineSeconds } = deps.config.groupBuy;
  const problems = tierProblems(body.tiers, sku.priceFen, body.maxUnits);
  if (seconds < minDeadlineSeconds || seconds > maxDeadlineSeconds) problems.push({ path: 'body.deadline', message: `must be between ${minDeadlineSeconds} s and ${maxDeadlineSeconds} s from now` });
  if (body.maxUnitsPerMember > body.maxUnits) problems.push({ path: 'body.maxUnitsPerMember', message: 'must not be above maxUnits' });
  if (problems.length) throw validationFailed(problems);
  const id = newId();
  for (let attempt = 0; ; attempt++) {
    try {
      await deps.db.query(
        `INSERT INTO group_buys (id, leader_id, store_id, sku_id, tiers, max_units, max_units_per_member, units_joined, members_count, status, deadline, share_code)
         VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0, 'open', ?, ?)`,
        [id, leader.id, body.storeId, body.skuId, JSON.stringify(body.tiers), body.maxUnits, body.maxUnitsPerMember, deadline, newShareCode()],
      );
      break;
    } catch (err) {
      if (isDuplicateKey(err, 'uq_group_buys_share_code') && attempt < 5) continue;
      throw err;
    }
  }
  return getGroupBuy(deps, leader, id);
}

export async function getGroupBuy(deps: Deps, user: AuthUser | null, idOrShareCode: string) {
  const g = await findGroup(deps, idOrShareCode);
  if (!g) throw notFound('团购不存在');
  return present(deps, g, user);
}

async function present(deps: Deps, g: GroupRow, user: AuthUser | null) {
  const tiers = JSON.parse(g.tiers) as Tier[];
  const sku = await findSku(deps.db, g.skuId);
  const [meta] = await deps.db.query(
    `SELECT s.name AS storeName, s.address AS storeAddress, u.nickname AS leaderName FROM stores s, users u WHERE s.id = ? AND u.id = ?`,
    [g.storeId, g.leaderId],
  );
  const m = (meta as { storeName: string; storeAddress: string; leaderName: string }[])[0];
  let myUnits = 0;
  let myOrder: { id: string; pickupCode: string | null } | null = null;
  if (user) {
    const [mine] = await deps.db.query('SELECT units FROM group_buy_members WHERE group_buy_id = ? AND user_id = ?', [g.id, user.id]);
    myUnits = (mine as { units: number }[])[0]?.units ?? 0;
    if (g.status === 'succeeded') {
      const [o] = await deps.db.query("SELECT id, pickup_code AS pickupCode, status FROM orders WHERE group_buy_id = ? AND user_id = ? AND proxy_member_id IS NULL", [g.id, user.id]);
      const row = (o as { id: string; pickupCode: string; status: string }[])[0];
      if (row) myOrder = { id: row.id, pickupCode: row.status === 'awaiting_pickup' ? row.pickupCode : null };
    }
  }
  const reached = reachedTier(tiers, g.unitsJoined);
  const isLeader = user?.id === g.leaderId;
  return {
    id: g.id,
    status: g.status,
    shareCode: g.shareCode,
    sku: sku ? { id: sku.id, productId: sku.productId, productName: sku.productName, spec: sku.spec, brand: sku.brand, category: sku.category, priceFen: sku.priceFen } : null,
    store: { id: g.storeId, name: m?.storeName, address: m?.storeAddress },
    leader: { id: g.leaderId, nickname: m?.leaderName },
    tiers,
    unitsJoined: g.unitsJoined,
    membersCount: g.membersCount,
    maxUnits: g.maxUnits,
    maxUnitsPerMember: g.maxUnitsPerMember,
    currentPriceFen: g.settledPriceFen ?? reached?.priceFen ?? sku?.priceFen ?? null,
    reachedTier: reached,
    nextTier: nextTier(tiers, g.unitsJoined),
    deadline: g.deadline.toISOString(),
    myUnits,
    myOrder,
    ...(isLeader ? { members: await membersOf(deps, g) } : {}),
  };
}

async function membersOf(deps: Deps, g: GroupRow) {
  const [rows] = await deps.db.query(
    `SELECT m.id, m.user_id AS userId, m.proxy_name AS proxyName, m.proxy_phone_enc AS proxyPhoneEnc, m.units, u.nickname,
            o.id AS orderId, o.pickup_code AS pickupCode, o.status AS orderStatus
     FROM group_buy_members m LEFT JOIN users u ON u.id = m.user_id LEFT JOIN orders o ON o.group_buy_member_id = m.id
     WHERE m.group_buy_id = ? ORDER BY m.created_at`,
    [g.id],
  );
  return (rows as { id: string; userId: string | null; proxyName: string | null; proxyPhoneEnc: Buffer | null; units: number; nickname: string | null; orderId: string | null; pickupCode: string | null; orderStatus: string | null }[]).map((r) => ({
    id: r.id,
    name: r.proxyName ?? r.nickname ?? '',
    proxy: r.userId === null,
    phone: r.proxyPhoneEnc ? maskPhone(decryptPhone(deps.config.crypto, r.proxyPhoneEnc)) : null,
    units: r.units,
    // A neighbour without a smartphone gets their code through the leader.
    pickupCode: r.userId === null && r.orderStatus === 'awaiting_pickup' ? r.pickupCode : null,
  }));
}

export async function listGroupBuys(deps: Deps, user: AuthUser | null, q: { storeId?: string; status?: string; mine?: boolean; limit?: number }) {
  const where = allOf([q.storeId && ['store_id = ?', q.storeId], q.status && ['status = ?', q.status], q.mine && user && ['leader_id = ?', user.id]]);
  const [rows] = await deps.db.query(`${GROUP_SELECT} ${where.sql ? `WHERE ${where.sql}` : ''} ORDER BY deadline DESC LIMIT ?`, [...where.values, Math.min(q.limit ?? 20, 50)]);
  return { items: await Promise.all((rows as GroupRow[]).map((g) => present(deps, g, user))), nextCursor: null };
}

/**
 * Sets the caller's units (0 leaves). The member row is locked first, the group's total moves by
 * the difference in one conditional UPDATE (open, before the deadline, within maxUnits).
 */
async function setUnits(conn: PoolConnection, g: { id: string; maxUnitsPerMember: number }, memberId: string, userId: string | null, units: number, proxy?: { name: string; phoneEnc: Buffer; phoneHash: string }): Promise<void> {
  if (units > g.maxUnitsPerMember) throw validationFailed([{ path: 'body.units', message: `at most ${g.maxUnitsPerMember} per member` }]);
  if (userId) {
    await conn.query('INSERT IGNORE INTO group_buy_members (id, group_buy_id, user_id, units) VALUES (?, ?, ?, 0)', [memberId, g.id, userId]);
  } else {
    await conn.query('INSERT INTO group_buy_members (id, group_buy_id, user_id, proxy_name, proxy_phone_enc, proxy_phone_hash, units) VALUES (?, ?, NULL, ?, ?, ?, 0)', [memberId, g.id, proxy!.name, proxy!.phoneEnc, proxy!.phoneHash]);
  }
  const [mine] = await conn.query(`SELECT id, units FROM group_buy_members WHERE group_buy_id = ? AND ${userId ? 'user_id = ?' : 'id = ?'} FOR UPDATE`, [g.id, userId ?? memberId]);
  const member = (mine as { id: string; units: number }[])[0];
  const delta = units - member.units;
  const joins = member.units === 0 && units > 0 ? 1 : member.units > 0 && units === 0 ? -1 : 0;
  let moved: number;
  try {
    const [r] = await conn.query(
      `UPDATE group_buys SET units_joined = units_joined + ?, members_count = members_count + ?
       WHERE id = ? AND status = 'open' AND deadline > NOW(3) AND units_joined + ? <= max_units`,
      [delta, joins, g.id, delta],
    );
    moved = (r as { affectedRows: number }).affectedRows;
  } catch (err) {
    if (isCheckViolation(err)) throw conflict('GROUP_BUY_FULL', '团购名额已满');
    throw err;
  }
  if (moved === 0) {
    const [rows] = await conn.query("SELECT status = 'open' AND deadline > NOW(3) AS isOpen FROM group_buys WHERE id = ?", [g.id]);
    if (!(rows as { isOpen: number }[])[0]?.isOpen) throw conflict('GROUP_BUY_CLOSED', '团购已截止');
    throw conflict('GROUP_BUY_FULL', '团购名额已满');
  }
  if (units === 0) await conn.query('DELETE FROM group_buy_members WHERE id = ?', [member.id]);
  else await conn.query('UPDATE group_buy_members SET units = ? WHERE id = ?', [units, member.id]);
}

export async function joinGroupBuy(deps: Deps, user: AuthUser, idOrShareCode: string, units: number) {
  const g = await findGroup(deps, idOrShareCode);
  if (!g) throw notFound('团购不存在');
  await withTransaction(deps.db, (conn) => setUnits(conn, g, newId(), user.id, units));
  return getGroupBuy(deps, user, g.id);
}

export async function addProxyMember(deps: Deps, leader: AuthUser, idOrShareCode: string, body: { name: string; phone: string; units: number }) {
  const g = await findGroup(deps, idOrShareCode);
  if (!g || g.leaderId !== leader.id) throw notFound('团购不存在');
  const memberId = newId();
  await withTransaction(deps.db, (conn) =>
    setUnits(conn, g, memberId, null, body.units, { name: body.name, phoneEnc: encryptPhone(deps.config.crypto, body.phone), phoneHash: hashPhone(deps.config.crypto, body.phone) }),
  );
  return { member: { id: memberId, name: body.name, phone: maskPhone(body.phone), units: body.units, proxy: true } };
}

const commissionRateBp = (deps: Deps, storeId: string) => Math.round((deps.config.groupBuy.commissionRate[storeId] ?? deps.config.groupBuy.commissionRate.default ?? 0) * 10_000);

/** Settles one due group if this process wins it. Returns the outcome, or null when another process has it. */
export async function settleGroupBuy(deps: Deps, groupId: string): Promise<'succeeded' | 'failed' | null> {
  const [claim] = await deps.db.query(
    `UPDATE group_buys SET status = 'settling', settling_since = NOW(3)
     WHERE id = ? AND ((status = 'open' AND deadline <= NOW(3)) OR (status = 'settling' AND settling_since < NOW(3) - INTERVAL ? SECOND))`,
    [groupId, deps.config.groupBuy.settleLeaseSeconds],
  );
  if ((claim as { affectedRows: number }).affectedRows === 0) return null;
  const outcome = await withTransaction(deps.db, async (conn) => {
    const [rows] = await conn.query(`${GROUP_SELECT} WHERE id = ? FOR UPDATE`, [groupId]);
    const g = (rows as GroupRow[])[0];
    if (!g || g.status !== 'settling') return null;
    const tiers = JSON.parse(g.tiers) as Tier[];
    const reached = reachedTier(tiers, g.unitsJoined);
    if (!reached) {
      await conn.query("UPDATE group_buys SET status = 'failed', settled_at = NOW(3) WHERE id = ?", [groupId]);
      return { status: 'failed' as const, g, orders: [] as { groupBuyMemberId: string; pickupCode: string }[] };
    }
    const [memberRows] = await conn.query('SELECT id, user_id AS userId, units FROM group_buy_members WHERE group_buy_id = ? AND units > 0', [groupId]);
    const members = (memberRows as { id: string; userId: string | null; units: number }[]).map((m) => ({
      groupBuyMemberId: m.id, userId: m.userId ?? g.leaderId, units: m.units, ...(m.userId ? {} : { proxyMemberId: m.id }),
    }));
    const orders = await placeGroupOrdersInTx(conn, deps, { storeId: g.storeId, skuId: g.skuId, unitPriceFen: reached.priceFen, groupBuyId: g.id, members });
    const salesFen = g.unitsJoined * reached.priceFen;
    const rateBp = commissionRateBp(deps, g.storeId);
    await conn.query('INSERT IGNORE INTO leader_commissions (id, leader_id, group_buy_id, store_id, sales_fen, rate_bp, amount_fen) VALUES (?, ?, ?, ?, ?, ?, ?)', [
      newId(), g.leaderId, g.id, g.storeId, salesFen, rateBp, Math.floor((salesFen * rateBp) / 10_000),
    ]);
    await conn.query("UPDATE group_buys SET status = 'succeeded', settled_price_fen = ?, settled_at = NOW(3) WHERE id = ?", [reached.priceFen, groupId]);
    return { status: 'succeeded' as const, g, orders };
  });
  if (!outcome) return null;
  void notifyMembers(deps, outcome.g, outcome.status);
  return outcome.status;
}

async function notifyMembers(deps: Deps, g: GroupRow, status: 'succeeded' | 'failed') {
  const [rows] = await deps.db.query(
    `SELECT DISTINCT u.openid FROM group_buy_members m JOIN users u ON u.id = m.user_id WHERE m.group_buy_id = ? AND u.openid IS NOT NULL
     UNION SELECT u.openid FROM users u WHERE u.id = ? AND u.openid IS NOT NULL`,
    [g.id, g.leaderId],
  );
  for (const { openid } of rows as { openid: string }[]) {
    await deps.wechat.notify({
      touser: openid,
      templateId: status === 'succeeded' ? 'group_buy_succeeded' : 'group_buy_failed',
      page: `pages/group-buy-detail/index?id=${g.id}`,
      data: { thing1: { value: status === 'succeeded' ? '拼团成功，请到店提货' : '拼团未成，无需付款' } },
    });
  }
}

/** The settlement job: every due group, and any left `settling` by a dead process. */
export async function settleDueGroupBuys(deps: Deps): Promise<number> {
  const [rows] = await deps.db.query(
    `SELECT id FROM group_buys WHERE (status = 'open' AND deadline <= NOW(3)) OR (status = 'settling' AND settling_since < NOW(3) - INTERVAL ? SECOND) ORDER BY deadline LIMIT 50`,
    [deps.config.groupBuy.settleLeaseSeconds],
  );
  let settled = 0;
  for (const { id } of rows as { id: string }[]) {
    try {
      if (await settleGroupBuy(deps, id)) settled++;
    } catch (err) {
      // Rolled back: the group stays `settling` and is taken over after the settle lease.
      deps.logger.warn({ groupBuyId: id, err: (err as Error).message }, 'settlement failed; will retry');
    }
  }
  return settled;
}

export async function myCommissions(deps: Deps, leader: AuthUser) {
  const [rows] = await deps.db.query(
    'SELECT group_buy_id AS groupBuyId, store_id AS storeId, sales_fen AS salesFen, rate_bp AS rateBp, amount_fen AS amountFen, created_at AS createdAt FROM leader_commissions WHERE leader_id = ? ORDER BY created_at DESC',
    [leader.id],
  );
  const items = (rows as { groupBuyId: string; storeId: string; salesFen: number; rateBp: number; amountFen: number; createdAt: Date }[]).map((r) => ({ ...r, createdAt: r.createdAt.toISOString() }));
  return { items, totalFen: items.reduce((n, r) => n + r.amountFen, 0), nextCursor: null };
}
