import { randomInt } from 'node:crypto';
import type { PoolConnection } from 'mysql2/promise';
import { publishEvent, type OutboxEvent } from '../../lib/outbox';
import type { Deps } from '../../lib/deps';
import type { AuthUser } from '../../lib/auth';
import { withTransaction, isDuplicateKey } from '../../lib/db';
import { newId } from '../../lib/ids';
import { AppError, forbidden, notFound, validationFailed } from '../../lib/errors';
import { encryptPhone, hashPhone, maskPhone } from '../../lib/phone';
import { findSku } from '../catalogue/repository';
import { approvedStores } from '../leaders/service';
import { placeGroupOrdersInTx } from '../orders/service';
import { reachedTier, tierProblems, type Tier } from './tiers';
import { getGroupBuy } from './views';
import * as repo from './repository';

/**
 * Community group-buying (社区团购). A leader opens a group for a SKU at their store with price
 * tiers; neighbours join (setting their units) until the deadline; the leader can join neighbours
 * without a smartphone. The group's units never pass maxUnits (a conditional UPDATE and a CHECK
 * constraint), each member's never pass maxUnitsPerMember. At the deadline one process claims the
 * group (open → settling) and, in one transaction, makes every member's order at the reached tier's
 * price through the orders module — or marks it failed. A process that dies mid-way rolls back;
 * another takes the group over after the settle lease, and unique keys make no order twice.
 */
const SHARE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const newShareCode = () => Array.from({ length: 8 }, () => SHARE_ALPHABET[randomInt(SHARE_ALPHABET.length)]).join('');

export type NewGroupBuy = { skuId: string; storeId: string; tiers: Tier[]; deadline: string; maxUnits: number; maxUnitsPerMember: number };

const yuan = (fen: number) => `¥${(fen / 100).toFixed(2)}`;

/**
 * Opens a group at one of the stores that approved the caller as its leader (a leader of DEMO-001
 * is nobody at DEMO-002). No tier may go below the category's price floor (safeguards.groupPriceFloorBps).
 */
export async function openGroupBuy(deps: Deps, leader: AuthUser, body: NewGroupBuy) {
  if (!(await approvedStores(deps, leader.id)).includes(body.storeId)) throw forbidden('您还不是这家门店的团长');
  const sku = await findSku(deps.db, body.skuId);
  if (!sku) throw validationFailed([{ path: 'body.skuId', message: 'no such SKU' }], '没有这个商品');
  const deadline = new Date(body.deadline);
  const seconds = (deadline.getTime() - Date.now()) / 1000;
  const { minDeadlineSeconds, maxDeadlineSeconds } = deps.config.groupBuy;
  const floorBps = deps.config.safeguards.groupPriceFloorBps[sku.category] ?? deps.config.safeguards.groupPriceFloorBps.default;
  const floorFen = Math.ceil((sku.priceFen * floorBps) / 10_000);
  const problems = tierProblems(body.tiers, sku.priceFen, body.maxUnits, floorFen);
  if (seconds < minDeadlineSeconds || seconds > maxDeadlineSeconds) problems.push({ path: 'body.deadline', message: `must be between ${minDeadlineSeconds} s and ${maxDeadlineSeconds} s from now` });
  if (body.maxUnitsPerMember > body.maxUnits) problems.push({ path: 'body.maxUnitsPerMember', message: 'must not be above maxUnits' });
  if (problems.length) {
    const belowFloor = body.tiers.findIndex((t) => t.priceFen < floorFen);
    throw validationFailed(problems, belowFloor >= 0 ? `第${belowFloor + 1}档团购价不能低于 ${yuan(floorFen)}（原价的 ${floorBps / 100}%）` : '开团信息有误');
  }
  const id = newId();
  for (let attempt = 0; ; attempt++) {
    try {
      await repo.insertGroup(deps.db, { id, leaderId: leader.id, storeId: body.storeId, skuId: body.skuId, tiers: JSON.stringify(body.tiers), maxUnits: body.maxUnits, maxUnitsPerMember: body.maxUnitsPerMember, deadline, shareCode: newShareCode() });
      break;
    } catch (err) {
      if (isDuplicateKey(err, 'uq_group_buys_share_code') && attempt < 5) continue;
      throw err;
    }
  }
  return getGroupBuy(deps, leader, id);
}

type Who = { userId: string } | { memberId: string; proxy?: repo.Proxy };

/**
 * Sets a member's units (0 leaves). The member row is locked first, the group's total moves by the
 * difference in one conditional UPDATE (open, before the deadline, within maxUnits).
 */
