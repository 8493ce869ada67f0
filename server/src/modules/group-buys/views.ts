import type { Deps } from '../../lib/deps';
import type { AuthUser } from '../../lib/auth';
import { notFound, validationFailed } from '../../lib/errors';
import { decryptPhone, maskPhone } from '../../lib/phone';
import { findSkus } from '../catalogue/repository';
import { nextTier, reachedTier, type Tier } from './tiers';
import * as repo from './repository';

/**
 * How groups are read: one group or a page of them in a fixed number of queries (the groups, their
 * SKUs, store and leader names, the caller's units and orders, the leader's members), whatever the
 * page's size. The leader's id is not public: a group shows its leader's nickname, and `isMine` to
 * the leader; members (and the codes of neighbours without a smartphone) only to its leader.
 */
export async function getGroupBuy(deps: Deps, user: AuthUser | null, idOrShareCode: string) {
  const g = await repo.findGroup(deps.db, idOrShareCode);
  if (!g) throw notFound('团购不存在');
  return (await present(deps, [g], user))[0];
}

export type GroupListQuery = { storeId?: string; status?: string; mine?: boolean; cursor?: string; limit?: number };

/** A store's groups (anyone), or the caller's own as a leader (`mine`); a list of every store's groups is not offered. */
export async function listGroupBuys(deps: Deps, user: AuthUser | null, q: GroupListQuery) {
  const mine = Boolean(q.mine && user);
  if (!q.storeId && !mine) throw validationFailed([{ path: 'query', message: 'storeId is required (or mine=true for a leader\'s own groups)' }], '请选择门店');
  const limit = Math.min(q.limit ?? 20, 50);
  const rows = await repo.listGroups(deps.db, { storeId: q.storeId, status: q.status, leaderId: mine ? user!.id : undefined, cursor: q.cursor, limit: limit + 1 });
  const page = rows.slice(0, limit);
  return { items: await present(deps, page, user), nextCursor: rows.length > limit ? page[page.length - 1].id : null };
}

async function present(deps: Deps, groups: repo.GroupRow[], user: AuthUser | null) {
  const ids = groups.map((g) => g.id);
  const led = user ? groups.filter((g) => g.leaderId === user.id).map((g) => g.id) : [];
  const [skus, names, stakes, members] = await Promise.all([
    findSkus(deps.db, [...new Set(groups.map((g) => g.skuId))]),
    repo.namesOf(deps.db, [...new Set(groups.map((g) => g.storeId))], [...new Set(groups.map((g) => g.leaderId))]),
    user ? repo.callerStakes(deps.db, user.id, ids) : null,
    repo.membersOfGroups(deps.db, led),
  ]);
  return groups.map((g) => {
    const tiers = JSON.parse(g.tiers) as Tier[];
    const sku = skus.get(g.skuId);
    const store = names.stores.get(g.storeId);
    const reached = reachedTier(tiers, g.unitsJoined);
    const order = g.status === 'succeeded' ? stakes?.orders.get(g.id) : undefined;
    const isMine = user?.id === g.leaderId;
    return {
      id: g.id,
      status: g.status,
      failureReason: g.failureReason,
      shareCode: g.shareCode,
      sku: sku ? { id: sku.id, productId: sku.productId, productName: sku.productName, spec: sku.spec, brand: sku.brand, category: sku.category, priceFen: sku.priceFen } : null,
      store: { id: g.storeId, name: store?.name, address: store?.address },
      leader: { nickname: names.leaders.get(g.leaderId) ?? '' },
      isMine,
      tiers,
      unitsJoined: g.unitsJoined,
      membersCount: g.membersCount,
      maxUnits: g.maxUnits,
      maxUnitsPerMember: g.maxUnitsPerMember,
      currentPriceFen: g.settledPriceFen ?? reached?.priceFen ?? sku?.priceFen ?? null,
      reachedTier: reached,
      nextTier: nextTier(tiers, g.unitsJoined),
      deadline: g.deadline.toISOString(),
      myUnits: stakes?.units.get(g.id) ?? 0,
      myOrder: order ? { id: order.id, pickupCode: order.status === 'awaiting_pickup' ? order.pickupCode : null } : null,
      ...(isMine ? { members: members.filter((m) => m.groupBuyId === g.id).map((m) => presentMember(deps, m)) } : {}),
    };
  });
}

function presentMember(deps: Deps, m: repo.MemberRow) {
  return {
    id: m.id,
    name: m.proxyName ?? m.nickname ?? '',
    proxy: m.userId === null,
    phone: m.proxyPhoneEnc ? maskPhone(decryptPhone(deps.config.crypto, m.proxyPhoneEnc)) : null,
    units: m.units,
    // A neighbour without a smartphone gets their code through the leader.
    pickupCode: m.userId === null && m.orderStatus === 'awaiting_pickup' ? m.pickupCode : null,
  };
}
