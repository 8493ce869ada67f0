import { View, Button, Input, Textarea } from '@tarojs/components'
import Taro, { useDidShow, useRouter } from '@tarojs/taro'
import { useState } from 'react'
import Page from '../../components/Page'
import { TicketFacts, TicketTimeline } from '../../components/Ticket'
import { useSession } from '../../components/useSession'
import { session } from '../../services/session'
import { storeTicketsApi, type Ticket } from '../../services/after-sales'

const REASONS = ['不在保修范围，可以付费维修', '不是本店卖的，请找购买的门店', '已经电话说好，不用上门']
const REFUND_METHODS = [
  { id: 'cash', label: '现金' },
  { id: 'wechat_qr', label: '微信收款码' },
  { id: 'online', label: '原路退回微信（线上付款的订单）' },
] as const

/**
 * One ticket at the store: what the villager said, the deadline, the history, and the moves the
 * ticket's state allows: accept, reject with a reason, resolve, refund a return. Only owners act;
 * a grid manager reads.
 */
export default function StoreTicket() {
  const user = useSession()
  const { params } = useRouter()
  const [ticket, setTicket] = useState<Ticket | null>(null)
  const [failed, setFailed] = useState(false)
  const [rejecting, setRejecting] = useState(false)
  const [reason, setReason] = useState('')
  const [refundYuan, setRefundYuan] = useState('')
  const [refundMethod, setRefundMethod] = useState<(typeof REFUND_METHODS)[number]['id']>('cash')
  const [busy, setBusy] = useState(false)

  useDidShow(() => {
    storeTicketsApi.get(params.id ?? '').then(setTicket).catch(() => setFailed(true))
  })

  if (failed) return <Page><View className='empty error'>没有找到这张工单</View></Page>
  if (!ticket) return <Page><View className='empty'>加载中…</View></Page>

  const me = user ?? session.user()
  const owner = !!me?.roles.includes('store_owner') && me.storeIds.includes(ticket.store.id)
  const act = async (move: () => Promise<Ticket>, done: string) => {
    setBusy(true)
    const updated = await move().catch(() => null)
    setBusy(false)
    if (updated) {
      setTicket(updated)
      setRejecting(false)
      void Taro.showToast({ title: done, icon: 'success' })
    }
  }
  const s = ticket.status
  const canAccept = s === 'submitted' || s === 'escalated'
  const canReject = canAccept || s === 'accepted'
  const canResolve = (s === 'accepted' || s === 'scheduled') && ticket.kind !== 'return'
  const canRefund = s === 'accepted' && ticket.kind === 'return'
  const refundFen = Math.round(Number(refundYuan) * 100)
  const refundReady = refundYuan !== '' && Number.isFinite(refundFen) && refundFen >= 0

  return (
    <Page testId='store-ticket-page'>
      <TicketFacts ticket={ticket} forStore />
      {owner && (
        <View>
          {canAccept && <Button className={`btn${busy ? ' disabled' : ''}`} disabled={busy} data-testid='store-ticket-accept' onClick={() => act(() => storeTicketsApi.accept(ticket.id), '已受理')}>受理，联系顾客</Button>}
          {canResolve && <Button className={`btn${busy ? ' disabled' : ''}`} disabled={busy} data-testid='store-ticket-resolve' onClick={() => act(() => storeTicketsApi.resolve(ticket.id), '已处理完成')}>已经处理好了</Button>}
          {canRefund && (
            <View className='card' data-testid='store-ticket-refund-form'>
              <View className='subtitle'>退款</View>
              <View>退多少钱（元）</View>
              <Input className='input' type='digit' data-testid='store-ticket-refund-yuan' placeholder='例如 100' value={refundYuan} onInput={(e) => setRefundYuan(e.detail.value)} />
              {REFUND_METHODS.map((m) => (
                <View key={m.id} className={`option check${refundMethod === m.id ? ' selected' : ''}`} data-testid={`store-ticket-refund-${m.id}`} onClick={() => setRefundMethod(m.id)}>{m.label}</View>
              ))}
              <Button className={`btn${refundReady && !busy ? '' : ' disabled'}`} disabled={!refundReady || busy} data-testid='store-ticket-refund' onClick={() => act(() => storeTicketsApi.refund(ticket.id, refundFen, refundMethod), '已退款')}>确认退款</Button>
            </View>
          )}
          {canReject && !rejecting && <Button className='btn secondary' data-testid='store-ticket-reject-open' onClick={() => setRejecting(true)}>不受理</Button>}
          {rejecting && (
            <View className='card' data-testid='store-ticket-reject-form'>
              <View className='subtitle'>不受理的原因（顾客会看到）</View>
              {REASONS.map((r) => (
                <View key={r} className={`option check${reason === r ? ' selected' : ''}`} onClick={() => setReason(r)}>{r}</View>
              ))}
              <Textarea className='textarea' data-testid='store-ticket-reason' maxlength={200} placeholder='或者自己写' value={reason} onInput={(e) => setReason(e.detail.value)} />
              <View className='actions'>
                <Button className='btn secondary' onClick={() => setRejecting(false)}>算了</Button>
                <Button className={`btn${reason.trim() && !busy ? '' : ' disabled'}`} disabled={!reason.trim() || busy} data-testid='store-ticket-reject' onClick={() => act(() => storeTicketsApi.reject(ticket.id, reason.trim()), '已告知顾客')}>确定不受理</Button>
              </View>
            </View>
          )}
        </View>
      )}
      <TicketTimeline ticket={ticket} forStore />
    </Page>
  )
}