async function setUnits(conn: PoolConnection, g: { id: string; maxUnitsPerMember: number }, who: Who, units: number): Promise<void> {
  if (units > g.maxUnitsPerMember) throw validationFailed([{ path: 'body.units', message: `at most ${g.maxUnitsPerMember} per member` }], `每户最多 ${g.maxUnitsPerMember} 台`);
  if ('userId' in who) await repo.insertUserMember(conn, g.id, newId(), who.userId);
  else if (who.proxy) {
    try {
      await repo.insertProxyMember(conn, g.id, who.memberId, who.proxy);
    } catch (err) {
      if (isDuplicateKey(err, 'uq_group_buy_members_proxy_phone')) throw proxyExists();
      throw err;
    }
  }
  const member = await repo.lockMember(conn, g.id, who);
  if (!member || ('memberId' in who && member.userId !== null)) throw notFound('没有这位邻居');
  const delta = units - member.units;
  const joins = member.units === 0 && units > 0 ? 1 : member.units > 0 && units === 0 ? -1 : 0;
  await repo.moveGroupUnits(conn, g.id, delta, joins);
  await repo.setMemberUnits(conn, member.id, units);
}

/**
 * An account being deleted: it leaves every group still open (its units go back), and the phones
 * of the neighbours it joined as a leader are forgotten.
 */
export async function forgetLeavingUser(deps: Deps, userId: string): Promise<void> {
  for (const g of await repo.openStakesOf(deps.db, userId)) {
    try {
      await withTransaction(deps.db, (conn) => setUnits(conn, g, { userId }, 0));
    } catch (err) {
      // Closed meanwhile: settlement has made the order, which the orders module cancels.
      if (!(err instanceof AppError && err.code === 'GROUP_BUY_CLOSED')) throw err;
    }
  }
  await repo.forgetProxyPhonesOfLeader(deps.db, userId);
}

const proxyExists = () => new AppError(409, 'PROXY_MEMBER_EXISTS', '这位邻居（同一手机号）已经在这个团里了', [{ path: 'body.phone', message: 'this person is already in the group' }]);

export async function joinGroupBuy(deps: Deps, user: AuthUser, idOrShareCode: string, units: number) {
  const g = await repo.findGroup(deps.db, idOrShareCode);
  if (!g) throw notFound('团购不存在');
  await withTransaction(deps.db, (conn) => setUnits(conn, g, { userId: user.id }, units));
  return getGroupBuy(deps, user, g.id);
}

/**
 * A neighbour without a smartphone, joined by the group's leader: one person per group (by the
 * phone's keyed hash, a unique key), so the per-member limit is a per-person limit; the leader
 * cannot join themselves or a member already in the group under another name.
 */
export async function addProxyMember(deps: Deps, leader: AuthUser, idOrShareCode: string, body: { name: string; phone: string; units: number }) {
  const g = await repo.findGroup(deps.db, idOrShareCode);
  if (!g || g.leaderId !== leader.id) throw notFound('团购不存在');
  const phoneHash = hashPhone(deps.config.crypto, body.phone);
  if (await repo.phoneTakenInGroup(deps.db, g.id, g.leaderId, phoneHash)) throw proxyExists();
  const memberId = newId();
  await withTransaction(deps.db, (conn) =>
    setUnits(conn, g, { memberId, proxy: { name: body.name, phoneEnc: encryptPhone(deps.config.crypto, body.phone), phoneHash } }, body.units),
  );
  return { member: { id: memberId, name: body.name, phone: maskPhone(body.phone), units: body.units, proxy: true } };
}

/** The leader takes a neighbour out while the group is open; their units leave the group's total. */
export async function removeProxyMember(deps: Deps, leader: AuthUser, idOrShareCode: string, memberId: string): Promise<void> {
  const g = await repo.findGroup(deps.db, idOrShareCode);
  if (!g || g.leaderId !== leader.id) throw notFound('团购不存在');
  await withTransaction(deps.db, (conn) => setUnits(conn, g, { memberId }, 0));
}

type FailureReason = 'below_min_units' | 'out_of_stock' | 'settlement_error';

/**
 * Settles one due group if this process wins it. Returns the outcome, or null when another process
 * has it. A settlement ends: below the lowest tier, without the stock for every member, or after
 * safeguards.maxSettleAttempts tries, the group fails (members are told) instead of being retried forever.
 */
