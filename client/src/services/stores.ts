import Taro from '@tarojs/taro'
import { request } from './request'

export type StoreSummary = { id: string; name: string; type: string; address: string; distanceM?: number; phone?: string }

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
  get: (id: string) => request<StoreSummary & { regionPath: string; lat: number; lng: number; phone: string; openHours: string; services: string[] }>(`/stores/${encodeURIComponent(id)}`, { auth: false }),
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
