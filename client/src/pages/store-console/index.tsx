import { View, Text, Button, Input, Switch } from '@tarojs/components'
import Taro, { useDidShow } from '@tarojs/taro'
import { useState } from 'react'
import Page from '../../components/Page'
import { useSession } from '../../components/useSession'
import { yuan } from '../../services/catalogue'
import { storeConsoleApi, type StoreOrder } from '../../services/orders'
import { ApiError } from '../../services/request'
import { storeTicketsApi, type StoreToday } from '../../services/after-sales'

const PAYMENT = [
  { id: 'cash', label: '现金' },
  { id: 'wechat_qr', label: '微信扫码' },
] as const
type PaymentMethod = (typeof PAYMENT)[number]['id'] | 'prepaid'
const CONDITIONS = [
  { id: 'excellent', label: '很好' },
  { id: 'good', label: '良好' },
  { id: 'fair', label: '一般' },
  { id: 'poor', label: '较差' },
] as const

/** Why a code shows no order, in the counter's words: not here, handed over already (with when), or wait. */
function verifyNotice(err: unknown): string {
  if (!(err instanceof ApiError)) return '出错了，请稍后再试'
  if (err.code === 'NOT_FOUND') return '本店没有这个提货码的待提货订单，请核对提货码'
  return err.message
}

/** The store owner's console: orders waiting at my stores, a pickup code to check, the handover. */
export default function StoreConsole() {
  useSession()
  const [waiting, setWaiting] = useState<StoreOrder[]>([])
  const [code, setCode] = useState('')
  const [order, setOrder] = useState<StoreOrder | null>(null)
  // The code the order was found by: the handover sends it back, proof the buyer is at the counter.
  const [verifiedCode, setVerifiedCode] = useState('')
  const [payment, setPayment] = useState<PaymentMethod>('cash')
  const [condition, setCondition] = useState<(typeof CONDITIONS)[number]['id']>('good')
  const [working, setWorking] = useState(true)
  const [done, setDone] = useState<string | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const [today, setToday] = useState<StoreToday | null>(null)

  const refresh = () => storeConsoleApi.pickups().then((r) => setWaiting(r.items)).catch(() => undefined)
  useDidShow(() => {
    void refresh()
    storeTicketsApi.today().then(setToday).catch(() => undefined)
  })

  const verify = async (c: string) => {
    setDone(null)
    setOrder(null)
    setNotice(null)
    try {
      const clean = c.replace(/\s/g, '')
      const found = await storeConsoleApi.verify(clean)
      // Paid online already: nothing to collect, and nothing else can be chosen.
      setPayment(found.paidAt ? 'prepaid' : 'cash')
      setOrder(found)
      setVerifiedCode(clean)
    } catch (err) {
      setNotice(verifyNotice(err))
    }
  }
  const scan = async () => {
    const r = await Taro.scanCode({ onlyFromCamera: false, scanType: ['qrCode'] }).catch(() => null)
    if (r?.result) {
      setCode(r.result)
      await verify(r.result)
    }
  }
  const confirm = async () => {
    if (!order) return
    const res = await storeConsoleApi
      .confirm(order.id, { code: verifiedCode, paymentMethod: payment, ...(order.tradeIn ? { tradeInInspection: { condition, working } } : {}) })
      .catch(() => null)
    if (!res) return
    const diff = res.tradeIn ? `，以旧换新调整 ${yuan(res.tradeIn.differenceFen)}` : ''
    setDone(`已提货，${payment === 'prepaid' ? '已在线付款' : '实收'} ${yuan(res.price.payableFen)}${diff}`)
    setOrder(null)
    setCode('')
    void refresh()
  }

  return (
    <Page testId='store-console-page'>
      {today && (
        <View className={`card${today.tickets.overdue ? ' late' : ''}`} data-testid='console-after-sales' onClick={() => Taro.navigateTo({ url: '/pages/store-tickets/index' })}>
          <View className='row'><Text className='subtitle'>售后待办</Text><Text className='muted'>去处理 ›</Text></View>
          <View>待处理工单 {today.tickets.open} 张{today.tickets.overdue ? <Text className='warn'>，超时 {today.tickets.overdue} 张</Text> : ''}</View>
          {today.reminders.toCall > 0 && <View>要回访 {today.reminders.toCall} 位顾客</View>}
        </View>
      )}
      <View className='card'>
        <View className='subtitle'>核验提货码</View>
        <Input className='input' type='number' maxlength={8} data-testid='console-code' placeholder='输入 8 位提货码' value={code} onInput={(e) => setCode(e.detail.value)} />
        <Button className={`btn${/^\d{8}$/.test(code) ? '' : ' disabled'}`} data-testid='console-verify' disabled={!/^\d{8}$/.test(code)} onClick={() => verify(code)}>查询订单</Button>
        {process.env.TARO_ENV === 'weapp' && <Button className='btn secondary' onClick={scan}>扫一扫</Button>}
      </View>
      {notice && <View className='banner' data-testid='console-notice'>{notice}</View>}
      {done && <View className='banner' data-testid='console-done'>{done}</View>}
      {order && (
        <View className='card' data-testid='console-order'>
          <View className='subtitle'>{order.buyer.nickname} 的订单</View>
          {order.items.map((i) => (
            <View key={i.skuId} className='muted'>{i.productName} {i.spec} × {i.units}</View>
          ))}
          <View className='row'><Text>{order.paidAt ? '已在线付款' : '应收'}</Text><Text className='price' data-testid='console-payable'>{yuan(order.price.payableFen)}</Text></View>
          {order.tradeIn && (
            <View data-testid='console-trade-in'>
              <View className='subtitle'>以旧换新：旧机验收</View>
              <View className='muted small'>估价抵扣 {yuan(order.tradeIn.creditFen)}，按实际成色重新计算</View>
              {CONDITIONS.map((c) => (
                <View key={c.id} data-testid={`inspect-${c.id}`} className={`option${condition === c.id ? ' selected' : ''}`} onClick={() => setCondition(c.id)}>{c.label}</View>
              ))}
              <View className='row'><Text>能正常使用</Text><Switch className='big-switch' data-testid='inspect-working' checked={working} color='#E8480C' onChange={(e) => setWorking(e.detail.value)} /></View>
            </View>
          )}
          <View className='subtitle'>收款方式</View>
          {order.paidAt ? (
            <View className='option selected' data-testid='console-prepaid'>已微信支付，无需收款</View>
          ) : (
            PAYMENT.map((p) => (
              <View key={p.id} data-testid={`pay-${p.id}`} className={`option${payment === p.id ? ' selected' : ''}`} onClick={() => setPayment(p.id)}>{p.label}</View>
            ))
          )}
          <Button className='btn' data-testid='console-confirm' onClick={confirm}>确认交货</Button>
        </View>
      )}
      <View className='subtitle'>待提货（{waiting.length}）</View>
      {waiting.length === 0 && <View className='empty'>暂时没有待提货的订单</View>}
      {waiting.map((o) => (
        <View key={o.id} className='card'>
          <View className='row'><Text>{o.buyer.nickname}</Text><Text className='price'>{o.paidAt ? '已付 ' : ''}{yuan(o.price.payableFen)}</Text></View>
          <View className='muted small'>{o.store.name} · {o.items.map((i) => `${i.productName} × ${i.units}`).join('，')}</View>
        </View>
      ))}
    </Page>
  )
}
