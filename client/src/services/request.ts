import Taro from '@tarojs/taro'
import { session, type User } from './session'

/**
 * The one request wrapper every page goes through: the API base from build configuration, the
 * token header, one silent re-login on 401, error codes turned into short Chinese messages shown in
 * one toast, and retries with backoff when the network fails (GET only: safe to repeat).
 */
export const API_BASE: string = process.env.TARO_APP_API_BASE ?? ''

export type ApiErrorBody = { error: { code: string; message: string; requestId?: string; details?: { path: string; message: string }[] } }

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details: { path: string; message: string }[] = [], readonly serverMessage?: string) {
    super(message)
  }
}

const MESSAGES: Record<string, string> = {
  UNAUTHENTICATED: '请先登录',
  WECHAT_CODE_INVALID: '微信登录失败，请重试',
  FORBIDDEN: '没有权限',
  NOT_FOUND: '没有找到',
  VALIDATION_FAILED: '填写的内容有误',
  MALFORMED_JSON: '请求有误',
  COUPON_SOLD_OUT: '优惠券已抢光',
  COUPON_LIMIT_REACHED: '您已领满该券',
  CAMPAIGN_NOT_STARTED: '活动还没开始',
  CAMPAIGN_ENDED: '活动已结束',
  GROUP_BUY_CLOSED: '团购已截止',
  GROUP_BUY_FULL: '团购名额已满',
  ALREADY_PICKED_UP: '该订单已提货',
  ORDER_NOT_CANCELLABLE: '订单不能取消',
  QUOTE_EXPIRED: '估价已过期，请重新估价',
  QUOTE_ALREADY_USED: '这张估价单已经用过了',
  TRADE_IN_NOT_APPLICABLE: '估价单只能抵扣同类新家电',
  COUPON_NOT_APPLICABLE: '该券不适用于本单',
  INSUFFICIENT_STOCK: '库存不足',
  OPEN_UNITS_LIMIT: '未提货的订单太多了，请先提货或取消不要的订单',
  PROXY_MEMBER_EXISTS: '这位邻居已经在团里了',
  PICKUP_CODE_MISMATCH: '提货码不对，请让顾客出示本单的提货码',
  IDEMPOTENCY_KEY_REUSED: '请求重复，请刷新后再试',
  RATE_LIMITED: '操作太频繁，请稍后再试',
  UPSTREAM_UNAVAILABLE: '微信服务繁忙，请稍后再试',
  DEPENDENCY_UNAVAILABLE: '服务繁忙，请稍后再试',
  PAYLOAD_TOO_LARGE: '内容太多了',
  NETWORK: '网络不好，请稍后再试',
  ORDER_NOT_PAYABLE: '这个订单现在不能在线支付',
  ALREADY_PAID: '订单已付款',
  PAYMENT_UNAVAILABLE: '在线支付暂不可用，请选择到店付款',
  ORDER_PREPAID: '该订单已在线支付，无需再收款',
  ORDER_NOT_PAID: '该订单没有在线支付，请现场收款',
  TICKET_STATE_CONFLICT: '工单状态已变化，请刷新',
  TICKET_ALREADY_OPEN: '这件事已经在处理中了，请看我的售后',
  IMAGE_UNREADABLE: '这张照片打不开，请换一张',
  UNSUPPORTED_MEDIA_TYPE: '只能上传照片',
  WALL_NOT_PENDING: '这张照片已经处理过了',
  REMINDER_ALREADY_CALLED: '已经回访过了',
}

/** Codes whose server message says what the short one cannot: how long to wait, when a thing happened. */
const SERVER_WORDS = new Set(['RATE_LIMITED', 'ALREADY_PICKED_UP', 'TICKET_STATE_CONFLICT', 'AFTER_SALES_WINDOW_CLOSED', 'ORDER_NOT_HANDED_OVER', 'REFUND_EXCEEDS_PAID', 'REFUND_METHOD_MISMATCH', 'ALREADY_REFUNDED', 'PAYLOAD_TOO_LARGE'])

export const messageFor = (code: string, fallback?: string) =>
  (SERVER_WORDS.has(code) ? fallback : undefined) ?? MESSAGES[code] ?? fallback ?? '出错了，请稍后再试'

