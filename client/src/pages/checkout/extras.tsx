import { View, Text } from '@tarojs/components'
import { useEffect, useState } from 'react'
import { yuan } from '../../services/catalogue'
import { bestCoupon, couponsApi, discountOf, type MyCoupon } from '../../services/coupons'

/**
 * What can lower an order's price at checkout: a coupon (the best applicable one is proposed) and
 * a trade-in quote. The amounts are an estimate; the server computes the price.
 */
export type Extras = { couponId?: string; tradeInQuoteId?: string; discountFen: number; tradeInFen?: number }

export function CheckoutExtras({ itemsFen, category, value, onChange }: { itemsFen: number; category?: string; value: Extras; onChange: (e: Extras) => void }) {
  const [coupons, setCoupons] = useState<MyCoupon[]>([])
  const lines = category ? [{ category, fen: itemsFen }] : []

  useEffect(() => {
    couponsApi.mine('unused').then((r) => setCoupons(r.items)).catch(() => setCoupons([]))
  }, [])
  useEffect(() => {
    if (!category || value.couponId !== undefined) return
    const best = bestCoupon(coupons, lines)
    if (best) onChange({ ...value, couponId: best.coupon.id, discountFen: best.discountFen + (value.tradeInFen ?? 0) })
  }, [coupons, category, itemsFen])

  const applicable = coupons.filter((c) => discountOf(c, lines) !== null)
  const choose = (c: MyCoupon | null) => onChange({ ...value, couponId: c ? c.id : '', discountFen: (c ? discountOf(c, lines) ?? 0 : 0) + (value.tradeInFen ?? 0) })

  return (
    <View className='card'>
      <View className='subtitle'>优惠券</View>
      {applicable.length === 0 && <View className='muted small'>没有可用的优惠券</View>}
      {applicable.map((c) => (
        <View key={c.id} data-testid={`checkout-coupon-${c.templateId}`} className={`option${value.couponId === c.id ? ' selected' : ''}`} onClick={() => choose(value.couponId === c.id ? null : c)}>
          <Text>{c.title}</Text>
          <Text className='price'>-{yuan(discountOf(c, lines) ?? 0)}</Text>
        </View>
      ))}
      {value.tradeInQuoteId && <View className='muted' data-testid='checkout-trade-in'>以旧换新估价单已使用{value.tradeInFen ? `，预计抵扣 ${yuan(value.tradeInFen)}` : ''}</View>}
    </View>
  )
}
