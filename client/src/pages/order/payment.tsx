import { View, Text, Button } from '@tarojs/components'
import { useDidHide, useDidShow } from '@tarojs/taro'
import { useEffect, useRef, useState } from 'react'
import { yuan } from '../../services/catalogue'
import type { Order } from '../../services/orders'
import { payOrder, paymentsApi, PAYMENT_LABELS, type Payment } from '../../services/payments'

const POLL_MS = 2000
const MAX_POLLS = 90

/**
 * The order's online payment: its state as the server knows it, asked again every 2 s while it
 * waits for WeChat Pay (after the cashier, or while a refund is under way), and the button to pay.
 */
export function OrderPayment({ order, onPaid }: { order: Order; onPaid: () => void }) {
  const [payment, setPayment] = useState<Payment | null>(null)
  const [loaded, setLoaded] = useState(false)
  const [busy, setBusy] = useState(false)
  const polls = useRef(0)
  const visible = useRef(true)

  const load = async () => {
    const p = await paymentsApi.ofOrder(order.id).catch(() => null)
    setPayment(p)
    setLoaded(true)
    return p
  }
  // Mounted once the order is loaded, after the page's first show: load now, and on every later show.
  useEffect(() => {
    void load()
  }, [order.id, order.status])
  useDidShow(() => {
    visible.current = true
    polls.current = 0
    void load()
  })
  useDidHide(() => {
    visible.current = false
  })
  const open = order.status === 'awaiting_pickup'
  const closed = order.status === 'cancelled' || order.status === 'expired' || order.status === 'refunded'
  useEffect(() => {
    // Waiting for WeChat Pay: to be paid, for a refund to finish, or for the refund of a paid order just closed.
    const waiting = payment && (payment.status === 'created' || payment.status === 'refunding' || (payment.status === 'paid' && closed))
    if (!waiting || !visible.current || polls.current >= MAX_POLLS) return
    const timer = setTimeout(() => {
      polls.current++
      void paymentsApi.get(payment.id).then((p) => {
        setPayment(p)
        if (p.status === 'paid' && payment.status === 'created') onPaid()
      }).catch(() => setPayment({ ...payment }))
    }, POLL_MS)
    return () => clearTimeout(timer)
  }, [payment, onPaid, closed])

  const pay = async () => {
    setBusy(true)
    polls.current = 0
    const done = await payOrder(order.id).catch(() => false)
    setBusy(false)
    if (done) await load()
  }

  const status = payment?.status ?? 'created'
  return (
    <View className='card' data-testid='order-payment'>
      <View className='row'>
        <Text>微信支付</Text>
        <Text className={status === 'paid' ? 'price' : ''} data-testid='order-payment-status'>{loaded ? PAYMENT_LABELS[status] : '查询中…'}</Text>
      </View>
      {payment?.refunds.map((r) => (
        <View key={r.id} className='row muted small' data-testid='order-refund'>
          <Text>{r.reason}</Text>
          <Text>{r.status === 'success' ? `已退 ${yuan(r.amountFen)}` : r.status === 'processing' ? `退款中 ${yuan(r.amountFen)}` : `退款未成功，门店会联系您`}</Text>
        </View>
      ))}
      {status === 'paid' && <View className='muted small'>到店出示提货码即可取货，无需再付款</View>}
      {loaded && status === 'created' && open && (
        <View>
          <View className='muted small'>请尽快付款，超时未付款的订单会自动取消</View>
          <Button className={`btn${busy ? ' disabled' : ''}`} data-testid='order-pay' disabled={busy} onClick={pay}>微信支付 {yuan(order.price.payableFen)}</Button>
        </View>
      )}
    </View>
  )
}