export type RequestOptions = {
  method?: 'GET' | 'POST' | 'DELETE' | 'PUT'
  data?: unknown
  idempotencyKey?: string
  /** Do not show the toast (the page shows the error itself). */
  quiet?: boolean
  auth?: boolean
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

function randomNonce(): string {
  return Math.random().toString(36).slice(2, 10) + Date.now().toString(36)
}

/** A wx.login code: in the mini-program from WeChat; in H5 a WeChat-emulator code for the chosen demo openid. */
export async function obtainLoginCode(openid?: string): Promise<string | null> {
  if (process.env.TARO_ENV === 'h5') {
    const id = openid ?? session.devOpenid()
    return id ? `test_${id}.${randomNonce()}` : null
  }
  const { code } = await Taro.login()
  return code
}

export async function loginWithCode(code: string): Promise<User> {
  const res = await Taro.request({ url: `${API_BASE}/api/v1/auth/wechat/login`, method: 'POST', data: { code }, header: { 'content-type': 'application/json' } })
  if (res.statusCode !== 200) {
    const err = (res.data as ApiErrorBody).error
    throw new ApiError(res.statusCode, err?.code ?? 'UNKNOWN', messageFor(err?.code ?? '', err?.message))
  }
  const body = res.data as { token: string; user: User }
  session.save(body.token, body.user)
  return body.user
}

/**
 * How a silent re-login ended: signed in again; refused (the user must sign in); or the service
 * could not answer (MySQL restarting, WeChat slow, no signal) — then the user stays signed in and
 * is asked to try again later: a dependency failure never signs anyone out.
 */
type Relogin = 'ok' | 'refused' | 'unavailable'

let relogin: Promise<Relogin> | null = null

/** One re-login at a time, shared by every request that hit a 401. */
async function reloginOnce(): Promise<Relogin> {
  relogin ??= (async (): Promise<Relogin> => {
    try {
      const code = await obtainLoginCode()
      if (!code) return 'refused'
      await loginWithCode(code)
      return 'ok'
    } catch (err) {
      const status = err instanceof ApiError ? err.status : 0
      return status === 0 || status === 429 || status >= 500 ? 'unavailable' : 'refused'
    } finally {
      setTimeout(() => (relogin = null), 0)
    }
  })()
  return relogin
}

function toLogin() {
  session.clear()
  if (process.env.TARO_ENV === 'h5') void Taro.reLaunch({ url: '/pages/login/index' })
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? 'GET'
  let reloggedIn = false
  for (let attempt = 0; ; attempt++) {
    const header: Record<string, string> = { 'content-type': 'application/json' }
    const token = session.token()
    if (token && options.auth !== false) header.Authorization = `Bearer ${token}`
    if (options.idempotencyKey) header['Idempotency-Key'] = options.idempotencyKey
    let res: Taro.request.SuccessCallbackResult
    try {
      res = await Taro.request({ url: `${API_BASE}/api/v1${path}`, method, data: options.data as never, header, timeout: 15000 })
    } catch {
      if (method === 'GET' && attempt < 2) {
        await sleep(300 * 3 ** attempt)
        continue
      }
      if (!options.quiet) void Taro.showToast({ title: MESSAGES.NETWORK, icon: 'none' })
      throw new ApiError(0, 'NETWORK', MESSAGES.NETWORK)
    }
    if (res.statusCode === 401 && options.auth !== false && !reloggedIn) {
      reloggedIn = true
      const again = await reloginOnce()
      if (again === 'ok') continue
      if (again === 'unavailable') {
        if (!options.quiet) void Taro.showToast({ title: MESSAGES.DEPENDENCY_UNAVAILABLE, icon: 'none', duration: 2500 })
        throw new ApiError(503, 'DEPENDENCY_UNAVAILABLE', MESSAGES.DEPENDENCY_UNAVAILABLE)
      }
      toLogin()
    }
    if (res.statusCode >= 200 && res.statusCode < 300) return res.data as T
    const err = (res.data as ApiErrorBody)?.error
    const code = err?.code ?? `HTTP_${res.statusCode}`
    const message = messageFor(code, err?.message)
    if (!options.quiet) void Taro.showToast({ title: message, icon: 'none', duration: 2500 })
    throw new ApiError(res.statusCode, code, message, err?.details, err?.message)
  }
}

/**
 * A file (a photo the person just chose) sent as multipart field `file`, with the token; one silent
 * re-login on 401 like `request`. Not retried: the person can press again.
 */
export async function uploadFile<T>(path: string, filePath: string, options: Pick<RequestOptions, 'quiet'> = {}): Promise<T> {
  for (let reloggedIn = false; ; reloggedIn = true) {
    const token = session.token()
    let res: Taro.uploadFile.SuccessCallbackResult
    try {
      res = await Taro.uploadFile({ url: `${API_BASE}/api/v1${path}`, filePath, name: 'file', header: token ? { Authorization: `Bearer ${token}` } : {} })
    } catch {
      if (!options.quiet) void Taro.showToast({ title: MESSAGES.NETWORK, icon: 'none' })
      throw new ApiError(0, 'NETWORK', MESSAGES.NETWORK)
    }
    if (res.statusCode === 401 && !reloggedIn && (await reloginOnce()) === 'ok') continue
    let body: unknown
    try {
      body = typeof res.data === 'string' ? JSON.parse(res.data) : res.data
    } catch {
      body = null
    }
    if (res.statusCode >= 200 && res.statusCode < 300) return body as T
    const err = (body as ApiErrorBody | null)?.error
    const code = err?.code ?? `HTTP_${res.statusCode}`
    const message = messageFor(code, err?.message)
    if (!options.quiet) void Taro.showToast({ title: message, icon: 'none', duration: 2500 })
    throw new ApiError(res.statusCode, code, message, err?.details, err?.message)
  }
}

/** An idempotency key for one user action (kept by the page so a retry sends the same key). */
export function newIdempotencyKey(): string {
  return `${Date.now().toString(36)}-${randomNonce()}-${randomNonce()}`
}

/**
 * Every item of a short list (a picker's regions, my coupons), following nextCursor page by page;
 * `path` carries the list's own query, the pages add `limit` and `cursor`.
 */
export async function requestAll<T>(path: string, options: RequestOptions = {}): Promise<{ items: T[] }> {
  const items: T[] = []
  let cursor: string | null = null
  do {
    const sep = path.includes('?') ? '&' : '?'
    const page: { items: T[]; nextCursor: string | null } = await request(`${path}${sep}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, options)
    items.push(...page.items)
    cursor = page.nextCursor
  } while (cursor)
  return { items }
}
