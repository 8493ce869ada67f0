import { View } from '@tarojs/components'
import Page from '../../components/Page'

export default function GroupBuy() {
  return (
    <Page testId='group-buy-page'>
      <View className='title'>团购</View>
      <View className='muted'>邻里一起买，越多越便宜</View>
    </Page>
  )
}
