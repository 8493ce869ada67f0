import { request } from './request'

/** Trade-in quotes (以旧换新): the questions per category, a quote, my quotes. */
export type QuestionOption = { value: string | number | boolean; label: string; hint?: string }
export type Question = { id: string; label: string; type: 'brand' | 'number' | 'choice' | 'boolean'; options: QuestionOption[]; min?: number; max?: number; unit?: string }
export type TradeInCategory = { category: string; name: string; questions: Question[] }
export type BreakdownLine = { rule: string; label: string; amountFen: number }
export type Quote = {
  id: string
  category: string
  categoryName: string
  answers: Record<string, unknown>
  amountFen: number
  subsidyFen: number
  totalFen: number
  breakdown: BreakdownLine[]
  ruleVersion: number
  createdAt: string
  expiresAt: string
  status: 'valid' | 'expired' | 'used'
  orderId: string | null
  inspection: { condition: string; working: boolean; finalFen: number; breakdown: BreakdownLine[]; inspectedAt: string } | null
}

export const tradeInApi = {
  categories: () => request<TradeInCategory[]>('/trade-in/categories', { auth: false }),
  quote: (answers: Record<string, unknown>) => request<Quote>('/trade-in/quotes', { method: 'POST', data: answers }),
  get: (id: string) => request<Quote>(`/trade-in/quotes/${id}`),
  mine: () => request<{ items: Quote[]; nextCursor: string | null }>('/trade-in/quotes'),
}

/** Fen with a sign, for breakdown lines: +¥800 / -¥512. */
export const signedYuan = (fen: number) => `${fen < 0 ? '-' : fen > 0 ? '+' : ''}¥${(Math.abs(fen) / 100).toFixed(Math.abs(fen) % 100 === 0 ? 0 : 2)}`
