import { View, Text, Button } from '@tarojs/components'
import Taro, { useDidShow, useRouter } from '@tarojs/taro'
import { useState } from 'react'
import Page from '../../components/Page'
import QrCode from '../../components/QrCode'
import { yuan } from '../../services/catalogue'
import { ordersApi, STATUS_LABELS, type Order } from '../../services/orders'
import { dateTime } from '../../services/time'
import { OrderPayment } from './payment'

/** The goods reached the buyer: after-sales starts here. */
const HANDED_OVER: string[] = ['picked_up', 'delivered']

/** One order: the pickup code large and as a QR code, still shown when the phone is offline. */
export default function OrderDetail() {
  const { params } = useRouter()
  const [order, setOrder] = useState<Order | null>(null)
  const [offline, setOffline] = useState(false)
  const [failed, setFailed] = useState(false)

  const load = () =>
    ordersApi
      .get(params.id ?? '')
      .then((r) => {
        setOrder(r.order)
        setOffline(r.offline)
      })
      .catch(() => setFailed(true))
  useDidShow(() => void load())

  if (failed) return <Page><View className='empty error'>没有找到这个订单</View></Page>
  if (!order) return <Page><View className='empty'>加载中…</View></Page>

  const cancel = async () => {
    const refund = order.paidAt ? '已付的钱会原路退回微信。' : ''
    const { confirm } = await Taro.showModal({ title: '取消订单', content: `确定取消这个订单吗？${refund}` })
    if (!confirm) return
    const updated = await ordersApi.cancel(order.id).catch(() => null)
    if (updated) setOrder(updated)
  }
  const code = order.pickupCode
  const closed = order.status === 'cancelled' || order.status === 'expired'
  const payableLabel = closed ? '订单金额' : order.paymentMode === 'online' ? (order.paidAt ? '已付款' : '微信支付') : order.status === 'picked_up' ? '已付款' : '到店支付'
  return (
    <Page testId='order-page'>
      {offline && <View className='banner' data-testid='order-offline'>网络不好，显示的是上次保存的提货码</View>}
      <View className='card' style={{ textAlign: 'center' }}>
        <View className='subtitle' data-testid='order-status'>{STATUS_LABELS[order.status]}</View>
        <View className='muted small' data-testid='order-created'>下单 {dateTime(order.createdAt)}</View>
        {order.status === 'awaiting_pickup' && <View className='muted small' data-testid='order-expires'>请在 {dateTime(order.expiresAt)} 前到店提货</View>}
        {code && order.status === 'awaiting_pickup' && (
          <View>
            <View className='muted'>到店出示提货码</View>
            <View className='code' data-testid='pickup-code' data-code={code}>{`${code.slice(0, 4)} ${code.slice(4)}`}</View>
            <QrCode text={code} testId='pickup-qr' />
          </View>
        )}
      </View>
      <View className='card'>
        <View className='subtitle'>{order.store.name}</View>
        <View className='muted small'>{order.store.address}</View>
        <View className='muted small'>电话 {order.store.phone}</View>
      </View>
      <View className='card'>
        {order.items.map((i) => (
          <View key={i.skuId} className='row'>
            <View><View>{i.productName}</View><View className='muted small'>{i.spec} × {i.units}</View></View>
            <Text>{yuan(i.unitPriceFen * i.units)}</Text>
          </View>
        ))}
        <View className='row'><Text>商品金额</Text><Text data-testid='order-items-fen'>{yuan(order.price.itemsFen)}</Text></View>
        {order.price.couponFen > 0 && <View className='row'><Text>优惠券</Text><Text data-testid='order-coupon-fen'>-{yuan(order.price.couponFen)}</Text></View>}
        {order.price.tradeInFen > 0 && <View className='row'><Text>以旧换新</Text><Text data-testid='order-trade-in-fen'>-{yuan(order.price.tradeInFen)}</Text></View>}
        {order.tradeInQuoteId && <View className='link' data-testid='order-trade-in-link' onClick={() => Taro.navigateTo({ url: `/pages/trade-in-result/index?id=${order.tradeInQuoteId}` })}>以旧换新估价单与到店验机结果 ›</View>}
        <View className='row'><Text>{payableLabel}</Text><Text className='price' data-testid='order-payable'>{yuan(order.price.payableFen)}</Text></View>
      </View>
      {order.paymentMode === 'online' && !offline && <OrderPayment key={order.id} order={order} onPaid={() => void load()} />}
      {HANDED_OVER.includes(order.status) && !offline && (
        <Button className='btn secondary' data-testid='order-after-sales' onClick={() => Taro.navigateTo({ url: `/pages/ticket-new/index?orderId=${order.id}` })}>申请售后（报修、退换货）</Button>
      )}
      {order.status === 'awaiting_pickup' && !offline && (
        <Button className='btn secondary' data-testid='cancel-order' onClick={cancel}>取消订单</Button>
      )}
    </Page>
  )
}
