import { View, Image, Text, Button } from '@tarojs/components'
import Taro, { useRouter } from '@tarojs/taro'
import { useEffect, useState } from 'react'
import Page from '../../components/Page'
import { catalogueApi, CATEGORY_NAMES, imageSrc, yuan, type ProductDetail } from '../../services/catalogue'

export default function Product() {
  const { params } = useRouter()
  const [p, setP] = useState<ProductDetail | null>(null)
  const [skuId, setSkuId] = useState('')
  const [units, setUnits] = useState(1)
  const [failed, setFailed] = useState(false)

  useEffect(() => {
    catalogueApi
      .product(params.id ?? '')
      .then((r) => {
        setP(r)
        setSkuId(r.skus[0]?.id ?? '')
      })
      .catch(() => setFailed(true))
  }, [params.id])

  if (failed) return <Page><View className='empty error'>没有找到这个商品</View></Page>
  if (!p) return <Page><View className='empty'>加载中…</View></Page>
  const sku = p.skus.find((s) => s.id === skuId)
  const buy = () => {
    const extra = params.tradeInQuoteId ? `&tradeInQuoteId=${params.tradeInQuoteId}` : ''
    void Taro.navigateTo({ url: `/pages/checkout/index?productId=${p.id}&skuId=${skuId}&units=${units}${extra}` })
  }
  return (
    <Page testId='product-page'>
      <View className='card' style={{ textAlign: 'center' }}>
        <Image className='product-photo' src={imageSrc(p.imageUrl)} mode='aspectFit' />
      </View>
      <View className='card'>
        <View className='title'>{p.name}</View>
        <View className='muted'>{p.brand} · {CATEGORY_NAMES[p.category]}</View>
        <View className='muted small'>{p.description}</View>
      </View>
      <View className='card'>
        <View className='subtitle'>选择规格</View>
        {p.skus.map((s) => (
          <View key={s.id} data-testid={`sku-${s.id}`} className={`option${s.id === skuId ? ' selected' : ''}`} onClick={() => setSkuId(s.id)}>
            <Text>{s.spec}</Text>
            <Text className='price'>{yuan(s.priceFen)}</Text>
            {s.available <= 0 && <Text className='muted small'>暂时缺货</Text>}
          </View>
        ))}
        <View className='row'>
          <Text>数量</Text>
          <View className='stepper'>
            <Button className='step' data-testid='units-minus' onClick={() => setUnits(Math.max(1, units - 1))}>－</Button>
            <Text data-testid='units' className='units'>{units}</Text>
            <Button className='step' data-testid='units-plus' onClick={() => setUnits(Math.min(99, units + 1))}>＋</Button>
          </View>
        </View>
      </View>
      <Button className={`btn${!sku || sku.available < units ? ' disabled' : ''}`} data-testid='buy' disabled={!sku || sku.available < units} onClick={buy}>
        到店自提 · {sku ? yuan(sku.priceFen * units) : ''}
      </Button>
    </Page>
  )
}
