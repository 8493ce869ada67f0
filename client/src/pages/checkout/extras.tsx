import { View } from '@tarojs/components'

/**
 * What can lower an order's price at checkout: a coupon and a trade-in quote. The amounts here are
 * an estimate; the server computes the price.
 */
export type Extras = { couponId?: string; tradeInQuoteId?: string; discountFen: number }

export function CheckoutExtras({ value }: { itemsFen: number; category?: string; value: Extras; onChange: (e: Extras) => void }) {
  if (!value.tradeInQuoteId && !value.couponId) return null
  return (
    <View className='card'>
      {value.tradeInQuoteId && <View className='muted'>以旧换新估价单：{value.tradeInQuoteId}</View>}
      {value.couponId && <View className='muted'>优惠券：{value.couponId}</View>}
    </View>
  )
}
