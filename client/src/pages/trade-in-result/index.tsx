import { View, Text, Button } from '@tarojs/components'
import Taro, { useDidShow, useRouter } from '@tarojs/taro'
import { useState } from 'react'
import Page from '../../components/Page'
import { useSession } from '../../components/useSession'
import { yuan } from '../../services/catalogue'
import { signedYuan, tradeInApi, type BreakdownLine, type Quote } from '../../services/trade-in'

const CONDITION_LABELS: Record<string, string> = { excellent: '很新', good: '良好', fair: '一般', poor: '较差' }
const STATUS_LABELS: Record<Quote['status'], string> = { valid: '有效', expired: '已过期', used: '已用于订单' }

function Lines({ lines, testId }: { lines: BreakdownLine[]; testId: string }) {
  return (
    <View data-testid={testId}>
      {lines.map((l, i) => (
        <View key={i} className='row' style={{ padding: '8px 0', borderBottom: '1px solid #eee' }}>
          <Text style={{ flex: 1, paddingRight: '12px' }}>{l.label}</Text>
          <Text className={l.amountFen > 0 ? 'price' : 'muted'}>{signedYuan(l.amountFen)}</Text>
        </View>
      ))}
    </View>
  )
}

/** A quote: what the old unit is worth, the subsidy, line by line; then on to a new one. Query: id. */
export default function TradeInResult() {
  useSession()
  const { params } = useRouter()
  const [quote, setQuote] = useState<Quote | null>(null)
  const [missing, setMissing] = useState(false)

  useDidShow(() => {
    tradeInApi.get(params.id ?? '').then(setQuote).catch(() => setMissing(true))
  })

  if (missing) return <Page testId='trade-in-result-page'><View className='empty'>没有找到这张估价单</View></Page>
  if (!quote) return <Page testId='trade-in-result-page'><View className='empty'>加载中…</View></Page>

  const useOnNew = () => Taro.navigateTo({ url: `/pages/products/index?category=${quote.category}&tradeInQuoteId=${quote.id}` })

  return (
    <Page testId='trade-in-result-page'>
      <View className='card' style={{ textAlign: 'center' }}>
        <View className='muted'>旧{quote.categoryName}换新可抵</View>
        <View className='price' style={{ fontSize: '2.4em' }} data-testid='trade-in-total'>{yuan(quote.totalFen)}</View>
        <View className='row'>
          <Text>旧机回收价</Text>
          <Text data-testid='trade-in-amount'>{yuan(quote.amountFen)}</Text>
        </View>
        <View className='row'>
          <Text>以旧换新补贴</Text>
          <Text className='price' data-testid='trade-in-subsidy'>{yuan(quote.subsidyFen)}</Text>
        </View>
        <View className='muted small'>补贴仅在购买同类新{quote.categoryName}时使用</View>
      </View>

      {quote.inspection && (
        <View className='card' data-testid='trade-in-inspection'>
          <View className='subtitle'>门店验机结果</View>
          <View>成色：{CONDITION_LABELS[quote.inspection.condition] ?? quote.inspection.condition}，{quote.inspection.working ? '能正常使用' : '不能正常使用'}</View>
          <View className='row'>
            <Text>实际抵扣</Text>
            <Text className='price' data-testid='trade-in-final'>{yuan(quote.inspection.finalFen)}</Text>
          </View>
          <View className='muted' data-testid='trade-in-difference'>
            {quote.inspection.finalFen === quote.totalFen ? '与估价一致' : `比估价${quote.inspection.finalFen < quote.totalFen ? '少' : '多'} ${yuan(Math.abs(quote.inspection.finalFen - quote.totalFen))}，订单应付金额已相应调整`}
          </View>
          <Lines lines={quote.inspection.breakdown} testId='trade-in-final-breakdown' />
        </View>
      )}

      <View className='card'>
        <View className='subtitle'>怎么算的</View>
        <Lines lines={quote.breakdown} testId='trade-in-breakdown' />
        <View className='row' style={{ paddingTop: '8px' }}>
          <Text>合计</Text>
          <Text className='price'>{yuan(quote.totalFen)}</Text>
        </View>
        <View className='muted small' data-testid='trade-in-status'>
          {STATUS_LABELS[quote.status]} · 有效期至 {new Date(quote.expiresAt).toLocaleDateString('zh-CN', { timeZone: 'Asia/Shanghai' })} · 规则第 {quote.ruleVersion} 版
        </View>
        <View className='muted small'>到店时店员会看一下旧机，按实际成色确认最终金额。</View>
      </View>

      {quote.status === 'valid' && (
        <Button className='btn' data-testid='trade-in-use' onClick={useOnNew}>用它换台新{quote.categoryName}</Button>
      )}
      {quote.status === 'used' && quote.orderId && (
        <Button className='btn secondary' data-testid='trade-in-order' onClick={() => Taro.navigateTo({ url: `/pages/order/index?id=${quote.orderId}` })}>查看订单</Button>
      )}
      <Button className='btn secondary' data-testid='trade-in-again' onClick={() => Taro.redirectTo({ url: `/pages/trade-in/index?category=${quote.category}` })}>重新估价</Button>
    </Page>
  )
}
