import { View, Text } from '@tarojs/components'
import Taro, { useDidShow } from '@tarojs/taro'
import { useState } from 'react'
import Page from '../../components/Page'
import { useSession } from '../../components/useSession'
import { yuan } from '../../services/catalogue'
import { ordersApi, STATUS_LABELS, type Order } from '../../services/orders'
import { dateTime } from '../../services/time'

export default function Orders() {
  useSession()
  const [orders, setOrders] = useState<Order[] | null>(null)
  const [failed, setFailed] = useState(false)
  useDidShow(() => {
    ordersApi.list().then((r) => setOrders(r.items)).catch(() => setFailed(true))
  })
  return (
    <Page testId='orders-page'>
      {failed && <View className='empty error'>加载失败，请稍后再试</View>}
      {orders?.length === 0 && <View className='empty'>还没有订单</View>}
      {orders?.map((o) => (
        <View key={o.id} className='card' data-testid={`order-${o.id}`} onClick={() => Taro.navigateTo({ url: `/pages/order/index?id=${o.id}` })}>
          <View className='row'>
            <Text>{o.store.name}</Text>
            <Text className='tag' data-testid={`order-status-${o.id}`}>{STATUS_LABELS[o.status]}</Text>
          </View>
          <View className='muted small' data-testid={`order-created-${o.id}`}>下单 {dateTime(o.createdAt)}</View>
          <View className='muted small'>{o.items.map((i) => `${i.productName} ${i.spec} × ${i.units}`).join('，')}</View>
          <View className='row'>
            <Text className='muted small'>{o.pickupCode ? `提货码 ${o.pickupCode}` : ''}</Text>
            <Text className='price'>{yuan(o.price.payableFen)}</Text>
          </View>
        </View>
      ))}
    </Page>
  )
}
