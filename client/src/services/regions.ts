import { request, requestAll } from './request'

export type Region = { code: string; name: string; level: 'province' | 'city' | 'county' | 'town' | 'village'; parentCode: string | null }
export type RegionWithPath = Region & { path: string }

export const regionsApi = {
  /** The children of a region; the provinces without a parent. */
  children: (parent?: string) => requestAll<Region>(`/regions${parent ? `?parent=${parent}` : ''}`, { auth: false, quiet: true }),
  search: (q: string) => request<{ items: RegionWithPath[] }>(`/regions/search?q=${encodeURIComponent(q)}&limit=20`, { auth: false, quiet: true }),
  get: (code: string) => request<RegionWithPath>(`/regions/${code}`, { auth: false, quiet: true }),
}
