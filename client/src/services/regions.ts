import { request, requestAll } from './request'

export type Region = { code: string; name: string; level: 'province' | 'city' | 'county' | 'town' | 'village'; parentCode: string | null }
export type RegionWithPath = Region & { path: string }

export const regionsApi = {
  /** The children of a region; the provinces without a parent. */
  children: (parent?: string) => requestAll<Region>(`/regions${parent ? `?parent=${parent}` : ''}`, { auth: false, quiet: true }),
  /** `near`: a region where the user is (the nearest store's town, or the picker's place), so its namesakes come first. */
  search: (q: string, near?: string) =>
    request<{ items: RegionWithPath[] }>(`/regions/search?q=${encodeURIComponent(q)}&limit=20${near ? `&region=${near}` : ''}`, { auth: false, quiet: true }),
  get: (code: string) => request<RegionWithPath>(`/regions/${code}`, { auth: false, quiet: true }),
}
