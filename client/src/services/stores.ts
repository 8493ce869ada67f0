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

/** WGS-84 → GCJ-02 (the published conversion; outside China the two agree). */
export function wgs84ToGcj02(lat: number, lng: number): { lat: number; lng: number } {
  if (lng < 72.004 || lng > 137.8347 || lat < 0.8293 || lat > 55.8271) return { lat, lng }
  const a = 6378245.0
  const ee = 0.006693421622965943
  const x = lng - 105.0
  const y = lat - 35.0
  let dLat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x))
  dLat += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0
  dLat += ((20.0 * Math.sin(y * Math.PI) + 40.0 * Math.sin((y / 3.0) * Math.PI)) * 2.0) / 3.0
  dLat += ((160.0 * Math.sin((y / 12.0) * Math.PI) + 320 * Math.sin((y * Math.PI) / 30.0)) * 2.0) / 3.0
  let dLng = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x))
  dLng += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0
  dLng += ((20.0 * Math.sin(x * Math.PI) + 40.0 * Math.sin((x / 3.0) * Math.PI)) * 2.0) / 3.0
  dLng += ((150.0 * Math.sin((x / 12.0) * Math.PI) + 300.0 * Math.sin((x / 30.0) * Math.PI)) * 2.0) / 3.0
  const radLat = (lat / 180.0) * Math.PI
  let magic = Math.sin(radLat)
  magic = 1 - ee * magic * magic
  const sqrtMagic = Math.sqrt(magic)
  dLat = (dLat * 180.0) / (((a * (1 - ee)) / (magic * sqrtMagic)) * Math.PI)
  dLng = (dLng * 180.0) / ((a / sqrtMagic) * Math.cos(radLat) * Math.PI)
  return { lat: lat + dLat, lng: lng + dLng }
}

/**
 * The phone's position in GCJ-02 (what the API takes). WeChat answers gcj02 itself; a browser (H5)
 * only knows WGS-84, which is converted here.
 */
export async function currentLocation(): Promise<{ lat: number; lng: number } | null> {
  try {
    const loc = await Taro.getLocation({ type: 'gcj02' })
    return { lat: loc.latitude, lng: loc.longitude }
  } catch {
    if (process.env.TARO_ENV !== 'h5') return null
  }
  try {
    const loc = await Taro.getLocation({ type: 'wgs84' })
    return wgs84ToGcj02(loc.latitude, loc.longitude)
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
  /**
   * Stores to pick up from: the nearest ones when the phone gives its location, else the remembered
   * one; none when neither is known (the page then asks the user to choose a store).
   */
  async choices(): Promise<StoreSummary[]> {
    const remembered = myStore.get()
    const loc = await currentLocation()
    if (loc) {
      const near = await storesApi.nearby(loc.lat, loc.lng, { limit: 5 }).catch(() => null)
      if (near?.items.length) return near.items
    }
    return remembered ? [remembered] : []
  },
}
