import { request, ApiError } from './request'

export type Tier = { minUnits: number; priceFen: number }
export type GroupBuy = {
  id: string; status: 'open' | 'settling' | 'succeeded' | 'failed'; shareCode: string
  failureReason: 'below_min_units' | 'out_of_stock' | 'settlement_error' | null
  sku: { id: string; productId: string; productName: string; spec: string; brand: string; category: string; priceFen: number } | null
  store: { id: string; name: string; address: string }
  leader: { nickname: string }
  isMine: boolean
  tiers: Tier[]; unitsJoined: number; membersCount: number; maxUnits: number; maxUnitsPerMember: number
  currentPriceFen: number | null; reachedTier: Tier | null; nextTier: Tier | null; deadline: string; myUnits: number
  myOrder: { id: string; pickupCode: string | null } | null
  members?: { id: string; name: string; proxy: boolean; phone: string | null; units: number; pickupCode: string | null }[]
}

/** Why a group did not go ahead, as its members read it. */
export const FAILURE_TEXT: Record<NonNullable<GroupBuy['failureReason']>, string> = {
  below_min_units: '人数不够，未成团，无需付款',
  out_of_stock: '门店库存不足，未成团，无需付款',
  settlement_error: '拼团未能完成，无需付款',
}

export const STATUS_LABELS: Record<GroupBuy['status'], string> = { open: '拼团中', settling: '结算中', succeeded: '拼团成功', failed: '未成团' }

export const groupBuysApi = {
  list: (q: { storeId?: string; status?: string; mine?: boolean }) =>
    request<{ items: GroupBuy[] }>(`/group-buys?${[q.storeId && `storeId=${q.storeId}`, q.status && `status=${q.status}`, q.mine && 'mine=true'].filter(Boolean).join('&')}`),
  get: (idOrCode: string) => request<GroupBuy>(`/group-buys/${encodeURIComponent(idOrCode)}`),
  join: (id: string, units: number) => request<GroupBuy>(`/group-buys/${id}/join`, { method: 'POST', data: { units } }),
  leave: (id: string) => request<GroupBuy>(`/group-buys/${id}/join`, { method: 'DELETE' }),
  open: (body: { skuId: string; storeId: string; tiers: Tier[]; deadline: string; maxUnits: number; maxUnitsPerMember: number }) =>
    request<GroupBuy>('/group-buys', { method: 'POST', data: body, quiet: true }),
  addNeighbour: (id: string, body: { name: string; phone: string; units: number }) =>
    request<{ member: { id: string } }>(`/group-buys/${id}/proxy-members`, { method: 'POST', data: body, quiet: true }),
  removeNeighbour: (id: string, memberId: string) => request<void>(`/group-buys/${id}/proxy-members/${memberId}`, { method: 'DELETE' }),
  myStores: () => request<{ items: { storeId: string; storeName: string; status: string }[] }>('/leaders/me'),
  commissions: () => request<{ items: CommissionEntry[]; totalFen: number }>('/leaders/me/commissions'),
}

export type CommissionEntry = { id: string; kind: 'accrual' | 'reversal'; cause: string; orderId: string; groupBuyId: string; amountFen: number; salesFen: number; createdAt: string }

/** Why a ledger entry is there, as the leader reads it. */
export const COMMISSION_CAUSES: Record<string, string> = {
  'order.picked_up': '邻居已提货',
  'order.delivered': '已送货上门',
  'order.cancelled': '订单已取消',
  'order.expired': '订单超时未提货',
  'order.refunded': '订单已退款',
}

const FIELD_NAMES: [RegExp, (m: RegExpMatchArray) => string][] = [
  [/^body\.tiers\.(\d+)\.priceFen$/, (m) => `第${Number(m[1]) + 1}档价格`],
  [/^body\.tiers\.(\d+)\.minUnits$/, (m) => `第${Number(m[1]) + 1}档台数`],
  [/^body\.deadline$/, () => '截止时间'],
  [/^body\.maxUnitsPerMember$/, () => '每户限购'],
  [/^body\.name$/, () => '邻居姓名'],
  [/^body\.phone$/, () => '手机号'],
  [/^body\.units$/, () => '台数'],
]

const fieldName = (path: string) => FIELD_NAMES.map(([re, name]) => {
  const m = path.match(re)
  return m ? name(m) : null
}).find(Boolean)

/** Server messages that name no field: the fields from the details say more. */
const GENERIC = ['请求参数有误', '开团信息有误']

/**
 * A Chinese sentence for a refused group-buy form: the server's own message when it names the
 * field (the price floor, the same neighbour twice), otherwise the fields it names, in Chinese.
 */
export function groupBuyFormError(err: unknown): string {
  if (!(err instanceof ApiError)) return '出错了，请稍后再试'
  if (err.serverMessage && !GENERIC.includes(err.serverMessage)) return err.serverMessage
  const fields = [...new Set(err.details.map((d) => fieldName(d.path)).filter(Boolean))]
  return fields.length ? `请检查：${fields.join('、')}` : err.message
}

/** The link a leader shares (H5); the mini-program shares the page itself. */
export function shareLink(shareCode: string): string {
  const origin = typeof location !== 'undefined' ? location.origin : ''
  return `${origin}/#/pages/group-buy-detail/index?code=${shareCode}`
}
