import { View, Text } from '@tarojs/components'
import Taro, { useDidShow } from '@tarojs/taro'
import { useState } from 'react'
import Page from '../../components/Page'
import { AnswerBy } from '../../components/Ticket'
import { useSession } from '../../components/useSession'
import { gridApi, storeTicketsApi, KIND_NAMES, STORE_STATUS_NAMES, type GridStore, type StoreWeekly, type Ticket } from '../../services/after-sales'

const percent = (rate: number | null) => (rate === null ? '—' : `${Math.round(rate * 100)}%`)
/** 2026-11-23 → 11/23 */
const weekLabel = (monday: string) => `${Number(monday.slice(5, 7))}/${Number(monday.slice(8, 10))}`

/**
 * The grid manager's board (网格经理): my stores with their open, escalated and late tickets and this
 * week's figures; one store's last 8 weeks as bars; the tickets still waiting, late ones first.
 */
export default function GridBoard() {
  useSession()
  const [stores, setStores] = useState<GridStore[] | null>(null)
  const [tickets, setTickets] = useState<Ticket[] | null>(null)
  const [weekly, setWeekly] = useState<StoreWeekly | null>(null)

  useDidShow(() => {
    gridApi.stores().then((r) => setStores(r.items)).catch(() => setStores([]))
    storeTicketsApi.list().then((r) => setTickets(r.items)).catch(() => setTickets([]))
  })
  const showWeeks = (storeId: string) => {
    if (weekly?.store.id === storeId) return setWeekly(null)
    gridApi.weekly(storeId).then(setWeekly).catch(() => undefined)
  }

  const late = tickets?.filter((t) => t.status === 'escalated' || t.overdue) ?? []
  const waiting = tickets?.filter((t) => !(t.status === 'escalated' || t.overdue)) ?? []
  return (
    <Page testId='grid-page'>
      <View className='card'>
        <View className='subtitle'>我负责的门店</View>
        {stores === null && <View className='muted'>加载中…</View>}
        {stores?.length === 0 && <View className='muted'>还没有分配门店，请联系运营</View>}
        {stores && stores.length > 0 && (
          <View>
            <View className='table-row head'>
              <Text className='cell name'>门店</Text>
              <Text className='cell'>待处理</Text>
              <Text className='cell'>超时</Text>
              <Text className='cell'>及时率</Text>
            </View>
            {stores.map((s) => (
              <View key={s.id}>
                <View className='table-row' data-testid='grid-store' data-store={s.id} onClick={() => showWeeks(s.id)}>
                  <Text className='cell name'>{s.name} ›</Text>
                  <Text className='cell' data-testid='grid-store-open'>{s.open}</Text>
                  <Text className={`cell${s.escalated + s.overdue > 0 ? ' warn' : ''}`} data-testid='grid-store-escalated'>{Math.max(s.escalated, s.overdue)}</Text>
                  <Text className='cell'>{percent(s.thisWeek.answeredRate)}</Text>
                </View>
                {weekly?.store.id === s.id && <Weeks weekly={weekly} />}
              </View>
            ))}
            <View className='muted'>点门店名看最近 8 周</View>
          </View>
        )}
      </View>

      <View className='subtitle'>超时未受理（{late.length}）</View>
      {tickets !== null && late.length === 0 && <View className='empty'>没有超时的工单，很好</View>}
      {late.map((t) => <GridTicket key={t.id} ticket={t} />)}

      <View className='subtitle'>等待处理（{waiting.length}）</View>
      {tickets !== null && waiting.length === 0 && <View className='empty'>没有等待处理的工单</View>}
      {waiting.map((t) => <GridTicket key={t.id} ticket={t} />)}
    </Page>
  )
}

function GridTicket({ ticket: t }: { ticket: Ticket }) {
  const late = t.status === 'escalated' || t.overdue
  return (
    <View className={`card${late ? ' late' : ''}`} data-testid='grid-ticket' data-status={t.status} onClick={() => Taro.navigateTo({ url: `/pages/store-ticket/index?id=${t.id}` })}>
      <View className='row'>
        <Text className='subtitle'>{t.store.name}</Text>
        <Text className='tag'>{STORE_STATUS_NAMES[t.status]}</Text>
      </View>
      <View>{t.customer?.nickname ?? '顾客'} · {t.applianceName ?? '订单商品'} · {KIND_NAMES[t.kind]}</View>
      <View>“{t.description}”</View>
      <AnswerBy ticket={t} forStore />
      <View className='muted'>门店电话 {t.store.phone}</View>
    </View>
  )
}

/** Tickets opened per week as bars, the part answered in time darker; the rating beside. */
function Weeks({ weekly }: { weekly: StoreWeekly }) {
  const most = Math.max(1, ...weekly.weeks.map((w) => w.ticketsOpened))
  return (
    <View className='bars' data-testid='grid-weeks'>
      <View className='muted'>{weekly.store.name}：每周工单数（深色为 24 小时内受理）</View>
      {weekly.weeks.map((w) => (
        <View key={w.week} className='bar-row'>
          <Text className='bar-label'>{weekLabel(w.week)}</Text>
          <View className='bar-track'>
            <View className='bar-fill' style={{ width: `${(w.ticketsOpened / most) * 100}%` }} />
            <View className='bar-fill in-time' style={{ width: `${(w.answeredInTime / most) * 100}%` }} />
          </View>
          <Text className='bar-value'>{w.ticketsOpened} 单{w.averageRating !== null ? ` ${w.averageRating}★` : ''}</Text>
        </View>
      ))}
    </View>
  )
}
