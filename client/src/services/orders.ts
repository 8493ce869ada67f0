import Taro from '@tarojs/taro'
import { request, newIdempotencyKey } from './request'

export type Price = { itemsFen: number; couponFen: number; tradeInFen: number; payableFen: number }
export type Order = {
  id: string
  status: 'awaiting_pickup' | 'picked_up' | 'cancelled' | 'expired' | 'refunded'
  pickupCode: string | null
  price: Price
  items: { skuId: string; productName: string; spec: string; units: number; unitPriceFen: number; category: string }[]
  store: { id: string; name: string; address: string; phone: string }
  createdAt: string
  expiresAt: string
  pickedUpAt: string | null
  tradeInQuoteId: string | null
  couponId: string | null
  paymentMethod: string | null
  /** on_pickup: at the counter or on delivery; online: WeChat Pay before pickup. */
  paymentMode: 'on_pickup' | 'online'
  paidAt: string | null
}
export type StoreOrder = Order & { buyer: { nickname: string }; tradeIn?: { quoteId: string; creditFen: number } | null }

export const STATUS_LABELS: Record<Order['status'], string> = { awaiting_pickup: '待提货', picked_up: '已提货', cancelled: '已取消', expired: '已过期', refunded: '已退款' }

export type NewOrder = { storeId: string; items: { skuId: string; units: number }[]; couponId?: string; tradeInQuoteId?: string; payment?: 'on_pickup' | 'online' }

const cacheKey = (id: string) => `xh.order.${id}`

export const ordersApi = {
  /** The key is kept by the caller for one checkout, so a retry after a lost answer makes no second order. */
  place: (body: NewOrder, idempotencyKey = newIdempotencyKey()) =>
    request<{ id: string; status: string; pickupCode: string; price: Price; paymentMode: 'on_pickup' | 'online' }>('/orders', { method: 'POST', data: body, idempotencyKey }),
  list: (status?: string) => request<{ items: Order[]; nextCursor: string | null }>(`/orders${status ? `?status=${status}` : ''}`),
  /** An order, remembered on the phone so its pickup code still shows without signal. */
  async get(id: string): Promise<{ order: Order; offline: boolean }> {
    try {
      const order = await request<Order>(`/orders/${id}`, { quiet: true })
      Taro.setStorageSync(cacheKey(id), order)
      return { order, offline: false }
    } catch (err) {
      const cached = Taro.getStorageSync<Order | ''>(cacheKey(id))
      if (cached && (err as { code?: string }).code === 'NETWORK') return { order: cached, offline: true }
      throw err
    }
  },
  cancel: (id: string) => request<Order>(`/orders/${id}/cancel`, { method: 'POST' }),
}

export const storeConsoleApi = {
  pickups: () => request<{ items: StoreOrder[] }>('/store/pickups?status=awaiting_pickup'),
  /** Quiet: the console says in its own words why a code was not found, was used, or must wait. */
  verify: (code: string) => request<StoreOrder>('/store/pickups/verify', { method: 'POST', data: { code }, quiet: true }),
  confirm: (orderId: string, body: { code: string; paymentMethod: 'cash' | 'wechat_qr' | 'prepaid'; tradeInInspection?: { condition: string; working: boolean } }) =>
    request<StoreOrder & { tradeIn: { quotedFen: number; finalFen: number; differenceFen: number } | null }>(`/store/pickups/${orderId}/confirm`, { method: 'POST', data: body }),
}
