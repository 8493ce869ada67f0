import Taro from '@tarojs/taro'
import { newIdempotencyKey, request, uploadFile } from './request'

/**
 * After-sales (24小时售后管家): my appliances, tickets and reminders; the store's inbox, call list
 * and photo wall; the grid manager's stores and weekly figures.
 */
export type Appliance = {
  id: string
  category: string
  categoryName: string
  brand: string
  name: string
  model: string | null
  serialNumber: string | null
  source: 'order' | 'self'
  orderId: string | null
  storeId: string | null
  installedAt: string
  ageYears: number
  warrantyUntil: string | null
  inWarranty: boolean
  nextMaintenanceAt: string | null
  typicalLifeYears: number | null
  replacement: { suggested: boolean; tradeInPrefill: { category: string; brand: string; ageYears: number } | null } | null
}

export type TicketKind = 'repair' | 'return' | 'exchange' | 'install_issue' | 'maintenance'
export type TicketStatus = 'submitted' | 'escalated' | 'accepted' | 'scheduled' | 'resolved' | 'refunded' | 'closed' | 'rejected' | 'cancelled'
export type TicketEvent = { seq: number; actor: 'villager' | 'store' | 'technician' | 'system'; actorName: string | null; action: string; fromState: TicketStatus | null; toState: TicketStatus; note: string | null; at: string }
export type Photo = { id: string; url: string; width: number; height: number }
export type Ticket = {
  id: string
  kind: TicketKind
  status: TicketStatus
  store: { id: string; name: string; phone: string }
  applianceId: string | null
  applianceName: string | null
  orderId: string | null
  description: string
  respondBy: string
  overdue: boolean
  escalatedAt: string | null
  acceptedAt: string | null
  resolvedAt: string | null
  closedAt: string | null
  rejectReason: string | null
  visit: { id: string; startsAt: string | null; endsAt: string | null } | null
  rating: { stars: number; comment: string | null; photoId: string | null; photoUrl: string | null; wallStatus: string | null; ratedAt: string | null } | null
  photos: Photo[]
  refund: { amountFen: number; method: string; at: string } | null
  customer: { nickname: string } | null
  createdAt: string
  events: TicketEvent[]
}
export type Reminder = {
  id: string
  appliance: { id: string; name: string; category: string; categoryName: string }
  storeId: string | null
  cycle: string
  dueAt: string
  channel: 'pending' | 'sent' | 'call_list' | 'unreachable'
  notifiedAt: string | null
  calledAt: string | null
  callNote: string | null
  customer: { nickname: string } | null
}
export type WallItem = { ticketId: string; photo: { url: string; width: number; height: number }; stars: number; comment: string | null; nickname: string; applianceName: string | null; ratedAt: string }
export type WeekFigures = { week: string; ticketsOpened: number; answeredInTime: number; answeredRate: number | null; ratings: number; averageRating: number | null; remindersDone: number }
export type GridStore = { id: string; name: string; open: number; escalated: number; overdue: number; thisWeek: WeekFigures }
export type StoreWeekly = { store: { id: string; name: string }; open: number; escalated: number; overdue: number; asOf: string; weeks: WeekFigures[] }
/** The owner's day in numbers (the full lists are on their own pages). */
export type StoreToday = { date: string; pickups: { count: number }; visits: { count: number }; tickets: { open: number; overdue: number }; reminders: { toCall: number } }
type List<T> = { items: T[]; nextCursor: string | null }

export const KIND_NAMES: Record<TicketKind, string> = { repair: '报修', return: '退货', exchange: '换货', install_issue: '安装问题', maintenance: '保养' }
export const KIND_HINTS: Record<TicketKind, string> = {
  repair: '坏了、不制冷、漏水、有异响',
  maintenance: '清洗、检查、加氟',
  install_issue: '装得不好、位置不对',
  exchange: '刚买的有质量问题，换一台',
  return: '刚买的不想要了，退钱',
}
export const STATUS_NAMES: Record<TicketStatus, string> = {
  submitted: '等门店受理', escalated: '已超时，已上报', accepted: '门店已受理', scheduled: '已约好上门', resolved: '已处理好，请评价',
  refunded: '已退款，请评价', closed: '已完成', rejected: '门店未受理', cancelled: '已取消',
}
/** The same states as the store reads them. */
export const STORE_STATUS_NAMES: Record<TicketStatus, string> = {
  submitted: '待受理', escalated: '已超时，已上报', accepted: '已受理，待处理', scheduled: '已约上门', resolved: '已处理，等顾客评价',
  refunded: '已退款，等顾客评价', closed: '已完成', rejected: '已拒绝', cancelled: '顾客已撤销',
}
export const STAR_WORDS = ['很不满意', '不太满意', '一般', '满意', '非常满意']
const ACTION_NAMES: Record<string, string> = {
  submit: '提交了申请', escalate: '超过24小时没人受理，已上报网格经理', accept: '受理了', reject: '没有受理', schedule: '约好了上门时间',
  resolve: '处理好了', refund: '退了款', rate: '评价了', cancel: '取消了申请',
}
export const REFUND_METHOD_NAMES: Record<string, string> = { cash: '现金', wechat_qr: '微信收款码', online: '原路退回微信' }

/** Waiting for the store (the inbox and the grid manager count these as open). */
export const isWaiting = (t: Ticket) => t.status === 'submitted' || t.status === 'escalated'
export const canCancel = (t: Ticket) => t.status === 'submitted' || t.status === 'escalated' || t.status === 'accepted'
export const canRate = (t: Ticket) => t.status === 'resolved' || t.status === 'refunded'

