import { View } from '@tarojs/components'
import Page from '../../components/Page'

export default function Stores() {
  return (
    <Page testId='stores-page'>
      <View className='title'>门店</View>
      <View className='muted'>找到离您最近的星火门店</View>
    </Page>
  )
}
