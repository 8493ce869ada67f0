import { View, Button } from '@tarojs/components'
import Taro, { useRouter } from '@tarojs/taro'
import { useEffect, useMemo, useState } from 'react'
import Page from '../../components/Page'
import { yuan } from '../../services/catalogue'
import { h5Cashier } from '../../services/payments'

/**
 * H5 only: the stand-in for WeChat's cashier (in the mini-program, Taro.requestPayment opens
 * WeChat's own). It shows what is paid and pays at the WeChat emulator, then goes back to the
 * order, which learns from the server whether WeChat Pay took the money.
 */
export default function Cashier() {
  const { params } = useRouter()
  const orderId = params.orderId ?? ''
  const visit = useMemo(() => h5Cashier.visit(orderId), [orderId])
  const [info, setInfo] = useState<{ description: string; amountFen: number } | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    if (visit) void h5Cashier.describe(visit).then(setInfo)
  }, [visit])

  const back = () => {
    h5Cashier.leave()
    void Taro.redirectTo({ url: `/pages/order/index?id=${orderId}` })
  }
  const pay = async () => {
    if (!visit) return
    setBusy(true)
    setError(null)
    const r = await h5Cashier.pay(visit)
    if (r.ok) return back()
    setBusy(false)
    setError(r.errMsg.replace(/^requestPayment:fail\s*/, '') || '支付没有成功，请重试')
  }

  if (!visit) return <Page><View className='empty'>没有待支付的订单 <View className='link' onClick={back}>返回订单</View></View></Page>
  return (
    <Page testId='cashier-page'>
      <View className='card' style={{ textAlign: 'center' }}>
        <View className='muted'>微信支付</View>
        <View className='code' data-testid='cashier-amount'>{yuan(info?.amountFen ?? visit.amountFen)}</View>
        {info && <View className='muted small'>{info.description}</View>}
      </View>
      {error && <View className='banner' data-testid='cashier-error'>{error}</View>}
      <Button className={`btn${busy ? ' disabled' : ''}`} data-testid='cashier-pay' disabled={busy} onClick={pay}>确认支付</Button>
      <Button className='btn secondary' data-testid='cashier-cancel' onClick={back}>暂不支付</Button>
    </Page>
  )
}
