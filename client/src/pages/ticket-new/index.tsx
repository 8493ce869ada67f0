import { View, Text, Button, Textarea } from '@tarojs/components'
import Taro, { useRouter } from '@tarojs/taro'
import { useEffect, useRef, useState } from 'react'
import Page from '../../components/Page'
import { useSession } from '../../components/useSession'
import { PhotoView } from '../../components/Ticket'
import { ordersApi } from '../../services/orders'
import { newIdempotencyKey, ApiError } from '../../services/request'
import { storesApi, type StoreSummary } from '../../services/stores'
import { appliancesApi, choosePhoto, ticketsApi, KIND_HINTS, KIND_NAMES, type Photo, type TicketKind } from '../../services/after-sales'

/** What the report is about: an appliance of mine, or an order. */
type Subject = { name: string; fromOrder: boolean; needsStore: boolean }

const ON_ANY: TicketKind[] = ['repair', 'maintenance', 'install_issue']
const WITH_ORDER: TicketKind[] = ['repair', 'maintenance', 'install_issue', 'exchange', 'return']
const MAX_PHOTOS = 3

/**
 * 报修 / 售后: what happened (one big choice), a few words, photos if the person can, and the store
 * answers within 24 hours. Query: applianceId or orderId.
 */
export default function NewTicket() {
  useSession()
  const { params } = useRouter()
  const [subject, setSubject] = useState<Subject | null>(null)
  const [failed, setFailed] = useState(false)
  const [kind, setKind] = useState<TicketKind>('repair')
  const [description, setDescription] = useState('')
  const [photos, setPhotos] = useState<Photo[]>([])
  const [stores, setStores] = useState<StoreSummary[] | null>(null)
  const [storeId, setStoreId] = useState('')
  const [busy, setBusy] = useState(false)
  // One key for this report: pressing again after a lost answer opens no second ticket.
  const key = useRef(newIdempotencyKey())

  useEffect(() => {
    const load = async (): Promise<Subject> => {
      if (params.applianceId) {
        const a = await appliancesApi.get(params.applianceId)
        return { name: a.name, fromOrder: !!a.orderId, needsStore: !a.storeId && !a.orderId }
      }
      const { order } = await ordersApi.get(params.orderId ?? '')
      return { name: order.items.map((i) => i.productName).join('、'), fromOrder: true, needsStore: false }
    }
    load()
      .then((s) => {
        setSubject(s)
        if (s.needsStore) storesApi.choices().then((list) => { setStores(list); if (list[0]) setStoreId(list[0].id) }).catch(() => setStores([]))
      })
      .catch(() => setFailed(true))
  }, [params.applianceId, params.orderId])

  if (failed) return <Page><View className='empty error'>没有找到这件家电或订单</View></Page>
  if (!subject) return <Page><View className='empty'>加载中…</View></Page>

  const text = description.trim()
  const ready = text.length >= 2 && (!subject.needsStore || !!storeId) && !busy

  const addPhoto = async () => {
    const photo = await choosePhoto().catch(() => null)
    if (photo) setPhotos((p) => [...p, photo])
  }

  const submit = async () => {
    if (!ready) return
    setBusy(true)
    try {
      const ticket = await ticketsApi.open(
        {
          kind, description: text,
          ...(params.applianceId ? { applianceId: params.applianceId } : { orderId: params.orderId }),
          ...(subject.needsStore ? { storeId } : {}),
          ...(photos.length ? { photoIds: photos.map((p) => p.id) } : {}),
        },
        key.current,
      )
      void Taro.redirectTo({ url: `/pages/ticket/index?id=${ticket.id}` })
    } catch (err) {
      // The same trouble is being handled already: show that ticket instead of a second one.
      const open = err instanceof ApiError && err.code === 'TICKET_ALREADY_OPEN' ? err.details.find((d) => d.path === 'ticketId')?.message : undefined
      if (open) void Taro.redirectTo({ url: `/pages/ticket/index?id=${open}` })
    } finally {
      setBusy(false)
    }
  }

  return (
    <Page testId='ticket-new-page'>
      <View className='card'>
        <View className='muted'>要报修的是</View>
        <View className='subtitle' data-testid='ticket-new-subject'>{subject.name}</View>
      </View>

      <View className='subtitle'>1. 需要什么帮助？</View>
      {(subject.fromOrder ? WITH_ORDER : ON_ANY).map((k) => (
        <View key={k} className={`option column${kind === k ? ' selected' : ''}`} data-testid={`ticket-kind-${k}`} onClick={() => setKind(k)}>
          <Text>{KIND_NAMES[k]}</Text>
          <Text className='hint'>{KIND_HINTS[k]}</Text>
        </View>
      ))}

      <View className='subtitle'>2. 说说是什么情况</View>
      <Textarea
        className='textarea'
        data-testid='ticket-description'
        maxlength={500}
        placeholder='比如：空调开了不制冷，外机有响声'
        value={description}
        onInput={(e) => setDescription(e.detail.value)}
      />

      <View className='subtitle'>3. 拍张照片（可以不拍）</View>
      <View className='photos'>
        {photos.map((p) => <PhotoView key={p.id} url={p.url} testId='ticket-photo' />)}
      </View>
      {photos.length < MAX_PHOTOS && <Button className='btn secondary' data-testid='ticket-add-photo' onClick={addPhoto}>{photos.length ? '再拍一张' : '拍照 / 选照片'}</Button>}

      {subject.needsStore && (
        <View>
          <View className='subtitle'>4. 请哪家门店来修？</View>
          {stores === null && <View className='muted'>正在找附近的门店…</View>}
          {stores?.length === 0 && (
            <View className='empty'>
              <View>没有找到附近的门店</View>
              <Button className='btn secondary' onClick={() => void Taro.switchTab({ url: '/pages/stores/index' })}>去选门店</Button>
            </View>
          )}
          {stores?.map((s) => (
            <View key={s.id} className={`option check${storeId === s.id ? ' selected' : ''}`} data-testid={`ticket-store-${s.id}`} onClick={() => setStoreId(s.id)}>{s.name}</View>
          ))}
        </View>
      )}

      <View className='muted'>提交后，门店会在 24 小时内答复您；超时没答复，会上报网格经理督办。</View>
      <Button className={`btn${ready ? '' : ' disabled'}`} disabled={!ready} data-testid='ticket-submit' onClick={submit}>{busy ? '正在提交…' : '提交'}</Button>
    </Page>
  )
}
