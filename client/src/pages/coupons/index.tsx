import { View, Text } from '@tarojs/components'
import { useDidShow } from '@tarojs/taro'
import { useState } from 'react'
import Page from '../../components/Page'
import { useSession } from '../../components/useSession'
import { CATEGORY_NAMES, yuan } from '../../services/catalogue'
import { couponsApi, type MyCoupon } from '../../services/coupons'

const TABS: { id: MyCoupon['status']; label: string }[] = [
  { id: 'unused', label: '未使用' },
  { id: 'used', label: '已使用' },
  { id: 'expired', label: '已过期' },
]

export default function MyCoupons() {
  useSession()
  const [tab, setTab] = useState<MyCoupon['status']>('unused')
  const [items, setItems] = useState<MyCoupon[] | null>(null)
  const load = (s: MyCoupon['status']) => couponsApi.mine(s).then((r) => setItems(r.items)).catch(() => setItems([]))
  useDidShow(() => void load(tab))
  return (
    <Page testId='coupons-page'>
      <View className='row'>
        {TABS.map((x) => (
          <Text key={x.id} className={`chip${tab === x.id ? ' selected' : ''}`} data-testid={`coupons-tab-${x.id}`} onClick={() => { setTab(x.id); void load(x.id) }}>{x.label}</Text>
        ))}
      </View>
      {items?.length === 0 && <View className='empty'>没有优惠券</View>}
      {items?.map((c) => (
        <View key={c.id} className='card' data-testid={`my-coupon-${c.templateId}`}>
          <View className='price'>{c.kind === 'threshold' ? `满${yuan(c.thresholdFen)}减${yuan(c.discountFen)}` : `立减${yuan(c.discountFen)}`}</View>
          <View>{c.title}</View>
          <View className='muted small'>适用：{c.categories.map((x) => CATEGORY_NAMES[x] ?? x).join('、')} · 有效期至 {new Date(c.expiresAt).toLocaleDateString('zh-CN')}</View>
        </View>
      ))}
    </Page>
  )
}
