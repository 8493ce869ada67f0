import { View, Text, Button } from '@tarojs/components'
import Taro, { useRouter } from '@tarojs/taro'
import { useEffect, useState } from 'react'
import Page from '../../components/Page'
import { PhotoView, Stars } from '../../components/Ticket'
import { wallApi, type WallItem } from '../../services/after-sales'
import { SERVICE_NAMES, TYPE_NAMES, myStore, storesApi, type StoreDetail } from '../../services/stores'

/** A store: hours, services, a call button and a map button. */
export default function StoreDetailPage() {
  const { params } = useRouter()
  const [store, setStore] = useState<StoreDetail | null>(null)
  const [failed, setFailed] = useState(false)
  const [wall, setWall] = useState<WallItem[]>([])

  useEffect(() => {
    storesApi.get(params.id ?? '').then(setStore).catch(() => setFailed(true))
    wallApi.of(params.id ?? '').then((r) => setWall(r.items)).catch(() => undefined)
  }, [params.id])

  if (failed) return <Page testId='store-detail'><View className='empty' data-testid='store-error'>没有找到这家门店</View></Page>
  if (!store) return <Page testId='store-detail'><View className='muted'>加载中…</View></Page>
  return (
    <Page testId='store-detail'>
      <View className='title' data-testid='store-title'>{store.name}</View>
      <View><Text className='tag'>{TYPE_NAMES[store.type] ?? store.type}</Text></View>
      <View className='card'>
        <View className='muted'>营业时间</View>
        <View data-testid='store-hours'>{store.openHours}</View>
        <View className='muted'>地址</View>
        <View>{store.address}</View>
      </View>
      <View className='card' data-testid='store-services'>
        <View className='muted'>服务</View>
        {store.services.map((s) => <Text key={s} className='tag'>{SERVICE_NAMES[s] ?? s}</Text>)}
      </View>
      <Button className='btn' data-testid='store-call' onClick={() => Taro.makePhoneCall({ phoneNumber: store.phone })}>打电话 {store.phone}</Button>
      <Button className='btn secondary' data-testid='store-map' onClick={() => Taro.openLocation({ latitude: store.lat, longitude: store.lng, name: store.name, address: store.address, scale: 16 })}>看地图、去门店</Button>
      {wall.length > 0 && <PhotoWall items={wall} />}
      <Button className='btn secondary' data-testid='store-choose' onClick={() => { myStore.set(store); void Taro.showToast({ title: '已设为我的门店', icon: 'success' }) }}>设为我的门店</Button>
    </Page>
  )
}

/** 老用户照片墙: photos customers took after a repair, with their stars and words. */
function PhotoWall({ items }: { items: WallItem[] }) {
  return (
    <View data-testid='store-wall'>
      <View className='subtitle'>老用户照片墙</View>
      <View className='wall'>
        {items.map((w) => (
          <View key={w.ticketId} className='wall-item' data-testid='store-wall-photo'>
            <PhotoView url={w.photo.url} />
            <View className='text'>
              <Stars value={w.stars} />
              {w.comment && <View>{w.comment}</View>}
              <View className='muted'>{w.nickname}{w.applianceName ? ` · ${w.applianceName}` : ''}</View>
            </View>
          </View>
        ))}
      </View>
    </View>
  )
}
