import Taro from '@tarojs/taro'
import { request } from './request'

/**
 * Paying an order online with WeChat Pay. The BFF signs requestPayment's parameters; the
 * mini-program hands them to WeChat's own cashier (Taro.requestPayment). The H5 build stands in
 * for the mini-program in development and tests: its cashier page pays at the WeChat emulator.
 * What the cashier answers proves nothing: the order page asks GET /payments/:id until WeChat Pay
 * has told the server.
 */
export type PayParams = { timeStamp: string; nonceStr: string; package: string; signType: 'RSA'; paySign: string }
export type PayStart = { paymentId: string; amountFen: number; params: PayParams; h5CashierUrl: string | null }
export type PaymentStatus = 'created' | 'paid' | 'closed' | 'refunding' | 'refunded'
export type Payment = {
  id: string
  orderId: string
  status: PaymentStatus
  amountFen: number
  refundedFen: number
  paidAt: string | null
  refunds: { id: string; amountFen: number; reason: string; status: 'processing' | 'success' | 'closed' | 'abnormal' | 'failed'; createdAt: string; succeededAt: string | null }[]
}

export const PAYMENT_LABELS: Record<PaymentStatus, string> = { created: '待付款', paid: '已付款', closed: '已关闭', refunding: '退款中', refunded: '已退款' }

export const paymentsApi = {
  start: (orderId: string) => request<PayStart>(`/orders/${orderId}/pay`, { method: 'POST' }),
  get: (id: string) => request<Payment>(`/payments/${id}`, { quiet: true }),
  /** The order's payment; a 404 means none yet (the buyer has not pressed pay). */
  ofOrder: (orderId: string) => request<Payment>(`/orders/${orderId}/payment`, { quiet: true }),
}

const CASHIER_KEY = 'xh.cashier'
type CashierVisit = PayStart & { orderId: string }

/**
 * Pays an order: WeChat's cashier in the mini-program (true when the user went through it), or in
 * H5 the stand-in cashier page, which takes over the navigation.
 */
export async function payOrder(orderId: string, how: 'navigate' | 'redirect' = 'navigate'): Promise<boolean> {
  const start = await paymentsApi.start(orderId)
  if (process.env.TARO_ENV !== 'h5') {
    return Taro.requestPayment(start.params).then(() => true, () => false)
  }
  Taro.setStorageSync(CASHIER_KEY, { ...start, orderId } satisfies CashierVisit)
  const url = `/pages/cashier/index?orderId=${orderId}`
  await (how === 'redirect' ? Taro.redirectTo({ url }) : Taro.navigateTo({ url }))
  return false
}

/** The H5 stand-in for WeChat's cashier: it talks to the emulator, not to our API. */
export const h5Cashier = {
  visit(orderId: string): CashierVisit | null {
    const v = Taro.getStorageSync<CashierVisit | ''>(CASHIER_KEY)
    return v && v.orderId === orderId && v.h5CashierUrl ? v : null
  },
  async describe(v: CashierVisit): Promise<{ description: string; amountFen: number } | null> {
    const res = await Taro.request<{ description: string; amountFen: number }>({ url: v.h5CashierUrl!, method: 'GET' }).catch(() => null)
    return res?.statusCode === 200 ? res.data : null
  },
  /** What WeChat's client does with requestPayment's parameters: 'ok', or why not. */
  async pay(v: CashierVisit): Promise<{ ok: boolean; errMsg: string }> {
    const res = await Taro.request<{ errMsg: string }>({ url: v.h5CashierUrl!, method: 'POST', data: v.params, header: { 'content-type': 'application/json' } }).catch(() => null)
    if (!res) return { ok: false, errMsg: '网络不好，请稍后再试' }
    return { ok: res.statusCode === 200, errMsg: res.data?.errMsg ?? '' }
  },
  leave() {
    Taro.removeStorageSync(CASHIER_KEY)
  },
}
