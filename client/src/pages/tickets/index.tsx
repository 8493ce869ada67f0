import { View, Text, Button } from '@tarojs/components'
import Taro, { useDidShow } from '@tarojs/taro'
import { useState } from 'react'
import Page from '../../components/Page'
import { AnswerBy } from '../../components/Ticket'
import { useSession } from '../../components/useSession'
import { canRate, shanghaiTime, ticketsApi, KIND_NAMES, STATUS_NAMES, type Ticket } from '../../services/after-sales'

/** 我的售后: every report I made, newest first, with where it stands. */
export default function MyTickets() {
  useSession()
  const [tickets, setTickets] = useState<Ticket[] | null>(null)
  const [failed, setFailed] = useState(false)
  useDidShow(() => {
    ticketsApi.mine().then((r) => { setTickets(r.items); setFailed(false) }).catch(() => setFailed(true))
  })
  return (
    <Page testId='tickets-page'>
      {failed && <View className='empty error'>加载失败，请稍后再试</View>}
      {tickets === null && !failed && <View className='empty'>加载中…</View>}
      {tickets?.length === 0 && (
        <View className='empty' data-testid='tickets-empty'>
          <View>还没有售后申请</View>
          <View className='muted'>家电坏了、要保养，在“我的家电”里点“报修”</View>
          <Button className='btn' onClick={() => Taro.navigateTo({ url: '/pages/appliances/index' })}>去我的家电</Button>
        </View>
      )}
      {tickets?.map((t) => (
        <View key={t.id} className='card' data-testid='ticket-card' data-status={t.status} onClick={() => Taro.navigateTo({ url: `/pages/ticket/index?id=${t.id}` })}>
          <View className='row'>
            <Text className='subtitle'>{t.applianceName ?? '订单商品'} · {KIND_NAMES[t.kind]}</Text>
          </View>
          <View className='row'>
            <Text className={canRate(t) ? 'warn' : ''}>{STATUS_NAMES[t.status]}</Text>
            <Text className='muted'>查看 ›</Text>
          </View>
          <AnswerBy ticket={t} />
          <View className='muted'>{t.store.name}</View>
          <View className='muted'>{shanghaiTime(t.createdAt)} 提交</View>
        </View>
      ))}
    </Page>
  )
}
