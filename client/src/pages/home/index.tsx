import { View } from '@tarojs/components'
import Page from '../../components/Page'

export default function Home() {
  return (
    <Page testId='home-page'>
      <View className='title'>首页</View>
      <View className='muted'>超级新品季暨空调厨卫节</View>
    </Page>
  )
}
