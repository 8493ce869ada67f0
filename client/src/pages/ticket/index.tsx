import { View, Button, Textarea, Switch } from '@tarojs/components'
import Taro, { useDidShow, useRouter } from '@tarojs/taro'
import { useState } from 'react'
import Page from '../../components/Page'
import { useSession } from '../../components/useSession'
import { canCancel, canRate, choosePhoto, ticketsApi, type Photo, type Ticket } from '../../services/after-sales'
import { PhotoView, Stars, TicketFacts, TicketTimeline } from '../../components/Ticket'

/** One of my tickets: where it stands, when the store must answer, its history; cancel; rate. */
export default function TicketDetail() {
  useSession()
  const { params } = useRouter()
  const [ticket, setTicket] = useState<Ticket | null>(null)
  const [failed, setFailed] = useState(false)

  useDidShow(() => {
    ticketsApi.get(params.id ?? '').then(setTicket).catch(() => setFailed(true))
  })

  if (failed) return <Page><View className='empty error'>没有找到这张售后单</View></Page>
  if (!ticket) return <Page><View className='empty'>加载中…</View></Page>

  const cancel = async () => {
    const { confirm } = await Taro.showModal({ title: '撤销申请', content: '确定不需要门店处理了吗？' })
    if (!confirm) return
    const updated = await ticketsApi.cancel(ticket.id).catch(() => null)
    if (updated) setTicket(updated)
  }

  return (
    <Page testId='ticket-page'>
      <TicketFacts ticket={ticket} />
      {canRate(ticket) && <RateForm ticket={ticket} onRated={setTicket} />}
      {ticket.rating && <RatingShown ticket={ticket} />}
      <Button className='btn secondary' data-testid='ticket-call-store' onClick={() => Taro.makePhoneCall({ phoneNumber: ticket.store.phone })}>打电话给门店</Button>
      <TicketTimeline ticket={ticket} />
      {canCancel(ticket) && <Button className='btn secondary' data-testid='ticket-cancel' onClick={cancel}>撤销申请</Button>}
    </Page>
  )
}

const WALL_NAMES: Record<string, string> = { pending: '等店主同意后放上门店照片墙', approved: '已放上门店照片墙', declined: '店主没有把这张照片放上照片墙' }

function RatingShown({ ticket }: { ticket: Ticket }) {
  const r = ticket.rating!
  return (
    <View className='card' data-testid='ticket-rating'>
      <View className='subtitle'>我的评价</View>
      <Stars value={r.stars} />
      {r.comment && <View>{r.comment}</View>}
      {r.photoUrl && <PhotoView url={r.photoUrl} />}
      {r.wallStatus && <View className='muted' data-testid='ticket-wall-status'>{WALL_NAMES[r.wallStatus] ?? ''}</View>}
    </View>
  )
}

/** Stars (big, one tap each), a few words, a photo, and whether it may go on the store's wall. */
function RateForm({ ticket, onRated }: { ticket: Ticket; onRated: (t: Ticket) => void }) {
  const [stars, setStars] = useState(5)
  const [comment, setComment] = useState('')
  const [photo, setPhoto] = useState<Photo | null>(null)
  const [onWall, setOnWall] = useState(true)
  const [busy, setBusy] = useState(false)

  const addPhoto = async () => {
    const p = await choosePhoto().catch(() => null)
    if (p) setPhoto(p)
  }
  const submit = async () => {
    setBusy(true)
    const rated = await ticketsApi
      .rate(ticket.id, { stars, ...(comment.trim() ? { comment: comment.trim() } : {}), ...(photo ? { photoId: photo.id, showOnWall: onWall } : {}) })
      .catch(() => null)
    setBusy(false)
    if (rated) {
      void Taro.showToast({ title: '谢谢您的评价', icon: 'success' })
      onRated(rated)
    }
  }

  return (
    <View className='card' data-testid='ticket-rate'>
      <View className='subtitle'>给门店打个分</View>
      <Stars value={stars} onChange={setStars} />
      <Textarea className='textarea' data-testid='ticket-rate-comment' maxlength={300} placeholder='说说师傅修得怎么样（可以不写）' value={comment} onInput={(e) => setComment(e.detail.value)} />
      {photo && <PhotoView url={photo.url} testId='ticket-rate-photo' />}
      <Button className='btn secondary' data-testid='ticket-rate-add-photo' onClick={addPhoto}>{photo ? '换一张照片' : '晒张照片（可以不拍）'}</Button>
      {photo && (
        <View className='row'>
          <View>
            <View>放上门店照片墙</View>
            <View className='muted'>店主同意后，别的村民能看到</View>
          </View>
          <Switch data-testid='ticket-rate-wall' checked={onWall} color='#E8480C' onChange={(e) => setOnWall(e.detail.value)} />
        </View>
      )}
      <Button className={`btn${busy ? ' disabled' : ''}`} disabled={busy} data-testid='ticket-rate-submit' onClick={submit}>提交评价</Button>
    </View>
  )
}
