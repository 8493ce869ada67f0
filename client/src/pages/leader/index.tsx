import { View, Text, Button, Input } from '@tarojs/components'
import Taro, { useDidShow } from '@tarojs/taro'
import { useEffect, useState } from 'react'
import Page from '../../components/Page'
import './index.css'
import { useSession } from '../../components/useSession'
import { catalogueApi, yuan, type ProductDetail } from '../../services/catalogue'
import { groupBuysApi, groupBuyFormError, COMMISSION_CAUSES, STATUS_LABELS, type CommissionEntry, type GroupBuy } from '../../services/group-buys'

/** The leader's page: open a group, my groups and their members, join or remove a neighbour, my commission and why. */
export default function Leader() {
  const user = useSession()
  const [groups, setGroups] = useState<GroupBuy[]>([])
  const [commission, setCommission] = useState<{ totalFen: number; items: CommissionEntry[] }>({ totalFen: 0, items: [] })
  const [openError, setOpenError] = useState('')
  const [neighbourError, setNeighbourError] = useState('')
  const [products, setProducts] = useState<ProductDetail[]>([])
  const [storeId, setStoreId] = useState('')
  const [skuId, setSkuId] = useState('')
  const [minutes, setMinutes] = useState('60')
  const [tier1, setTier1] = useState({ units: '3', yuan: '' })
  const [tier2, setTier2] = useState({ units: '6', yuan: '' })
  const [neighbour, setNeighbour] = useState({ groupId: '', name: '', phone: '', units: '1' })

  const load = () => {
    groupBuysApi.list({ mine: true }).then((r) => setGroups(r.items)).catch(() => undefined)
    groupBuysApi.commissions().then(setCommission).catch(() => undefined)
    groupBuysApi.myStores().then((r) => setStoreId(r.items.find((s) => s.status === 'approved')?.storeId ?? '')).catch(() => undefined)
  }
  useDidShow(() => load())
  useEffect(() => {
    catalogueApi.products({ tag: 'new_season' }).then(async (r) => {
      const details = await Promise.all(r.items.slice(0, 6).map((p) => catalogueApi.product(p.id)))
      setProducts(details)
    }).catch(() => undefined)
  }, [])

  const sku = products.flatMap((p) => p.skus.map((s) => ({ ...s, name: p.name }))).find((s) => s.id === skuId)
  useEffect(() => {
    if (!sku) return
    setTier1((t) => ({ ...t, yuan: String(Math.floor((sku.priceFen * 0.95) / 100)) }))
    setTier2((t) => ({ ...t, yuan: String(Math.floor((sku.priceFen * 0.9) / 100)) }))
  }, [skuId])

  const open = async () => {
    if (!sku || !user || !storeId) return
    setOpenError('')
    const created = await groupBuysApi.open({
      skuId: sku.id,
      storeId,
      tiers: [
        { minUnits: Number(tier1.units), priceFen: Math.round(Number(tier1.yuan) * 100) },
        { minUnits: Number(tier2.units), priceFen: Math.round(Number(tier2.yuan) * 100) },
      ],
      deadline: new Date(Date.now() + Number(minutes) * 60_000).toISOString(),
      maxUnits: 50,
      maxUnitsPerMember: 3,
    }).catch((e: unknown) => {
      setOpenError(groupBuyFormError(e))
      return null
    })
    if (created) void Taro.navigateTo({ url: `/pages/group-buy-detail/index?id=${created.id}` })
  }
  const addNeighbour = async () => {
    setNeighbourError('')
    const ok = await groupBuysApi.addNeighbour(neighbour.groupId, { name: neighbour.name, phone: neighbour.phone, units: Number(neighbour.units) }).catch((e: unknown) => {
      setNeighbourError(groupBuyFormError(e))
      return null
    })
    if (ok) {
      void Taro.showToast({ title: '已代邻居参团', icon: 'success' })
      setNeighbour({ groupId: '', name: '', phone: '', units: '1' })
      load()
    }
  }

  const removeNeighbour = async (groupId: string, member: { id: string; name: string }) => {
    const { confirm } = await Taro.showModal({ title: '移出邻居', content: `把 ${member.name} 移出这个团吗？`, confirmText: '移出', cancelText: '不移' })
    if (!confirm) return
    setNeighbourError('')
    await groupBuysApi.removeNeighbour(groupId, member.id).then(() => void Taro.showToast({ title: '已移出', icon: 'success' })).catch(() => undefined)
    load()
  }

  return (
    <Page testId='leader-page'>
      <View className='card'>
        <View className='row'><Text>我的佣金</Text><Text className='price' data-testid='leader-commission'>{yuan(commission.totalFen)}</Text></View>
        <View className='muted'>邻居到店提货后才计佣金；取消、超时或退款的订单会扣回</View>
        {commission.items.slice(0, 5).map((e) => (
          <View key={e.id} className='row muted' data-testid={`leader-commission-${e.id}`}>
            <Text>{COMMISSION_CAUSES[e.cause] ?? '佣金调整'}</Text><Text>{e.amountFen < 0 ? '-' : '+'}{yuan(Math.abs(e.amountFen))}</Text>
          </View>
        ))}
      </View>
      <View className='card'>
        <View className='subtitle'>开一个团</View>
        {products.flatMap((p) => p.skus.slice(0, 1).map((s) => (
          <View key={s.id} data-testid={`leader-sku-${s.id}`} className={`option${skuId === s.id ? ' selected' : ''}`} onClick={() => setSkuId(s.id)}>
            <Text>{p.name} {s.spec}</Text><Text className='price'>{yuan(s.priceFen)}</Text>
          </View>
        )))}
        <View className='tier'>
          <View className='tier-part'><Text>满</Text><Input className='input tier-units' type='number' value={tier1.units} onInput={(e) => setTier1({ ...tier1, units: e.detail.value })} /><Text>台，</Text></View>
          <View className='tier-part'><Text>每台</Text><Input className='input tier-price' data-testid='leader-tier1-price' type='digit' value={tier1.yuan} onInput={(e) => setTier1({ ...tier1, yuan: e.detail.value })} /><Text>元</Text></View>
        </View>
        <View className='tier'>
          <View className='tier-part'><Text>满</Text><Input className='input tier-units' type='number' value={tier2.units} onInput={(e) => setTier2({ ...tier2, units: e.detail.value })} /><Text>台，</Text></View>
          <View className='tier-part'><Text>每台</Text><Input className='input tier-price' type='digit' value={tier2.yuan} onInput={(e) => setTier2({ ...tier2, yuan: e.detail.value })} /><Text>元</Text></View>
        </View>
        <View className='tier'>
          <View className='tier-part'><Text>截止：</Text><Input className='input tier-price' data-testid='leader-minutes' type='digit' value={minutes} onInput={(e) => setMinutes(e.detail.value)} /><Text>分钟后</Text></View>
        </View>
        {openError && <View className='error' data-testid='leader-open-error'>{openError}</View>}
        <Button className={`btn${sku ? '' : ' disabled'}`} disabled={!sku} data-testid='leader-open' onClick={open}>开团</Button>
      </View>
      <View className='subtitle'>我的团</View>
      {groups.length === 0 && <View className='empty'>还没有开过团</View>}
      {groups.map((g) => (
        <View key={g.id} className='card' data-testid={`leader-group-${g.id}`}>
          <View className='row tap-row' onClick={() => Taro.navigateTo({ url: `/pages/group-buy-detail/index?id=${g.id}` })}>
            <Text>{g.sku?.productName}</Text><Text className='tag'>{STATUS_LABELS[g.status]}</Text>
          </View>
          <View className='muted small'>已拼 {g.unitsJoined} 台 · {g.membersCount} 户</View>
          {(g.members ?? []).map((m) => (
            <View key={m.id} className='row'>
              <Text className='muted small' style={{ flex: 1, minWidth: 0 }}>{m.name}{m.proxy ? `（${m.phone}）` : ''} {m.units} 台{m.pickupCode ? ` 提货码 ${m.pickupCode}` : ''}</Text>
              {m.proxy && g.status === 'open' && <Button className='btn secondary' style={{ margin: '8px 0 8px 16px', flexShrink: 0, width: 'auto' }} data-testid={`leader-remove-${m.id}`} onClick={() => removeNeighbour(g.id, m)}>移出</Button>}
            </View>
          ))}
          {g.status === 'open' && (neighbour.groupId === g.id ? (
            <View>
              <Input className='input' placeholder='邻居姓名' value={neighbour.name} onInput={(e) => setNeighbour({ ...neighbour, name: e.detail.value })} />
              <Input className='input' type='number' placeholder='手机号' value={neighbour.phone} onInput={(e) => setNeighbour({ ...neighbour, phone: e.detail.value })} />
              <Input className='input' type='number' placeholder='台数' value={neighbour.units} onInput={(e) => setNeighbour({ ...neighbour, units: e.detail.value })} />
              {neighbourError && <View className='error' data-testid='leader-neighbour-error'>{neighbourError}</View>}
              <Button className='btn' data-testid='leader-add-neighbour' onClick={addNeighbour}>代邻居参团</Button>
            </View>
          ) : (
            <Button className='btn secondary' onClick={() => setNeighbour({ groupId: g.id, name: '', phone: '', units: '1' })}>代没有智能手机的邻居参团</Button>
          ))}
        </View>
      ))}
    </Page>
  )
}
