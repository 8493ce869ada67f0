import { View, Image, Text, ScrollView } from '@tarojs/components'
import Taro, { useRouter } from '@tarojs/taro'
import { useEffect, useState } from 'react'
import Page from '../../components/Page'
import { catalogueApi, CATEGORY_NAMES, imageSrc, yuan, type Product } from '../../services/catalogue'

/** Products by category and brand. Query: category, tag, tradeInQuoteId (passed on to checkout). */
export default function Products() {
  const { params } = useRouter()
  const [category, setCategory] = useState(params.category ?? '')
  const [brand, setBrand] = useState('')
  const [brands, setBrands] = useState<string[]>([])
  const [items, setItems] = useState<Product[] | null>(null)
  const [failed, setFailed] = useState(false)

  useEffect(() => {
    catalogueApi.brands(category || undefined).then((r) => setBrands(r.brands)).catch(() => setBrands([]))
  }, [category])
  useEffect(() => {
    setItems(null)
    setFailed(false)
    catalogueApi
      .products({ category: category || undefined, brand: brand || undefined, tag: params.tag })
      .then((r) => setItems(r.items))
      .catch(() => setFailed(true))
  }, [category, brand, params.tag])

  const open = (p: Product) => {
    const extra = params.tradeInQuoteId ? `&tradeInQuoteId=${params.tradeInQuoteId}` : ''
    void Taro.navigateTo({ url: `/pages/product/index?id=${p.id}${extra}` })
  }

  return (
    <Page testId='products-page'>
      <ScrollView scrollX className='chips'>
        {[['', '全部'], ...Object.entries(CATEGORY_NAMES)].map(([id, name]) => (
          <Text key={id} data-testid={`category-${id || 'all'}`} className={`chip${category === id ? ' selected' : ''}`} onClick={() => { setCategory(id); setBrand('') }}>
            {name}
          </Text>
        ))}
      </ScrollView>
      <ScrollView scrollX className='chips'>
        {['', ...brands].map((b) => (
          <Text key={b} data-testid={`brand-${b || 'all'}`} className={`chip${brand === b ? ' selected' : ''}`} onClick={() => setBrand(b)}>
            {b || '全部品牌'}
          </Text>
        ))}
      </ScrollView>
      {failed && <View className='empty error'>加载失败，请下拉重试</View>}
      {items === null && !failed && <View className='empty'>加载中…</View>}
      {items?.length === 0 && <View className='empty'>这里还没有商品</View>}
      {items?.map((p) => (
        <View key={p.id} className='card product-row' data-testid={`product-${p.id}`} onClick={() => open(p)}>
          <Image className='product-thumb' src={imageSrc(p.imageUrl)} mode='aspectFit' lazyLoad />
          <View className='product-info'>
            <View>{p.name}</View>
            <View className='muted small'>{p.brand} · {CATEGORY_NAMES[p.category]}</View>
            {p.tags.includes('new_season') && <Text className='tag'>新品季</Text>}
            <View className='price'>{yuan(p.priceFen)} 起</View>
          </View>
        </View>
      ))}
    </Page>
  )
}
