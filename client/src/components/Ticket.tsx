import { View, Text, Image } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { imageSrc, yuan } from '../services/catalogue'
import {
  answerByText, eventText, isWaiting, shanghaiTime, KIND_NAMES, REFUND_METHOD_NAMES, STAR_WORDS, STATUS_NAMES, STORE_STATUS_NAMES, type Ticket,
} from '../services/after-sales'

/** Stars from 1 to 5; with onChange each is a big tap target, and the choice is said in words. */
export function Stars({ value, onChange, testId = 'stars' }: { value: number; onChange?: (n: number) => void; testId?: string }) {
  return (
    <View className={`stars${onChange ? '' : ' shown'}`} data-testid={testId} data-value={value} aria-label={`${value}星`}>
      {[1, 2, 3, 4, 5].map((n) => (
        <View key={n} className={`star${n <= value ? ' on' : ''}`} data-testid={onChange ? `${testId}-${n}` : undefined} onClick={onChange ? () => onChange(n) : undefined}>★</View>
      ))}
      {onChange && <Text className='star-words'>{STAR_WORDS[value - 1]}</Text>}
    </View>
  )
}

/** A photo; in the mini-program a tap opens WeChat's full-screen viewer (H5's would add a swiper to every page). */
export function PhotoView({ url, big = false, testId }: { url: string; big?: boolean; testId?: string }) {
  const src = imageSrc(url)
  const preview = () => {
    if (process.env.TARO_ENV === 'weapp') void Taro.previewImage({ urls: [src], current: src })
  }
  return <Image className={`photo${big ? ' big' : ''}`} mode='aspectFill' src={src} data-testid={testId} onClick={preview} />
}

/** When the store must answer by, plainly: the time, what is left, or how late it is. */
export function AnswerBy({ ticket, forStore = false }: { ticket: Ticket; forStore?: boolean }) {
  if (!isWaiting(ticket)) return null
  const late = ticket.overdue || ticket.status === 'escalated'
  const due = forStore ? `须在 ${shanghaiTime(ticket.respondBy)} 前受理` : `门店会在 ${shanghaiTime(ticket.respondBy)} 前答复您`
  return (
    <View className={late ? 'warn' : ''} data-testid='ticket-answer-by'>
      <View>{late ? `门店超时未答复，${answerByText(ticket)}` : due}</View>
      {!late && <View>{answerByText(ticket)}</View>}
      {ticket.status === 'escalated' && <View>已上报网格经理督办</View>}
    </View>
  )
}

/** Where a ticket stands and what it is about: the same for the villager and the store. */
export function TicketFacts({ ticket: t, forStore = false }: { ticket: Ticket; forStore?: boolean }) {
  return (
    <View className='card' data-testid='ticket-facts'>
      <View className='row'>
        <Text className='subtitle' data-testid='ticket-status' data-status={t.status}>{(forStore ? STORE_STATUS_NAMES : STATUS_NAMES)[t.status]}</Text>
        <Text className='tag'>{KIND_NAMES[t.kind]}</Text>
      </View>
      {isWaiting(t) && <View className={`banner${t.overdue || t.status === 'escalated' ? ' late' : ''}`}><AnswerBy ticket={t} forStore={forStore} /></View>}
      <View className='subtitle'>{t.applianceName ?? '订单商品'}</View>
      {forStore && t.customer && <View className='muted'>顾客：{t.customer.nickname}</View>}
      {!forStore && <View className='muted'>{t.store.name}</View>}
      <View className='muted'>{shanghaiTime(t.createdAt)} 提交</View>
      <View data-testid='ticket-description-shown'>“{t.description}”</View>
      {t.photos.length > 0 && (
        <View className='photos'>
          {t.photos.map((p) => <PhotoView key={p.id} url={p.url} />)}
        </View>
      )}
      {t.rejectReason && <View className='banner'>门店的说明：{t.rejectReason}</View>}
      {t.visit?.startsAt && <View className='banner'>上门时间：{shanghaiTime(t.visit.startsAt)}{t.visit.endsAt ? ` – ${shanghaiTime(t.visit.endsAt).split(' ')[1]}` : ''}</View>}
      {t.refund && <View className='banner' data-testid='ticket-refund'>已退款 {yuan(t.refund.amountFen)}（{REFUND_METHOD_NAMES[t.refund.method] ?? t.refund.method}）</View>}
    </View>
  )
}

/** The ticket's history, oldest first, each line with its time. */
export function TicketTimeline({ ticket, forStore = false }: { ticket: Ticket; forStore?: boolean }) {
  return (
    <View className='card timeline' data-testid='ticket-timeline'>
      <View className='subtitle'>处理进度</View>
      {ticket.events.map((e, i) => (
        <View key={e.seq} className={`event${i === ticket.events.length - 1 ? ' last' : ''}`} data-testid='ticket-event' data-action={e.action}>
          <View>{eventText(e, forStore)}</View>
          {e.note && <View className='muted'>{e.note}</View>}
          <View className='muted'>{shanghaiTime(e.at)}</View>
        </View>
      ))}
    </View>
  )
}
