import type { Module } from '../index';
import { API_BASE, defineRoute, z, ListQuery, listOf } from '../../lib/http';
import { PHONE_PATTERN } from '../../lib/phone';
import { addProxyMember, joinGroupBuy, openGroupBuy, removeProxyMember } from './service';
import { getGroupBuy, listGroupBuys } from './views';
import { myCommissions } from './commissions';

const CommissionLedger = z.object({
  items: z.array(z.object({
    id: z.string(), kind: z.enum(['accrual', 'reversal']),
    cause: z.string().openapi({ description: 'the event that made the entry: order.picked_up, order.delivered, order.cancelled, order.expired, order.refunded' }),
    orderId: z.string(), groupBuyId: z.string(), storeId: z.string(), salesFen: z.number().int(), rateBp: z.number().int(), amountFen: z.number().int(), createdAt: z.string(),
  })),
  totalFen: z.number().int(),
  nextCursor: z.string().nullable(),
}).openapi('CommissionLedger');

const TierSchema = z.object({ minUnits: z.number().int(), priceFen: z.number().int() });
const GroupMember = z.object({ id: z.string(), name: z.string(), proxy: z.boolean(), phone: z.string().nullable(), units: z.number().int(), pickupCode: z.string().nullable() });
const GroupBuyView = z
  .object({
    id: z.string(),
    status: z.enum(['open', 'settling', 'succeeded', 'failed']),
    failureReason: z.enum(['below_min_units', 'out_of_stock', 'settlement_error']).nullable().describe('why a failed group failed'),
    shareCode: z.string(),
    sku: z.object({ id: z.string(), productId: z.string(), productName: z.string(), spec: z.string(), brand: z.string(), category: z.string(), priceFen: z.number().int() }).nullable(),
    store: z.object({ id: z.string(), name: z.string(), address: z.string() }),
    leader: z.object({ nickname: z.string() }).describe('no id: leaders are not exposed publicly'),
    isMine: z.boolean().describe("the caller leads this group"),
    tiers: z.array(TierSchema),
    unitsJoined: z.number().int(),
    membersCount: z.number().int(),
    maxUnits: z.number().int(),
    maxUnitsPerMember: z.number().int(),
    currentPriceFen: z.number().int().nullable(),
    reachedTier: TierSchema.nullable(),
    nextTier: TierSchema.nullable(),
    deadline: z.string(),
    myUnits: z.number().int(),
    myOrder: z.object({ id: z.string(), pickupCode: z.string().nullable() }).nullable(),
    members: z.array(GroupMember).optional().describe("the group's leader only"),
  })
  .openapi('GroupBuy');

const Id = z.object({ id: z.string().min(1).max(26) }).strict();
const Tier = z.object({ minUnits: z.number().int().min(1).max(100_000), priceFen: z.number().int().min(1).max(100_000_000) }).strict();

export const groupBuysModule: Module = {
  name: 'group-buys',
  register({ api, deps }) {
    defineRoute(api, API_BASE, {
      method: 'post', path: '/group-buys', summary: 'Open a group-buy (an approved leader of the store)', tags: ['group-buys'], access: ['leader'], status: 201,
      body: z.object({
        skuId: z.string().min(1).max(40),
        storeId: z.string().min(1).max(32),
        tiers: z.array(Tier).min(1).max(10),
        deadline: z.iso.datetime({ offset: true }),
        maxUnits: z.number().int().min(1).max(100_000),
        maxUnitsPerMember: z.number().int().min(1).max(1000),
      }).strict().openapi('NewGroupBuy'),
      response: GroupBuyView,
      handler: ({ body, user }) => openGroupBuy(deps, user!, body),
    });
    defineRoute(api, API_BASE, {
      method: 'get', path: '/group-buys', summary: 'Group-buys of a store (storeId required), or mine as a leader (mine=true)', tags: ['group-buys'], access: 'public',
      query: ListQuery.extend({ storeId: z.string().min(1).max(32).optional(), status: z.enum(['open', 'settling', 'succeeded', 'failed']).optional(), mine: z.enum(['true', 'false']).optional() }).strict(),
      response: listOf(GroupBuyView),
      handler: ({ query, user }) => listGroupBuys(deps, user, { ...query, mine: query.mine === 'true' }),
    });
    defineRoute(api, API_BASE, {
      method: 'get', path: '/group-buys/:id', summary: 'A group-buy, by id or share code', tags: ['group-buys'], access: 'public', params: Id, response: GroupBuyView,
      handler: ({ params, user }) => getGroupBuy(deps, user, params.id),
    });
    defineRoute(api, API_BASE, {
      method: 'post', path: '/group-buys/:id/join', summary: "Join, or set the caller's units", tags: ['group-buys'], access: 'user', params: Id,
      body: z.object({ units: z.number().int().min(1).max(1000) }).strict(), response: GroupBuyView,
      errors: [{ status: 409, code: 'GROUP_BUY_CLOSED' }, { status: 409, code: 'GROUP_BUY_FULL' }],
      handler: ({ params, body, user }) => joinGroupBuy(deps, user!, params.id, body.units),
    });
    defineRoute(api, API_BASE, {
      method: 'delete', path: '/group-buys/:id/join', summary: 'Leave while open', tags: ['group-buys'], access: 'user', params: Id, response: GroupBuyView,
      errors: [{ status: 409, code: 'GROUP_BUY_CLOSED' }],
      handler: ({ params, user }) => joinGroupBuy(deps, user!, params.id, 0),
    });
    defineRoute(api, API_BASE, {
      method: 'post', path: '/group-buys/:id/proxy-members', summary: 'Join a neighbour without a smartphone (its leader)', tags: ['group-buys'], access: ['leader'], params: Id, status: 201,
      body: z.object({ name: z.string().trim().min(1).max(40), phone: z.string().regex(PHONE_PATTERN, 'a mainland mobile number'), units: z.number().int().min(1).max(1000) }).strict(),
      response: z.object({ member: GroupMember.omit({ pickupCode: true }) }),
      errors: [{ status: 409, code: 'GROUP_BUY_CLOSED' }, { status: 409, code: 'GROUP_BUY_FULL' }, { status: 409, code: 'PROXY_MEMBER_EXISTS' }],
      handler: ({ params, body, user }) => addProxyMember(deps, user!, params.id, body),
    });
    defineRoute(api, API_BASE, {
      method: 'delete', path: '/group-buys/:id/proxy-members/:memberId', summary: 'Take a neighbour out of the group while it is open (its leader)', tags: ['group-buys'], access: ['leader'],
      params: z.object({ id: z.string().min(1).max(26), memberId: z.string().min(1).max(26) }).strict(), status: 204,
      errors: [{ status: 409, code: 'GROUP_BUY_CLOSED' }],
      handler: ({ params, user }) => removeProxyMember(deps, user!, params.id, params.memberId),
    });
    defineRoute(api, API_BASE, {
      method: 'get', path: '/leaders/me/commissions', summary: "The leader's commission ledger: accruals on picked-up or delivered orders, reversals on cancel, expiry or refund", tags: ['group-buys'], access: ['leader'],
      query: ListQuery, response: CommissionLedger,
      handler: ({ query, user }) => myCommissions(deps, user!, query),
    });
  },
};
