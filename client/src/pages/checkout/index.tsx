import { View, Text, Button } from '@tarojs/components'
import Taro, { useRouter } from '@tarojs/taro'
import { useEffect, useMemo, useState } from 'react'
import Page from '../../components/Page'
import { useSession } from '../../components/useSession'
import { catalogueApi, yuan, type ProductDetail } from '../../services/catalogue'
import { ordersApi } from '../../services/orders'
import { payOrder } from '../../services/payments'
import { newIdempotencyKey } from '../../services/request'
import { myStore, storesApi, type StoreSummary } from '../../services/stores'
import { CheckoutExtras, type Extras } from './extras'
import { tradeInApi } from '../../services/trade-in'

/**
 * Checkout: pick the store to collect from (the nearest ones), see the price, choose to pay at the
 * store (到店付, the default) or now with WeChat Pay (微信支付), place the order.
 * Query: productId, skuId, units, tradeInQuoteId, couponId.
 */
export default function Checkout() {
  useSession()
  const { params } = useRouter()
  const units = Math.max(1, Number(params.units ?? 1))
  const [product, setProduct] = useState<ProductDetail | null>(null)
  const [stores, setStores] = useState<StoreSummary[] | null>(null)
  const [storeId, setStoreId] = useState('')
  const [extras, setExtras] = useState<Extras>({ couponId: params.couponId, tradeInQuoteId: params.tradeInQuoteId, discountFen: 0 })
  const [payment, setPayment] = useState<'on_pickup' | 'online'>('on_pickup')
  const [busy, setBusy] = useState(false)
  // One key per checkout: pressing again after a lost answer cannot make a second order.
  const idempotencyKey = useMemo(() => newIdempotencyKey(), [])

  useEffect(() => {
    catalogueApi.product(params.productId ?? '').then(setProduct).catch(() => setProduct(null))
    storesApi.choices().then((s) => {
      setStores(s)
      setStoreId(s[0]?.id ?? '')
    }).catch(() => setStores([]))
  }, [params.productId])

  const sku = product?.skus.find((s) => s.id === params.skuId)
  const itemsFen = sku ? sku.priceFen * units : 0
  // The trade-in credit as an estimate: the quote's total, at most the new appliance's price (the server decides).
  useEffect(() => {
    if (params.tradeInQuoteId && product && itemsFen) tradeInApi.get(params.tradeInQuoteId).then((q) => { const fen = q.status === 'valid' && q.category === product.category ? Math.min(q.totalFen, itemsFen) : 0; setExtras((e) => ({ ...e, tradeInFen: fen, discountFen: e.discountFen - (e.tradeInFen ?? 0) + fen })) }).catch(() => undefined)
  }, [params.tradeInQuoteId, product, itemsFen])

  const place = async () => {
    if (!sku || !storeId) return
    setBusy(true)
    try {
      const order = await ordersApi.place(
        { storeId, items: [{ skuId: sku.id, units }], payment, ...(extras.couponId ? { couponId: extras.couponId } : {}), ...(extras.tradeInQuoteId ? { tradeInQuoteId: extras.tradeInQuoteId } : {}) },
        idempotencyKey,
      )
      const chosen = stores?.find((s) => s.id === storeId)
      if (chosen) myStore.set(chosen)
      // The order is placed whatever happens at the cashier: its page shows whether it was paid, and can pay again.
      if (order.paymentMode === 'online' && process.env.TARO_ENV === 'h5') {
        await payOrder(order.id, 'redirect').catch(() => Taro.redirectTo({ url: `/pages/order/index?id=${order.id}` }))
        return
      }
      if (order.paymentMode === 'online') await payOrder(order.id).catch(() => false)
      void Taro.redirectTo({ url: `/pages/order/index?id=${order.id}` })
    } catch {
      setBusy(false)
    }
  }

  return (
    <Page testId='checkout-page'>
      <View className='card'>
        <View className='subtitle'>商品</View>
        {sku && product ? (
          <View>
            <View>{product.name}</View>
            <View className='muted'>{sku.spec} × {units}</View>
            <View className='price' data-testid='checkout-items'>{yuan(itemsFen)}</View>
          </View>
        ) : (
          <View className='muted'>加载中…</View>
        )}
      </View>
      <View className='card'>
        <View className='subtitle'>到哪家门店提货</View>
        {stores === null && <View className='muted'>正在找附近的门店…</View>}
        {stores?.length === 0 && (
          <View className='empty' data-testid='checkout-no-store'>
            <View>还不知道您在哪家门店提货</View>
            <Button className='btn secondary' data-testid='checkout-choose-store' onClick={() => void Taro.switchTab({ url: '/pages/stores/index' })}>选择门店</Button>
          </View>
        )}
        {stores?.map((s) => (
          <View key={s.id} data-testid={`checkout-store-${s.id}`} className={`option${s.id === storeId ? ' selected' : ''}`} onClick={() => setStoreId(s.id)}>
            <View>
              <View>{s.name}</View>
              <View className='muted small'>{s.address}</View>
            </View>
            {s.distanceM !== undefined && <Text className='muted small'>{(s.distanceM / 1000).toFixed(1)} 公里</Text>}
          </View>
        ))}
      </View>
      <CheckoutExtras itemsFen={itemsFen} category={product?.category} value={extras} onChange={setExtras} />
      <View className='card'>
        <View className='subtitle'>怎么付款</View>
        <View data-testid='checkout-pay-on-pickup' className={`option${payment === 'on_pickup' ? ' selected' : ''}`} onClick={() => setPayment('on_pickup')}>
          <View><View>到店付</View><View className='muted small'>提货时付现金或微信扫码</View></View>
        </View>
        <View data-testid='checkout-pay-online' className={`option${payment === 'online' ? ' selected' : ''}`} onClick={() => setPayment('online')}>
          <View><View>微信支付</View><View className='muted small'>现在付款，到店直接提货；取消订单原路退款</View></View>
        </View>
      </View>
      <View className='card'>
        <View className='row'><Text>商品金额</Text><Text>{yuan(itemsFen)}</Text></View>
        {extras.discountFen > 0 && <View className='row'><Text>优惠（预计）</Text><Text className='price'>-{yuan(extras.discountFen)}</Text></View>}
        <View className='row'><Text>{payment === 'online' ? '微信支付（预计）' : '到店支付（预计）'}</Text><Text className='price' data-testid='checkout-payable'>{yuan(Math.max(0, itemsFen - extras.discountFen))}</Text></View>
        <View className='muted small'>{payment === 'online' ? '以下单时核算的金额为准' : '以门店核验为准，到店付款：现金或微信扫码'}</View>
      </View>
      <Button className={`btn${busy || !sku || !storeId ? ' disabled' : ''}`} data-testid='place-order' disabled={busy || !sku || !storeId} onClick={place}>
        {payment === 'online' ? '提交订单，微信支付' : '提交订单，到店付'}
      </Button>
    </Page>
  )
}
