import { View, Text } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { TYPE_NAMES, distanceText, type StoreDetail } from '../../services/stores'

/** One store in a list: name, type, address, distance when known; tap opens its page. */
export default function StoreCard({ store }: { store: StoreDetail & { distanceM?: number } }) {
  return (
    <View className='card' data-testid='store-card' data-store-id={store.id} onClick={() => Taro.navigateTo({ url: `/pages/store-detail/index?id=${encodeURIComponent(store.id)}` })}>
      <View className='row'>
        <Text className='subtitle' data-testid='store-name'>{store.name}</Text>
        {store.distanceM !== undefined && <Text className='price' data-testid='store-distance'>{distanceText(store.distanceM)}</Text>}
      </View>
      <View><Text className='tag'>{TYPE_NAMES[store.type] ?? store.type}</Text><Text className='tag'>{store.openHours}</Text></View>
      <View className='muted'>{store.address}</View>
    </View>
  )
}
