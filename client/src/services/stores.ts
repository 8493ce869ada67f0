import Taro from '@tarojs/taro'
import { request } from './request'

export type StoreSummary = { id: string; name: string; type: string; address: string; distanceM?: number; phone?: string }

export type StoreDetail = StoreSummary & { regionCode: string; regionPath?: string; lat: number; lng: number; phone: string; openHours: string; services: string[] }

export const SERVICE_NAMES: Record<string, string> = {
  delivery: '送货上门',
  installation: '安装',
  trade_in: '以旧换新',
  after_sales_24h: '24小时售后',
  haul_away: '旧机拉走',
}

export const TYPE_NAMES: Record<string, string> = { appliance: '家电门店', smart_kitchen: '智慧厨房' }

/** 850 米 / 3.2 公里 */
export const distanceText = (m: number) => (m < 1000 ? `${m} 米` : `${(m / 1000).toFixed(1)} 公里`)

const MY_STORE = 'xh.myStore'

/** The store the user chose last (group-buys and checkout start from it). */
export const myStore = {
  get: (): StoreSummary | null => Taro.getStorageSync(MY_STORE) || null,
  set: (s: StoreSummary) => Taro.setStorageSync(MY_STORE, s),
}

export async function currentLocation(): Promise<{ lat: number; lng: number } | null> {
  try {
    const loc = await Taro.getLocation({ type: 'gcj02' })
    return { lat: loc.latitude, lng: loc.longitude }
  } catch {
    return null
  }
}

export const storesApi = {
  nearby: (lat: number, lng: number, opts: { radiusKm?: number; limit?: number; type?: string } = {}) =>
    request<{ items: (StoreSummary & { distanceM: number })[] }>(
      `/stores/nearby?lat=${lat}&lng=${lng}${opts.radiusKm ? `&radiusKm=${opts.radiusKm}` : ''}${opts.limit ? `&limit=${opts.limit}` : ''}${opts.type ? `&type=${opts.type}` : ''}`,
      { auth: false, quiet: true },
    ),
  get: (id: string) => request<StoreDetail>(`/stores/${encodeURIComponent(id)}`, { auth: false }),
  /** Stores inside a region of any level; for a village, the stores serving it. */
  inRegion: (region: string, cursor?: string) =>
    request<{ items: StoreDetail[]; nextCursor: string | null }>(`/stores?region=${region}&limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { auth: false, quiet: true }),
  /** Stores to pick up from: the nearest ones when the phone gives its location, else the remembered one. */
  async choices(): Promise<StoreSummary[]> {
    const remembered = myStore.get()
    const loc = await currentLocation()
    if (loc) {
      const near = await storesApi.nearby(loc.lat, loc.lng, { limit: 5 }).catch(() => null)
      if (near?.items.length) return near.items
    }
    if (remembered) return [remembered]
    const demo = await storesApi.get('DEMO-001').catch(() => null)
    return demo ? [demo] : [{ id: 'DEMO-001', name: '星火家电 清苑镇店', type: 'appliance', address: '河北省保定市清苑区清苑镇' }]
  },
}
