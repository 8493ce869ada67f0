import { View, Text, Button } from '@tarojs/components'
import Taro, { useDidShow } from '@tarojs/taro'
import { useState } from 'react'
import Page from '../../components/Page'
import Countdown from '../../components/Countdown'
import { yuan } from '../../services/catalogue'
import { groupBuysApi, type GroupBuy } from '../../services/group-buys'
import { myStore, storesApi, type StoreSummary } from '../../services/stores'

/** 团购: open groups at my store (the one I chose, or the nearest). */
export default function GroupBuys() {
  const [store, setStore] = useState<StoreSummary | null>(myStore.get())
  const [groups, setGroups] = useState<GroupBuy[] | null>(null)
  const [failed, setFailed] = useState(false)

  useDidShow(() => {
    void (async () => {
      const chosen = myStore.get() ?? (await storesApi.choices())[0] ?? null
      setStore(chosen)
      if (!chosen) return setGroups([])
      groupBuysApi.list({ storeId: chosen.id, status: 'open' }).then((r) => setGroups(r.items)).catch(() => setFailed(true))
    })()
  })

  return (
    <Page testId='group-buy-page'>
      <View className='title'>邻里团购</View>
      <View className='muted' data-testid='group-buy-store'>{store ? `${store.name} 的团购` : groups === null ? '正在找门店…' : ''}</View>
      {!store && groups !== null && (
        <View className='empty' data-testid='group-buy-no-store'>
          <View>先选一家常去的门店，就能看到它的团购</View>
          <Button className='btn secondary' onClick={() => void Taro.switchTab({ url: '/pages/stores/index' })}>选择门店</Button>
        </View>
      )}
      {failed && <View className='empty error'>加载失败，请稍后再试</View>}
      {store && groups?.length === 0 && <View className='empty'>这家门店暂时没有进行中的团购</View>}
      {groups?.map((g) => (
        <View key={g.id} className='card' data-testid={`group-${g.id}`} onClick={() => Taro.navigateTo({ url: `/pages/group-buy-detail/index?id=${g.id}` })}>
          <View>{g.sku?.productName} {g.sku?.spec}</View>
          <View className='row'>
            <Text className='price'>团购价 {g.currentPriceFen !== null ? yuan(g.currentPriceFen) : ''}</Text>
            <Text className='muted small'>已拼 {g.unitsJoined} 台</Text>
          </View>
          <View className='muted small'>团长 {g.leader.nickname} · 剩 <Countdown until={g.deadline} /></View>
        </View>
      ))}
    </Page>
  )
}
