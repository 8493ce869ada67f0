import { request } from './request'

export type Tier = { minUnits: number; priceFen: number }
export type GroupBuy = {
  id: string; status: 'open' | 'settling' | 'succeeded' | 'failed'; shareCode: string
  sku: { id: string; productId: string; productName: string; spec: string; brand: string; category: string; priceFen: number } | null
  store: { id: string; name: string; address: string }
  leader: { id: string; nickname: string }
  tiers: Tier[]; unitsJoined: number; membersCount: number; maxUnits: number; maxUnitsPerMember: number
  currentPriceFen: number | null; reachedTier: Tier | null; nextTier: Tier | null; deadline: string; myUnits: number
  myOrder: { id: string; pickupCode: string | null } | null
  members?: { id: string; name: string; proxy: boolean; phone: string | null; units: number; pickupCode: string | null }[]
}

export const STATUS_LABELS: Record<GroupBuy['status'], string> = { open: '拼团中', settling: '结算中', succeeded: '拼团成功', failed: '未成团' }

export const groupBuysApi = {
  list: (q: { storeId?: string; status?: string; mine?: boolean }) =>
    request<{ items: GroupBuy[] }>(`/group-buys?${[q.storeId && `storeId=${q.storeId}`, q.status && `status=${q.status}`, q.mine && 'mine=true'].filter(Boolean).join('&')}`),
  get: (idOrCode: string) => request<GroupBuy>(`/group-buys/${encodeURIComponent(idOrCode)}`),
  join: (id: string, units: number) => request<GroupBuy>(`/group-buys/${id}/join`, { method: 'POST', data: { units } }),
  leave: (id: string) => request<GroupBuy>(`/group-buys/${id}/join`, { method: 'DELETE' }),
  open: (body: { skuId: string; storeId: string; tiers: Tier[]; deadline: string; maxUnits: number; maxUnitsPerMember: number }) =>
    request<GroupBuy>('/group-buys', { method: 'POST', data: body }),
  addNeighbour: (id: string, body: { name: string; phone: string; units: number }) => request<{ member: { id: string } }>(`/group-buys/${id}/proxy-members`, { method: 'POST', data: body }),
  myStores: () => request<{ items: { storeId: string; storeName: string; status: string }[] }>('/leaders/me'),
  commissions: () => request<{ items: { groupBuyId: string; amountFen: number; salesFen: number }[]; totalFen: number }>('/leaders/me/commissions'),
}

/** The link a leader shares (H5); the mini-program shares the page itself. */
export function shareLink(shareCode: string): string {
  const origin = typeof location !== 'undefined' ? location.origin : ''
  return `${origin}/#/pages/group-buy-detail/index?code=${shareCode}`
}
