import { View, Text, Button } from '@tarojs/components'
import Taro, { useDidShow, useRouter } from '@tarojs/taro'
import { useState } from 'react'
import Page from '../../components/Page'
import { AnswerBy, PhotoView, Stars } from '../../components/Ticket'
import { useSession } from '../../components/useSession'
import { shanghaiDate, storeTicketsApi, KIND_NAMES, STORE_STATUS_NAMES, type Reminder, type Ticket } from '../../services/after-sales'

type Tab = 'inbox' | 'calls' | 'wall'
const TABS: { id: Tab; label: string }[] = [
  { id: 'inbox', label: '工单' },
  { id: 'calls', label: '回访' },
  { id: 'wall', label: '照片墙' },
]

/**
 * The store's after-sales desk: tickets waiting for the store, nearest deadline first (late ones
 * marked plainly); the call list (回访名单) of villagers WeChat could not remind; photos customers
 * offered for the store's wall. Query: tab.
 */
export default function StoreTickets() {
  useSession()
  const { params } = useRouter()
  const [tab, setTab] = useState<Tab>((params.tab as Tab) ?? 'inbox')
  const [inbox, setInbox] = useState<Ticket[] | null>(null)
  const [calls, setCalls] = useState<Reminder[] | null>(null)
  const [wall, setWall] = useState<Ticket[] | null>(null)

  const load = () => {
    storeTicketsApi.list().then((r) => setInbox(r.items)).catch(() => setInbox([]))
    storeTicketsApi.callList().then((r) => setCalls(r.items)).catch(() => setCalls([]))
    storeTicketsApi.list({ wall: 'pending' }).then((r) => setWall(r.items)).catch(() => setWall([]))
  }
  useDidShow(load)

  const counts: Record<Tab, number | undefined> = { inbox: inbox?.length, calls: calls?.length, wall: wall?.length }
  return (
    <Page testId='store-tickets-page'>
      <View className='tabs'>
        {TABS.map((t) => (
          <View key={t.id} className={`tab${tab === t.id ? ' selected' : ''}`} data-testid={`store-tab-${t.id}`} onClick={() => setTab(t.id)}>
            {t.label}{counts[t.id] ? `（${counts[t.id]}）` : ''}
          </View>
        ))}
      </View>
      {tab === 'inbox' && <Inbox tickets={inbox} />}
      {tab === 'calls' && <CallList reminders={calls} onCalled={load} />}
      {tab === 'wall' && <WallReview tickets={wall} onDecided={load} />}
    </Page>
  )
}

function Inbox({ tickets }: { tickets: Ticket[] | null }) {
  if (tickets === null) return <View className='empty'>加载中…</View>
  if (tickets.length === 0) {
    return (
      <View className='empty' data-testid='store-inbox-empty'>
        <View>没有待处理的售后工单</View>
        <View className='muted'>村民报修后会出现在这里，24 小时内要受理</View>
      </View>
    )
  }
  return (
    <View>
      {tickets.map((t) => {
        const late = t.overdue || t.status === 'escalated'
        return (
          <View key={t.id} className={`card${late ? ' late' : ''}`} data-testid='store-ticket-card' data-status={t.status} onClick={() => Taro.navigateTo({ url: `/pages/store-ticket/index?id=${t.id}` })}>
            <View className='row'>
              <Text className='subtitle'>{t.customer?.nickname ?? '顾客'} · {KIND_NAMES[t.kind]}</Text>
              <Text className='tag'>{STORE_STATUS_NAMES[t.status]}</Text>
            </View>
            <View>{t.applianceName ?? '订单商品'}：{t.description}</View>
            <AnswerBy ticket={t} forStore />
            <View className='row'>
              <Text className='muted'>{t.store.name}</Text>
              <Text className='muted'>处理 ›</Text>
            </View>
          </View>
        )
      })}
    </View>
  )
}

function CallList({ reminders, onCalled }: { reminders: Reminder[] | null; onCalled: () => void }) {
  if (reminders === null) return <View className='empty'>加载中…</View>
  if (reminders.length === 0) {
    return (
      <View className='empty' data-testid='store-calls-empty'>
        <View>没有要回访的顾客</View>
        <View className='muted'>微信提醒不到的顾客，到了保养时间会出现在这里，请打电话告诉他们</View>
      </View>
    )
  }
  const markCalled = async (r: Reminder) => {
    const done = await storeTicketsApi.markCalled(r.id).catch(() => null)
    if (done) {
      void Taro.showToast({ title: '已记下', icon: 'success' })
      onCalled()
    }
  }
  return (
    <View>
      {reminders.map((r) => (
        <View key={r.id} className='card' data-testid='store-call'>
          <View className='subtitle'>{r.customer?.nickname ?? '顾客'}</View>
          <View>{r.appliance.name}该保养了</View>
          <View className='muted'>保养日期：{shanghaiDate(r.dueAt)}；微信没能提醒到，请打电话告诉顾客</View>
          <Button className='btn' data-testid='store-call-done' onClick={() => markCalled(r)}>已打过电话</Button>
        </View>
      ))}
    </View>
  )
}

function WallReview({ tickets, onDecided }: { tickets: Ticket[] | null; onDecided: () => void }) {
  if (tickets === null) return <View className='empty'>加载中…</View>
  if (tickets.length === 0) {
    return (
      <View className='empty' data-testid='store-wall-empty'>
        <View>没有等待审核的照片</View>
        <View className='muted'>顾客评价时晒的照片，您同意后会出现在门店的“老用户照片墙”上</View>
      </View>
    )
  }
  const decide = async (t: Ticket, approve: boolean) => {
    const done = await storeTicketsApi.decideWall(t.id, approve).catch(() => null)
    if (done) {
      void Taro.showToast({ title: approve ? '已放上照片墙' : '已不展示', icon: 'success' })
      onDecided()
    }
  }
  return (
    <View>
      {tickets.map((t) => (
        <View key={t.id} className='card' data-testid='store-wall-item'>
          <View className='row'>
            <Text className='subtitle'>{t.customer?.nickname ?? '顾客'}</Text>
            {t.rating && <Stars value={t.rating.stars} />}
          </View>
          {t.rating?.photoUrl && <PhotoView url={t.rating.photoUrl} big />}
          {t.rating?.comment && <View>{t.rating.comment}</View>}
          <View className='muted'>{t.applianceName ?? ''} · {KIND_NAMES[t.kind]}</View>
          <View className='actions'>
            <Button className='btn secondary' data-testid='store-wall-decline' onClick={() => decide(t, false)}>不展示</Button>
            <Button className='btn' data-testid='store-wall-approve' onClick={() => decide(t, true)}>放上照片墙</Button>
          </View>
        </View>
      ))}
    </View>
  )
}
