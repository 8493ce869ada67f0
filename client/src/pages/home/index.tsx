import { View, Text, Button } from '@tarojs/components'
import Taro, { useDidHide, useDidShow } from '@tarojs/taro'
import { useEffect, useRef, useState } from 'react'
import Page from '../../components/Page'
import './index.css'
import { CATEGORY_NAMES, yuan } from '../../services/catalogue'
import { couponsApi, couponState, type Campaign } from '../../services/coupons'
import { session } from '../../services/session'

/** Counts down with the server's clock, not the phone's (old phones are often minutes off). */
function useServerClock(serverTime: string | null) {
  const offset = useRef(0)
  const [now, setNow] = useState(Date.now())
  useEffect(() => {
    if (serverTime) offset.current = Date.parse(serverTime) - Date.now()
    setNow(Date.now() + offset.current)
    const timer = setInterval(() => setNow(Date.now() + offset.current), 1000)
    return () => clearInterval(timer)
  }, [serverTime])
  return now
}

function countdown(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000))
  const d = Math.floor(s / 86400)
  const h = Math.floor((s % 86400) / 3600)
  const m = Math.floor((s % 3600) / 60)
  const sec = s % 60
  return `${d > 0 ? `${d}天` : ''}${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}`
}

export default function Home() {
  const [campaigns, setCampaigns] = useState<Campaign[] | null>(null)
  const [serverTime, setServerTime] = useState<string | null>(null)
  const [failed, setFailed] = useState(false)
  const now = useServerClock(serverTime)
  const go = (url: string) => Taro.navigateTo({ url })

  const load = () =>
    couponsApi
      .active()
      .then((r) => {
        setCampaigns(r.items)
        setServerTime(r.serverTime)
        setFailed(false)
      })
      .catch(() => setFailed(true))
  // Remaining counts are live: refresh every 10 s while the page is shown, and not at all while
  // another page (or another app) is in front: a hidden tab would spend a villager's data for nothing.
  const poll = useRef<ReturnType<typeof setInterval> | null>(null)
  const stopPolling = () => {
    if (poll.current) clearInterval(poll.current)
    poll.current = null
  }
  useDidShow(() => {
    void load()
    stopPolling()
    poll.current = setInterval(() => void load(), 10000)
  })
  useDidHide(stopPolling)
  useEffect(() => stopPolling, [])

  // One tap, one claim: the button waits for the answer (the request wrapper toasts any error).
  const [claiming, setClaiming] = useState<string | null>(null)
  const claim = async (templateId: string) => {
    if (!session.token()) return go('/pages/login/index')
    if (claiming) return
    setClaiming(templateId)
    const ok = await couponsApi.claim(templateId).catch(() => null)
    setClaiming(null)
    if (ok) void Taro.showToast({ title: '领取成功', icon: 'success' })
    void load()
  }

  return (
    <Page testId='home-page'>
      <View className='title'>星火家电</View>
      {failed && <View className='card error'>活动加载失败，请稍后再试</View>}
      {campaigns?.map((c) => {
        const opens = Date.parse(c.startsAt)
        return (
          <View key={c.id} className='card' data-testid={`campaign-${c.id}`}>
            <View className='subtitle'>{c.name}</View>
            {now < opens ? (
              <View className='banner' data-testid={`countdown-${c.id}`}>距开抢 {countdown(opens - now)}</View>
            ) : (
              <View className='muted small'>活动进行中，截止 {new Date(c.endsAt).toLocaleDateString('zh-CN')}</View>
            )}
            {c.coupons.map((k) => {
              const state = couponState(k, c, now)
              return (
                <View key={k.templateId} className='option' data-testid={`coupon-${k.templateId}`}>
                  <View className='coupon-terms'>
                    <View className='price'>{k.kind === 'threshold' ? `满${yuan(k.thresholdFen)}减${yuan(k.discountFen)}` : `立减${yuan(k.discountFen)}`}</View>
                    <View className='muted small'>{k.categories.map((x) => CATEGORY_NAMES[x] ?? x).join('、')}</View>
                    <View className='small'>还剩 <Text data-testid={`remaining-${k.templateId}`}>{k.remaining}</Text> / {k.total} 张</View>
                  </View>
                  <Button className={`btn coupon-claim${state === '立即领取' ? '' : ' disabled'}`} disabled={state !== '立即领取' || claiming !== null} loading={claiming === k.templateId} data-testid={`claim-${k.templateId}`} onClick={() => claim(k.templateId)}>
                    {state}
                  </Button>
                </View>
              )
            })}
          </View>
        )
      })}
      <View className='card' data-testid='home-new-season' onClick={() => go('/pages/products/index?tag=new_season')}>
        <View className='subtitle'>新品季好物</View>
        <View className='muted'>空调、厨卫新品，门店自提，到店付款</View>
      </View>
      <View className='card' data-testid='home-trade-in' onClick={() => go('/pages/trade-in/index')}>
        <View className='subtitle'>以旧换新</View>
        <View className='muted'>旧家电估个价，补贴当场抵扣</View>
      </View>
      <View className='card'>
        <View className='subtitle'>逛商品</View>
        {Object.entries(CATEGORY_NAMES).map(([id, name]) => (
          <Text key={id} className='chip' data-testid={`home-category-${id}`} onClick={() => go(`/pages/products/index?category=${id}`)}>{name}</Text>
        ))}
      </View>
    </Page>
  )
}