/** One line of the timeline, in plain words: who did what (the store sees its people's names). */
export function eventText(e: TicketEvent, forStore = false): string {
  const what = ACTION_NAMES[e.action] ?? e.action
  if (e.actor === 'system') return what
  if (e.actor === 'villager') return `${forStore ? (e.actorName ?? '顾客') : '您'}${what}`
  if (e.actor === 'technician') return `师傅${what}`
  return `门店${forStore && e.actorName ? `（${e.actorName}）` : ''}${what}`
}

/** 11月30日 14:05, in the business's time zone. */
export function shanghaiTime(iso: string): string {
  const d = new Date(Date.parse(iso) + 8 * 3_600_000)
  return `${d.getUTCMonth() + 1}月${d.getUTCDate()}日 ${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`
}

export function shanghaiDate(iso: string): string {
  const d = new Date(Date.parse(iso) + 8 * 3_600_000)
  return `${d.getUTCFullYear()}年${d.getUTCMonth() + 1}月${d.getUTCDate()}日`
}

/** Hours and minutes left until the store must answer, or how long it is overdue. */
export function answerByText(t: Ticket, now = Date.now()): string {
  const ms = Date.parse(t.respondBy) - now
  const span = (x: number) => {
    const m = Math.max(1, Math.round(Math.abs(x) / 60_000))
    return m >= 60 ? `${Math.floor(m / 60)}小时${m % 60 ? `${m % 60}分` : ''}` : `${m}分钟`
  }
  return ms > 0 ? `还剩${span(ms)}` : `已超时${span(ms)}`
}

export type NewTicket = { kind: TicketKind; applianceId?: string; orderId?: string; storeId?: string; description: string; photoIds?: string[] }
export type Rating = { stars: number; comment?: string; photoId?: string; showOnWall?: boolean }

/** A photo from the album or the camera, uploaded at once; null when the person changed their mind. */
export async function choosePhoto(): Promise<Photo | null> {
  const picked = await Taro.chooseImage({ count: 1, sizeType: ['compressed'], sourceType: ['album', 'camera'] }).catch(() => null)
  const path = picked?.tempFilePaths[0]
  if (!path) return null
  void Taro.showLoading({ title: '正在上传照片' })
  try {
    const photo = await uploadFile<Photo>('/photos', path, { quiet: true })
    void Taro.hideLoading()
    return photo
  } catch (err) {
    // The loading toast goes first, or it would hide the reason.
    void Taro.hideLoading()
    void Taro.showToast({ title: (err as Error).message, icon: 'none', duration: 2500 })
    throw err
  }
}

export const appliancesApi = {
  list: () => request<List<Appliance>>('/me/appliances?limit=50'),
  get: (id: string) => request<Appliance>(`/me/appliances/${id}`),
  add: (body: { category: string; brand: string; ageYears: number; storeId?: string }) => request<Appliance>('/me/appliances', { method: 'POST', data: body }),
  reminders: () => request<List<Reminder>>('/me/reminders?limit=20'),
}

export const ticketsApi = {
  /** The key is kept by the page for one report, so a retry after a lost answer opens no second ticket. */
  open: (body: NewTicket, idempotencyKey = newIdempotencyKey()) => request<Ticket>('/tickets', { method: 'POST', data: body, idempotencyKey }),
  mine: () => request<List<Ticket>>('/tickets?limit=50'),
  get: (id: string) => request<Ticket>(`/tickets/${id}`),
  cancel: (id: string) => request<Ticket>(`/tickets/${id}/cancel`, { method: 'POST', data: {} }),
  rate: (id: string, rating: Rating) => request<Ticket>(`/tickets/${id}/rate`, { method: 'POST', data: rating }),
}

export const storeTicketsApi = {
  /** Open tickets (default), nearest deadline first; `wall: 'pending'` the photos waiting for approval. */
  list: (q: { status?: string; storeId?: string; wall?: 'pending' } = {}) => {
    const qs = Object.entries({ limit: '50', ...q }).filter(([, v]) => v).map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`).join('&')
    return request<List<Ticket>>(`/store/tickets?${qs}`)
  },
  get: (id: string) => request<Ticket>(`/store/tickets/${id}`),
  today: () => request<StoreToday>('/store/today', { quiet: true }),
  accept: (id: string) => request<Ticket>(`/store/tickets/${id}/accept`, { method: 'POST', data: {} }),
  reject: (id: string, reason: string) => request<Ticket>(`/store/tickets/${id}/reject`, { method: 'POST', data: { reason } }),
  resolve: (id: string) => request<Ticket>(`/store/tickets/${id}/resolve`, { method: 'POST', data: {} }),
  refund: (id: string, amountFen: number, method: 'cash' | 'wechat_qr' | 'online') => request<Ticket>(`/store/tickets/${id}/refund`, { method: 'POST', data: { amountFen, method } }),
  decideWall: (id: string, approve: boolean) => request<Ticket>(`/store/tickets/${id}/wall`, { method: 'POST', data: { approve } }),
  callList: (status: 'to_call' | 'called' = 'to_call') => request<List<Reminder>>(`/store/reminders?status=${status}&limit=50`),
  markCalled: (id: string, note?: string) => request<Reminder>(`/store/reminders/${id}/called`, { method: 'POST', data: note ? { note } : {} }),
}

export const gridApi = {
  stores: () => request<List<GridStore>>('/grid/stores?limit=50'),
  weekly: (storeId: string, weeks = 8) => request<StoreWeekly>(`/grid/stores/${encodeURIComponent(storeId)}/weekly?weeks=${weeks}`),
}

export const wallApi = {
  of: (storeId: string) => request<List<WallItem>>(`/stores/${encodeURIComponent(storeId)}/wall?limit=20`, { auth: false, quiet: true }),
}