export async function settleGroupBuy(deps: Deps, groupId: string): Promise<'succeeded' | 'failed' | null> {
  const [claim] = await deps.db.query(
    `UPDATE group_buys SET status = 'settling', settling_since = NOW(3), settle_attempts = settle_attempts + 1
     WHERE id = ? AND ((status = 'open' AND deadline <= NOW(3)) OR (status = 'settling' AND settling_since < NOW(3) - INTERVAL ? SECOND))`,
    [groupId, deps.config.groupBuy.settleLeaseSeconds],
  );
  if ((claim as { affectedRows: number }).affectedRows === 0) return null;
  const outcome = await withTransaction(deps.db, async (conn) => {
    const [rows] = await conn.query(`${repo.GROUP_SELECT} WHERE id = ? FOR UPDATE`, [groupId]);
    const g = (rows as repo.GroupRow[])[0];
    if (!g || g.status !== 'settling') return null;
    const fail = async (reason: FailureReason) => {
      await conn.query("UPDATE group_buys SET status = 'failed', failure_reason = ?, settled_at = NOW(3) WHERE id = ?", [reason, groupId]);
      await publishEvent(conn, 'group_buy.failed', g.id, { groupBuyId: g.id, storeId: g.storeId, leaderId: g.leaderId, skuId: g.skuId, unitsJoined: g.unitsJoined, reason });
      return 'failed' as const;
    };
    const tiers = JSON.parse(g.tiers) as Tier[];
    const reached = reachedTier(tiers, g.unitsJoined);
    if (!reached) return fail('below_min_units');
    if (g.settleAttempts > deps.config.safeguards.maxSettleAttempts) return fail('settlement_error');
    const [memberRows] = await conn.query('SELECT id, user_id AS userId, units FROM group_buy_members WHERE group_buy_id = ? AND units > 0', [groupId]);
    const members = (memberRows as { id: string; userId: string | null; units: number }[]).map((m) => ({
      groupBuyMemberId: m.id, userId: m.userId ?? g.leaderId, units: m.units, ...(m.userId ? {} : { proxyMemberId: m.id }),
    }));
    // No commission here: it accrues order by order, when each is picked up (commissions.ts).
    try {
      await placeGroupOrdersInTx(conn, deps, { storeId: g.storeId, skuId: g.skuId, unitPriceFen: reached.priceFen, groupBuyId: g.id, members });
    } catch (err) {
      // Only the refused reservation was undone (nothing was written before it): the group fails in this transaction.
      if (err instanceof AppError && err.code === 'INSUFFICIENT_STOCK') return fail('out_of_stock');
      throw err;
    }
    await conn.query("UPDATE group_buys SET status = 'succeeded', settled_price_fen = ?, settled_at = NOW(3) WHERE id = ?", [reached.priceFen, groupId]);
    await publishEvent(conn, 'group_buy.settled', g.id, { groupBuyId: g.id, storeId: g.storeId, leaderId: g.leaderId, skuId: g.skuId, unitsJoined: g.unitsJoined, priceFen: reached.priceFen });
    return 'succeeded' as const;
  });
  return outcome;
}

const FAILURE_MESSAGES: Record<FailureReason, string> = {
  below_min_units: '拼团未成，无需付款',
  out_of_stock: '门店库存不足，拼团未成，无需付款',
  settlement_error: '拼团未能完成，无需付款',
};

/** Subscriber of group_buy.settled and group_buy.failed: every member and the leader are told (at least once). */
export async function notifyMembers(deps: Deps, event: OutboxEvent) {
  const p = event.payload as { groupBuyId: string; leaderId: string; reason?: FailureReason };
  const succeeded = event.type === 'group_buy.settled';
  const [rows] = await deps.db.query(
    `SELECT DISTINCT u.openid FROM group_buy_members m JOIN users u ON u.id = m.user_id WHERE m.group_buy_id = ? AND u.openid IS NOT NULL
     UNION SELECT u.openid FROM users u WHERE u.id = ? AND u.openid IS NOT NULL`,
    [p.groupBuyId, p.leaderId],
  );
  for (const { openid } of rows as { openid: string }[]) {
    await deps.wechat.notify({
      touser: openid,
      template: succeeded ? 'groupBuySucceeded' : 'groupBuyFailed',
      page: `pages/group-buy-detail/index?id=${p.groupBuyId}`,
      data: { thing1: { value: succeeded ? '拼团成功，请到店提货' : FAILURE_MESSAGES[p.reason ?? 'below_min_units'] } },
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
