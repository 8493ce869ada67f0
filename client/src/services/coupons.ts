import { request, requestAll } from './request'

export type CampaignCoupon = {
  templateId: string; title: string; kind: 'threshold' | 'direct'; thresholdFen: number; discountFen: number; categories: string[];
  total: number; remaining: number; perUserLimit: number; claimedByMe: number
}
export type Campaign = { id: string; name: string; startsAt: string; endsAt: string; coupons: CampaignCoupon[] }
export type MyCoupon = {
  id: string; templateId: string; title: string; kind: 'threshold' | 'direct'; thresholdFen: number; discountFen: number; categories: string[];
  status: 'unused' | 'used' | 'expired'; expiresAt: string
}

export const couponsApi = {
  active: () => request<{ serverTime: string; items: Campaign[] }>('/campaigns/active'),
  claim: (templateId: string) => request<{ coupon: { id: string } }>('/coupons/claim', { method: 'POST', data: { templateId } }),
  mine: (status?: MyCoupon['status']) => requestAll<MyCoupon>(`/me/coupons${status ? `?status=${status}` : ''}`),
}

/** What a coupon takes off these lines (the server has the last word): null when it does not apply. */
export function discountOf(c: Pick<MyCoupon, 'kind' | 'thresholdFen' | 'discountFen' | 'categories'>, lines: { category: string; fen: number }[]): number | null {
  const inScope = lines.filter((l) => c.categories.includes(l.category)).reduce((n, l) => n + l.fen, 0)
  if (inScope === 0 || (c.kind === 'threshold' && inScope < c.thresholdFen)) return null
  return Math.min(c.discountFen, inScope)
}

export function bestCoupon(coupons: MyCoupon[], lines: { category: string; fen: number }[]): { coupon: MyCoupon; discountFen: number } | null {
  let best: { coupon: MyCoupon; discountFen: number } | null = null
  for (const c of coupons) {
    const d = discountOf(c, lines)
    if (d !== null && (!best || d > best.discountFen)) best = { coupon: c, discountFen: d }
  }
  return best
}

export type CouponState = '未开始' | '立即领取' | '已领取' | '已抢光' | '已结束'

export function couponState(c: CampaignCoupon, campaign: Campaign, serverNow: number): CouponState {
  if (serverNow < Date.parse(campaign.startsAt)) return '未开始'
  if (serverNow >= Date.parse(campaign.endsAt)) return '已结束'
  if (c.claimedByMe >= c.perUserLimit) return '已领取'
  if (c.remaining <= 0) return '已抢光'
  return '立即领取'
}
