import { View, Button } from '@tarojs/components'
import { useRouter } from '@tarojs/taro'
import { useEffect, useState } from 'react'
import Page from '../../components/Page'
import { storesApi, type StoreDetail } from '../../services/stores'
import { regionsApi, type RegionWithPath } from '../../services/regions'
import StoreCard from '../stores/StoreCard'

/** A region's stores: for a village, the stores that serve it; for a town or county, those in it. */
export default function Village() {
  const { params } = useRouter()
  const code = params.code ?? ''
  const [region, setRegion] = useState<RegionWithPath | null>(null)
  const [stores, setStores] = useState<StoreDetail[] | null>(null)
  const [cursor, setCursor] = useState<string | null>(null)
  const [failed, setFailed] = useState(false)

  async function load(after?: string) {
    setFailed(false)
    try {
      const page = await storesApi.inRegion(code, after)
      setStores((prev) => [...(after ? prev ?? [] : []), ...page.items])
      setCursor(page.nextCursor)
    } catch {
      setFailed(true)
    }
  }

  useEffect(() => {
    regionsApi.get(code).then(setRegion).catch(() => setFailed(true))
    void load()
  }, [code])

  return (
    <Page testId='village-page'>
      <View className='title' data-testid='village-name'>{region?.name ?? '…'}</View>
      {region && <View className='muted' data-testid='village-path'>{region.path}</View>}
      <View className='subtitle'>{region?.level === 'village' ? '为本村服务的门店' : '这里的门店'}</View>
      {failed && (
        <View className='card error' data-testid='village-error'>
          没能加载，请稍后再试
          <Button className='btn secondary' onClick={() => load()}>重试</Button>
        </View>
      )}
      {stores && !stores.length && <View className='empty' data-testid='village-empty'>这里还没有星火门店，可以到附近镇上的门店看看</View>}
      {stores?.map((s) => <StoreCard key={s.id} store={s} />)}
      {cursor && <Button className='btn secondary' onClick={() => load(cursor)}>再看更多</Button>}
    </Page>
  )
}
