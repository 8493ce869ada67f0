import { View, Text, Button } from '@tarojs/components'
import Taro, { useDidShow, useRouter, useShareAppMessage } from '@tarojs/taro'
import { useState } from 'react'
import Page from '../../components/Page'
import Countdown from '../../components/Countdown'
import { useSession } from '../../components/useSession'
import { yuan } from '../../services/catalogue'
import { groupBuysApi, shareLink, FAILURE_TEXT, STATUS_LABELS, type GroupBuy } from '../../services/group-buys'

/** A group: tiers, progress toward the next tier, countdown, units stepper, join/leave, share. Opened by id or share code. */
export default function GroupBuyDetail() {
  useSession()
  const { params } = useRouter()
  const key = params.code ?? params.id ?? ''
  const [g, setG] = useState<GroupBuy | null>(null)
  const [units, setUnits] = useState(1)
  const [failed, setFailed] = useState(false)

  const load = () =>
    groupBuysApi
      .get(key)
      .then((r) => {
        setG(r)
        if (r.myUnits) setUnits(r.myUnits)
      })
      .catch(() => setFailed(true))
  useDidShow(() => void load())

  useShareAppMessage(() => ({ title: g ? `一起拼 ${g.sku?.productName ?? ''}，越多越便宜` : '邻里团购', path: `/pages/group-buy-detail/index?code=${g?.shareCode ?? key}` }))

  if (failed) return <Page><View className='empty error'>没有找到这个团购</View></Page>
  if (!g) return <Page><View className='empty'>加载中…</View></Page>

  const target = g.nextTier ?? g.tiers[g.tiers.length - 1]
  const progress = Math.min(100, Math.round((g.unitsJoined / Math.max(1, target.minUnits)) * 100))
  const join = async () => {
    const r = await groupBuysApi.join(g.id, units).catch(() => null)
    if (r) setG(r)
  }
  const leave = async () => {
    const r = await groupBuysApi.leave(g.id).catch(() => null)
    if (r) setG(r)
  }
  const share = () => {
    if (process.env.TARO_ENV === 'h5') Taro.setClipboardData({ data: shareLink(g.shareCode) }).catch(() => undefined)
    else void Taro.showShareMenu({ withShareTicket: false })
  }
  return (
    <Page testId='group-buy-detail-page'>
      <View className='card'>
        <View className='subtitle'>{g.sku?.productName}</View>
        <View className='muted'>{g.sku?.spec} · 原价 {g.sku ? yuan(g.sku.priceFen) : ''}</View>
        <View className='muted small'>{g.store.name} 自提 · 团长 {g.leader.nickname}</View>
        <View className='row'>
          <Text className='tag' data-testid='group-status'>{STATUS_LABELS[g.status]}</Text>
          {g.status === 'open' && <Text className='muted'>剩 <Countdown until={g.deadline} testId='group-countdown' /></Text>}
        </View>
      </View>
      <View className='card'>
        <View className='row'><Text>当前团购价</Text><Text className='price' data-testid='group-price'>{g.currentPriceFen !== null ? yuan(g.currentPriceFen) : ''}</Text></View>
        <View className='muted small' data-testid='group-units'>已拼 {g.unitsJoined} 台 · {g.membersCount} 户</View>
        <View className='progress-track'>
          <View className='progress-fill' style={{ width: `${progress}%` }} />
        </View>
        {g.nextTier && <View className='muted small'>再拼 {g.nextTier.minUnits - g.unitsJoined} 台，每台 {yuan(g.nextTier.priceFen)}</View>}
        {g.tiers.map((t) => (
          <View key={t.minUnits} className={`option${g.reachedTier?.minUnits === t.minUnits ? ' selected' : ''}`}>
            <Text>满 {t.minUnits} 台</Text>
            <Text className='price'>{yuan(t.priceFen)}/台</Text>
          </View>
        ))}
      </View>
      {g.status === 'open' && (
        <View className='card'>
          <View className='row'>
            <Text>我要 {g.myUnits ? `（已拼 ${g.myUnits} 台）` : ''}</Text>
            <View className='stepper'>
              <Button className='step' data-testid='group-minus' onClick={() => setUnits(Math.max(1, units - 1))}>－</Button>
              <Text className='units' data-testid='group-my-units'>{units}</Text>
              <Button className='step' data-testid='group-plus' onClick={() => setUnits(Math.min(g.maxUnitsPerMember, units + 1))}>＋</Button>
            </View>
          </View>
          <Button className='btn' data-testid='group-join' onClick={join}>{g.myUnits ? '改成这个数量' : '参加拼团'}</Button>
          {g.myUnits > 0 && <Button className='btn secondary' data-testid='group-leave' onClick={leave}>退出拼团</Button>}
          <Button className='btn secondary' data-testid='group-share' onClick={share}>{process.env.TARO_ENV === 'h5' ? '复制链接给邻居' : '分享给邻居'}</Button>
          <View className='muted small' data-testid='share-link'>{shareLink(g.shareCode)}</View>
        </View>
      )}
      {g.myOrder && (
        <View className='card' data-testid='group-my-order' onClick={() => Taro.navigateTo({ url: `/pages/order/index?id=${g.myOrder!.id}` })}>
          <View className='subtitle'>拼团成功，请到店提货</View>
          {g.myOrder.pickupCode && <View className='code' data-testid='group-pickup-code'>{g.myOrder.pickupCode}</View>}
          <View className='muted small'>点此查看订单 ›</View>
        </View>
      )}
      {g.status === 'failed' && <View className='banner' data-testid='group-failed'>{FAILURE_TEXT[g.failureReason ?? 'below_min_units']}</View>}
      {g.members && (
        <View className='card' data-testid='group-members'>
          <View className='subtitle'>成员（团长可见）</View>
          {g.members.map((m) => (
            <View key={m.id} className='row'>
              <Text>{m.name}{m.proxy ? `（代拼 ${m.phone}）` : ''}</Text>
              <Text>{m.units} 台{m.pickupCode ? ` · 提货码 ${m.pickupCode}` : ''}</Text>
            </View>
          ))}
        </View>
      )}
    </Page>
  )
}
