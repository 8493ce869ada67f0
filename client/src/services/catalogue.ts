import { request, API_BASE } from './request'

export type Product = { id: string; name: string; brand: string; category: string; priceFen: number; imageUrl: string; tags: string[]; description: string }
export type ProductDetail = Product & { skus: { id: string; spec: string; priceFen: number; available: number }[] }
export type Page<T> = { items: T[]; nextCursor: string | null }

export const CATEGORY_NAMES: Record<string, string> = {
  air_conditioner: '空调', refrigerator: '冰箱', washing_machine: '洗衣机', tv: '电视', water_heater: '热水器', range_hood: '油烟机',
  gas_hob: '燃气灶', integrated_stove: '集成灶', dishwasher: '洗碗机', robot_vacuum: '扫地机', small_kitchen: '厨房小电',
}

export const imageSrc = (url: string) => (url.startsWith('/') ? `${API_BASE}${url}` : url)

export const yuan = (fen: number) => `¥${(fen / 100).toFixed(fen % 100 === 0 ? 0 : 2)}`

export const catalogueApi = {
  products(q: { category?: string; brand?: string; tag?: string; q?: string; cursor?: string } = {}) {
    const qs = Object.entries(q).filter(([, v]) => v).map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`).join('&')
    return request<Page<Product>>(`/products${qs ? `?${qs}` : ''}`, { auth: false })
  },
  product: (id: string) => request<ProductDetail>(`/products/${encodeURIComponent(id)}`, { auth: false }),
  brands: (category?: string) => request<{ brands: string[] }>(`/categories${category ? `?category=${category}` : ''}`, { auth: false }),
}
