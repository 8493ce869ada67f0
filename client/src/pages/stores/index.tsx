import { View, Text, Button, Input } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { useEffect, useState } from 'react'
import Page from '../../components/Page'
import { currentLocation, storesApi, type StoreDetail } from '../../services/stores'
import { regionsApi, type Region, type RegionWithPath } from '../../services/regions'
import StoreCard from './StoreCard'

type Nearby = { state: 'idle' | 'locating' | 'done' | 'denied' | 'error'; items: (StoreDetail & { distanceM: number })[] }

/** 门店: the nearest stores by location, a region picker down to the village, and village search. */
export default function Stores() {
  const [nearby, setNearby] = useState<Nearby>({ state: 'idle', items: [] })
  const [trail, setTrail] = useState<Region[]>([])
  const [children, setChildren] = useState<Region[] | null>(null)
  const [pickerError, setPickerError] = useState(false)
  const [q, setQ] = useState('')
  const [results, setResults] = useState<RegionWithPath[] | null>(null)
  const [searchError, setSearchError] = useState('')

  const parent = trail[trail.length - 1]
  useEffect(() => {
    setChildren(null)
    setPickerError(false)
    regionsApi.children(parent?.code).then((r) => setChildren(r.items)).catch(() => setPickerError(true))
  }, [parent?.code])

  async function locate() {
    setNearby({ state: 'locating', items: [] })
    const loc = await currentLocation()
    if (!loc) return setNearby({ state: 'denied', items: [] })
    try {
      const res = await storesApi.nearby(loc.lat, loc.lng, { radiusKm: 100, limit: 20 })
      setNearby({ state: 'done', items: res.items as Nearby['items'] })
    } catch {
      setNearby({ state: 'error', items: [] })
    }
  }

  function pick(r: Region) {
    if (r.level === 'village') void Taro.navigateTo({ url: `/pages/village/index?code=${r.code}` })
    else setTrail([...trail, r])
  }

  async function search() {
    const text = q.trim()
    setSearchError('')
    if (!text) return setSearchError('请输入村或镇的名字')
    if (text.length > 63) return setSearchError('名字太长了')
    try {
      setResults((await regionsApi.search(text, nearby.items[0]?.regionCode ?? trail[trail.length - 1]?.code)).items)
    } catch {
      setResults(null)
      setSearchError('搜索失败，请稍后再试')
    }
  }

  return (
    <Page testId='stores-page'>
      <View className='title'>找门店</View>
      <Button className='btn' data-testid='locate' onClick={locate}>{nearby.state === 'locating' ? '正在定位…' : '用我的位置找最近的门店'}</Button>
      {nearby.state === 'denied' && <View className='card error' data-testid='locate-denied'>没能拿到您的位置。请在设置里允许定位，或在下面按地区找。</View>}
      {nearby.state === 'error' && <View className='card error' data-testid='nearby-error'>网络不好，没能查到门店，请稍后再试。</View>}
      {nearby.state === 'done' && !nearby.items.length && <View className='empty' data-testid='nearby-empty'>附近 100 公里内还没有星火门店</View>}
      {nearby.state === 'done' && nearby.items.length > 0 && (
        <View data-testid='nearby-list'>
          <View className='subtitle'>离您最近的门店</View>
          {nearby.items.map((s) => <StoreCard key={s.id} store={s} />)}
        </View>
      )}

      <View className='subtitle'>搜村名</View>
      <Input className='input' data-testid='village-search-input' value={q} maxlength={63} placeholder='输入村名或镇名，比如：臧村' confirmType='search' onInput={(e) => setQ(e.detail.value)} onConfirm={search} />
      <Button className='btn secondary' data-testid='village-search' onClick={search}>搜索</Button>
      {searchError && <View className='error' data-testid='search-error'>{searchError}</View>}
      {results && !results.length && <View className='empty' data-testid='search-empty'>没有找到这个名字，换个字试试</View>}
      {results?.map((r) => (
        <View key={r.code} className='option' data-testid='search-result' data-code={r.code} onClick={() => Taro.navigateTo({ url: `/pages/village/index?code=${r.code}` })}>
          <Text>{r.path}</Text>
        </View>
      ))}

      <View className='subtitle'>按地区找</View>
      <View className='chips' data-testid='region-trail'>
        <Text className={`chip${trail.length ? '' : ' selected'}`} onClick={() => setTrail([])}>全国</Text>
        {trail.map((r, i) => (
          <Text key={r.code} className={`chip${i === trail.length - 1 ? ' selected' : ''}`} onClick={() => setTrail(trail.slice(0, i + 1))}>{r.name}</Text>
        ))}
      </View>
      {parent && parent.level !== 'province' && (
        <Button className='btn secondary' data-testid='region-stores' onClick={() => Taro.navigateTo({ url: `/pages/village/index?code=${parent.code}` })}>看{parent.name}的门店</Button>
      )}
      {pickerError && <View className='card error' data-testid='picker-error'>地区没能加载，请稍后再试</View>}
      {!children && !pickerError && <View className='muted'>加载中…</View>}
      {children?.map((r) => (
        <View key={r.code} className='option' data-testid='region-option' data-code={r.code} onClick={() => pick(r)}>
          <Text>{r.name}</Text><Text className='muted'>›</Text>
        </View>
      ))}
    </Page>
  )
}
