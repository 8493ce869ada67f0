import { View, Text, Button, Input } from '@tarojs/components'
import Taro, { useDidShow } from '@tarojs/taro'
import { useEffect, useState } from 'react'
import Page from '../../components/Page'
import { useSession } from '../../components/useSession'
import { CATEGORY_NAMES } from '../../services/catalogue'
import { storesApi, type StoreSummary } from '../../services/stores'
import { appliancesApi, shanghaiDate, type Appliance, type Reminder } from '../../services/after-sales'

/**
 * 我的家电: what the household has, with warranty and the next upkeep; 报修 from each one; 换新 for
 * one past its typical life; appliances bought elsewhere added by hand; my upkeep reminders.
 */
export default function Appliances() {
  useSession()
  const [items, setItems] = useState<Appliance[] | null>(null)
  const [reminders, setReminders] = useState<Reminder[]>([])
  const [failed, setFailed] = useState(false)
  const [adding, setAdding] = useState(false)

  const load = () => {
    appliancesApi.list().then((r) => { setItems(r.items); setFailed(false) }).catch(() => setFailed(true))
    appliancesApi.reminders().then((r) => setReminders(r.items)).catch(() => undefined)
  }
  useDidShow(load)

  return (
    <Page testId='appliances-page'>
      <View className='card row' data-testid='appliances-my-tickets' onClick={() => Taro.navigateTo({ url: '/pages/tickets/index' })}>
        <Text>我的售后申请</Text>
        <Text className='muted'>查看进度 ›</Text>
      </View>

      {reminders.length > 0 && (
        <View className='card' data-testid='appliances-reminders'>
          <View className='subtitle'>保养提醒</View>
          {reminders.map((r) => (
            <View key={r.id} className='row' data-testid={`reminder-${r.appliance.id}`}>
              <Text>{r.appliance.name}该保养了</Text>
              <Text className='muted'>{shanghaiDate(r.dueAt)}前</Text>
            </View>
          ))}
        </View>
      )}

      {failed && <View className='empty error'>加载失败，请稍后再试</View>}
      {items === null && !failed && <View className='empty'>加载中…</View>}
      {items?.length === 0 && !adding && (
        <View className='empty' data-testid='appliances-empty'>
          <View>还没有家电</View>
          <View className='muted'>在星火买的家电，提货后会自动出现在这里；别处买的可以自己添加，坏了一键报修。</View>
        </View>
      )}
      {items?.map((a) => <ApplianceCard key={a.id} appliance={a} />)}

      {adding ? (
        <AddAppliance onDone={(added) => { setAdding(false); if (added) load() }} />
      ) : (
        <Button className='btn secondary' data-testid='appliance-add' onClick={() => setAdding(true)}>添加别处买的家电</Button>
      )}
    </Page>
  )
}

function ApplianceCard({ appliance: a }: { appliance: Appliance }) {
  const prefill = a.replacement?.tradeInPrefill
  const tradeInUrl = prefill
    ? `/pages/trade-in/index?category=${prefill.category}&brand=${encodeURIComponent(prefill.brand)}&ageYears=${prefill.ageYears}`
    : '/pages/trade-in/index'
  return (
    <View className='card' data-testid='appliance-card' data-category={a.category}>
      <View className='row'>
        <Text className='subtitle'>{a.name}</Text>
        <Text className='muted'>{a.source === 'order' ? '星火购买' : '自己添加'}</Text>
      </View>
      <View>{a.ageYears > 0 ? `用了 ${a.ageYears} 年` : '不到 1 年'}</View>
      <View className={a.inWarranty ? 'ok' : 'muted'}>{a.inWarranty && a.warrantyUntil ? `保修到 ${shanghaiDate(a.warrantyUntil)}` : '已过保修期'}</View>
      {a.nextMaintenanceAt && <View className='muted'>下次保养：{shanghaiDate(a.nextMaintenanceAt)}</View>}
      {a.replacement?.suggested && (
        <View className='banner' data-testid={`appliance-replace-${a.id}`}>
          <View>这台已经用了 {a.ageYears} 年，{a.typicalLifeYears ? `超过一般寿命 ${a.typicalLifeYears} 年，` : ''}费电又容易坏，可以考虑换新。</View>
          <Button className='btn secondary' data-testid='appliance-trade-in' onClick={() => Taro.navigateTo({ url: tradeInUrl })}>换新：看看旧机能抵多少钱</Button>
        </View>
      )}
      <Button className='btn' data-testid='appliance-report' onClick={() => Taro.navigateTo({ url: `/pages/ticket-new/index?applianceId=${a.id}` })}>报修 / 售后</Button>
    </View>
  )
}

const CATEGORIES = Object.entries(CATEGORY_NAMES)

/** A household appliance bought elsewhere: its kind, brand, age, and which store looks after it. */
function AddAppliance({ onDone }: { onDone: (added: boolean) => void }) {
  const [category, setCategory] = useState('')
  const [brand, setBrand] = useState('')
  const [age, setAge] = useState('')
  const [stores, setStores] = useState<StoreSummary[] | null>(null)
  const [storeId, setStoreId] = useState('')
  const [busy, setBusy] = useState(false)
  useEffect(() => {
    storesApi.choices().then((s) => { setStores(s); if (s[0]) setStoreId(s[0].id) }).catch(() => setStores([]))
  }, [])
  const ageYears = Number(age)
  const ready = !!category && brand.trim().length > 0 && age !== '' && Number.isInteger(ageYears) && ageYears >= 0 && ageYears <= 40

  const save = async () => {
    if (!ready) return
    setBusy(true)
    const added = await appliancesApi.add({ category, brand: brand.trim(), ageYears, ...(storeId ? { storeId } : {}) }).catch(() => null)
    setBusy(false)
    if (added) {
      void Taro.showToast({ title: '已添加', icon: 'success' })
      onDone(true)
    }
  }

  return (
    <View className='card' data-testid='appliance-form'>
      <View className='subtitle'>1. 是什么家电？</View>
      <View className='grid2'>
        {CATEGORIES.map(([id, name]) => (
          <View key={id} className={`option check${category === id ? ' selected' : ''}`} data-testid={`appliance-category-${id}`} onClick={() => setCategory(id)}>{name}</View>
        ))}
      </View>
      <View className='subtitle'>2. 什么牌子？</View>
      <Input className='input' data-testid='appliance-brand' placeholder='例如：格力、美的、海尔' value={brand} onInput={(e) => setBrand(e.detail.value)} />
      <View className='subtitle'>3. 用了几年？</View>
      <Input className='input' type='number' data-testid='appliance-age' placeholder='填数字，不到一年填 0' value={age} onInput={(e) => setAge(e.detail.value)} />
      <View className='subtitle'>4. 坏了找哪家门店？</View>
      {stores === null && <View className='muted'>正在找附近的门店…</View>}
      {stores?.length === 0 && <View className='muted'>没有找到附近的门店，报修时再选</View>}
      {stores?.map((s) => (
        <View key={s.id} className={`option check${storeId === s.id ? ' selected' : ''}`} data-testid={`appliance-store-${s.id}`} onClick={() => setStoreId(s.id)}>{s.name}</View>
      ))}
      <Button className={`btn${ready && !busy ? '' : ' disabled'}`} disabled={!ready || busy} data-testid='appliance-save' onClick={save}>保存</Button>
      <Button className='btn secondary' data-testid='appliance-cancel' onClick={() => onDone(false)}>不添加了</Button>
    </View>
  )
}
