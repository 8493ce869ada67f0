import { View, Text, Button, Switch } from '@tarojs/components'
import Taro, { useDidShow } from '@tarojs/taro'
import { useState } from 'react'
import Page from '../../components/Page'
import { setLargeText, useLargeText } from '../../components/large-text'
import { useSession } from '../../components/useSession'
import { authApi } from '../../services/auth'
import { storesApi } from '../../services/stores'
import { ROLE_LABELS, session, type User } from '../../services/session'

type Entry = { label: string; url: string; testId: string; show: (u: User) => boolean }

// Each capability adds its entry here.
const ENTRIES: Entry[] = [
  { label: '我的订单', url: '/pages/orders/index', testId: 'entry-orders', show: () => true },
  { label: '我的家电（报修、保养）', url: '/pages/appliances/index', testId: 'entry-appliances', show: () => true },
  { label: '我的售后', url: '/pages/tickets/index', testId: 'entry-tickets', show: () => true },
  { label: '我的优惠券', url: '/pages/coupons/index', testId: 'entry-coupons', show: () => true },
  { label: '旧家电估价（以旧换新）', url: '/pages/trade-in/index', testId: 'entry-trade-in', show: () => true },
  { label: '团长中心', url: '/pages/leader/index', testId: 'entry-leader', show: (u) => u.roles.includes('leader') },
  { label: '店主工作台', url: '/pages/store-console/index', testId: 'entry-store-console', show: (u) => u.roles.includes('store_owner') },
  { label: '售后工作台（工单、回访、照片墙）', url: '/pages/store-tickets/index', testId: 'entry-store-tickets', show: (u) => u.roles.includes('store_owner') },
  { label: '网格经理看板', url: '/pages/grid/index', testId: 'entry-grid', show: (u) => u.roles.includes('grid_manager') },
]

export default function Me() {
  const cached = useSession()
  const [user, setUser] = useState<User | null>(cached)
  const large = useLargeText()
  // A store is known by its name (星火家电 清苑镇店), not its id: names fetched once per store.
  const [storeNames, setStoreNames] = useState<Record<string, string>>({})
  const loadStoreNames = (ids: string[]) => {
    for (const id of ids.filter((x) => !storeNames[x])) {
      storesApi.get(id).then((s) => setStoreNames((m) => ({ ...m, [id]: s.name }))).catch(() => undefined)
    }
  }

  useDidShow(() => {
    if (!session.token()) return
    authApi
      .me()
      .then((u) => {
        setUser(u)
        session.save(session.token()!, u)
        loadStoreNames(u.storeIds)
      })
      .catch(() => undefined)
  })

  const shown = user ?? cached
  return (
    <Page testId='me-page'>
      {shown ? (
        <View className='card'>
          <View className='title' data-testid='me-nickname'>{shown.nickname}</View>
          <View className='muted small break'>编号 {shown.id}</View>
          <View data-testid='me-roles'>
            {shown.roles.map((r) => (
              <Text key={r} className='tag'>{ROLE_LABELS[r] ?? r}</Text>
            ))}
          </View>
          {shown.storeIds.length > 0 && (
            <View className='muted' data-testid='me-stores'>我的门店：{shown.storeIds.map((id) => storeNames[id] ?? '…').join('、')}</View>
          )}
        </View>
      ) : (
        <View className='empty'>正在登录…</View>
      )}

      {shown &&
        ENTRIES.filter((e) => e.show(shown)).map((e) => (
          <View key={e.url} className='card row' data-testid={e.testId} onClick={() => Taro.navigateTo({ url: e.url })}>
            <Text>{e.label}</Text>
            <Text className='muted'>›</Text>
          </View>
        ))}

      <View className='card row'>
        <View>
          <View>大字模式</View>
          <View className='muted small'>字更大，看得更清楚</View>
        </View>
        <Switch className='big-switch' data-testid='large-text-switch' checked={large} color='#E8480C' onChange={(e) => setLargeText(e.detail.value)} />
      </View>

      {shown && (
        <Button
          className='btn secondary'
          data-testid='logout'
          onClick={async () => {
            await authApi.logout()
            setUser(null)
            if (process.env.TARO_ENV === 'h5') void Taro.reLaunch({ url: '/pages/login/index' })
          }}
        >
          退出登录
        </Button>
      )}
    </Page>
  )
}
