import { View, Text } from '@tarojs/components'
import Taro from '@tarojs/taro'
import Page from '../../components/Page'
import { CATEGORY_NAMES } from '../../services/catalogue'

export default function Home() {
  const go = (url: string) => Taro.navigateTo({ url })
  return (
    <Page testId='home-page'>
      <View className='title'>星火家电</View>
      <View className='card' data-testid='home-new-season' onClick={() => go('/pages/products/index?tag=new_season')}>
        <View className='subtitle'>超级新品季暨空调厨卫节</View>
        <View className='muted'>空调、厨卫新品，门店自提，到店付款</View>
      </View>
      <View className='card'>
        <View className='subtitle'>逛商品</View>
        {Object.entries(CATEGORY_NAMES).map(([id, name]) => (
          <Text key={id} className='tag' data-testid={`home-category-${id}`} onClick={() => go(`/pages/products/index?category=${id}`)}>{name}</Text>
        ))}
      </View>
    </Page>
  )
}
