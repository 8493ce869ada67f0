import type { IncomingHttpHeaders } from 'node:http';
import type { PoolConnection } from 'mysql2/promise';
import { z } from 'zod';
import type { Deps } from '../../lib/deps';
import { withTransaction } from '../../lib/db';
import { AppError } from '../../lib/errors';
import type { RefundResource, Transaction } from '../../lib/wechatpay/client';
import { paymentMetrics } from './metrics';
import * as repo from './repository';
import { applyRefundStatus, submitRefund } from './refunds';
import { acceptTradeInTx, isPaidState, tradeMismatch } from './service';
import { wechatPay } from './wechatpay';

/**
 * WeChat Pay's notifications. Before anything else, on the raw body: the serial is WeChat Pay's
 * key we hold, the timestamp is within ±5 minutes, the nonce is well formed and the signature
 * verifies; a message failing any of these is refused (401) and changes nothing. Then the resource
 * is decrypted (AEAD_AES_256_GCM with the APIv3 key), its appid, mchid and amount are checked
 * against the payment, and one transaction moves the payment and the order with guarded updates
 * and records the notification under WeChat's id: a repeat, whenever it comes, finds the id and
 * answers 204 without changing anything. Anything that fails answers 5xx, so WeChat tries again;
 * success is answered only for work done.
 *
 * Schemas are not strict here: WeChat adds fields, and refusing them would make it retry forever.
 */
const Envelope = z.object({
  id: z.string().min(1).max(64),
  event_type: z.string().min(1).max(32),
  resource: z.object({
    algorithm: z.string(),
    ciphertext: z.string().min(1).max(64_000),
    nonce: z.string().min(1).max(64),
    associated_data: z.string().max(256).optional(),
    original_type: z.string().optional(),
  }),
});

const TradeResource = z.object({
  appid: z.string(), mchid: z.string(), out_trade_no: z.string(), transaction_id: z.string().optional(), trade_state: z.string(),
  success_time: z.string().optional(), amount: z.object({ total: z.number().int() }),
});

const RefundResourceSchema = z.object({
  mchid: z.string(), out_trade_no: z.string(), out_refund_no: z.string(), refund_id: z.string(), refund_status: z.enum(['SUCCESS', 'CLOSED', 'ABNORMAL', 'PROCESSING']),
  amount: z.object({ refund: z.number().int(), total: z.number().int() }),
});

export type NotificationOutcome = 'applied' | 'already' | 'repeat' | 'ignored';

/** A repeat found inside the transaction: roll back whatever the transaction did, answer 204. */
class Repeat extends Error {}

const mismatch = (deps: Deps, reason: string, detail: Record<string, unknown>) => {
  paymentMetrics(deps).rejected.inc({ reason });
  deps.logger.error({ reason, ...detail }, 'a verified WeChat Pay notification does not match our records; nothing changed');
  return new AppError(400, 'NOTIFICATION_MISMATCH', '通知内容与订单不符');
};

export async function handleNotification(deps: Deps, headers: IncomingHttpHeaders, rawBody: string): Promise<NotificationOutcome> {
  const client = wechatPay(deps);
  const metrics = paymentMetrics(deps);
  const verdict = client.verify(headers, rawBody);
  if (!verdict.ok) {
    metrics.rejected.inc({ reason: verdict.reason });
    throw new AppError(401, 'SIGNATURE_INVALID', '签名验证失败');
  }
  let envelope: z.infer<typeof Envelope>;
  try {
    envelope = Envelope.parse(JSON.parse(rawBody));
  } catch {
    metrics.rejected.inc({ reason: 'envelope' });
    throw new AppError(400, 'VALIDATION_FAILED', '通知格式错误', [{ path: 'body', message: 'not a WeChat Pay notification' }]);
  }
  let resource: unknown;
  try {
    resource = JSON.parse(client.decrypt(envelope.resource));
  } catch (err) {
    // Signed by WeChat Pay yet undecryptable: our APIv3 key is wrong. 5xx, so WeChat retries once it is fixed.
    deps.logger.error({ id: envelope.id, err: (err as Error).message }, 'cannot decrypt a verified WeChat Pay notification: check WECHATPAY_API_V3_KEY');
    metrics.rejected.inc({ reason: 'decrypt' });
    throw new AppError(503, 'PAYMENT_UNAVAILABLE', '通知解密失败');
  }
  const outcome = await dispatch(deps, envelope, resource);
  metrics.notifications.inc({ event: envelope.event_type, outcome });
  return outcome;
}

async function dispatch(deps: Deps, envelope: z.infer<typeof Envelope>, resource: unknown): Promise<NotificationOutcome> {
  const record = (conn: PoolConnection, outcome: string, refs: { outTradeNo?: string; outRefundNo?: string }) =>
    repo.recordNotification(conn, { id: envelope.id, eventType: envelope.event_type, outTradeNo: refs.outTradeNo?.slice(0, 32) ?? null, outRefundNo: refs.outRefundNo?.slice(0, 64) ?? null, outcome });
  const ignore = async (refs: { outTradeNo?: string; outRefundNo?: string }) =>
    (await withTransaction(deps.db, (conn) => record(conn, 'ignored', refs))) ? 'ignored' : 'repeat';

  if (envelope.event_type === 'TRANSACTION.SUCCESS') {
    const parsed = TradeResource.safeParse(resource);
    if (!parsed.success) throw mismatch(deps, 'resource', { id: envelope.id });
    const trade = parsed.data as Transaction;
    const payment = await repo.findPayment(deps.db, { id: trade.out_trade_no });
    if (!payment) {
      deps.logger.error({ id: envelope.id, outTradeNo: trade.out_trade_no }, 'WeChat Pay notified a payment we do not know; left for reconciliation');
      return ignore({ outTradeNo: trade.out_trade_no });
    }
    const why = tradeMismatch(deps, payment, trade);
    if (why) throw mismatch(deps, why, { id: envelope.id, paymentId: payment.id });
    if (!isPaidState(trade.trade_state)) return ignore({ outTradeNo: trade.out_trade_no });
    try {
      const result = await withTransaction(deps.db, async (conn) => {
        const r = await acceptTradeInTx(conn, payment, trade);
        if (!(await record(conn, r.moved ? 'applied' : 'already', { outTradeNo: trade.out_trade_no }))) throw new Repeat();
        return r;
      });
      // After the commit; a refund WeChat does not acknowledge now is sent again by the job.
      if (result.refundId) void submitRefund(deps, result.refundId);
      return result.moved ? 'applied' : 'already';
    } catch (err) {
      if (err instanceof Repeat) return 'repeat';
      throw err;
    }
  }

  if (envelope.event_type.startsWith('REFUND.')) {
    const parsed = RefundResourceSchema.safeParse(resource);
    if (!parsed.success) throw mismatch(deps, 'resource', { id: envelope.id });
    const r = parsed.data as RefundResource;
    const refund = await repo.findRefund(deps.db, { id: r.out_refund_no });
    if (!refund) {
      deps.logger.error({ id: envelope.id, outRefundNo: r.out_refund_no }, 'WeChat Pay notified a refund we do not know; left for reconciliation');
      return ignore({ outTradeNo: r.out_trade_no, outRefundNo: r.out_refund_no });
    }
    if (r.mchid !== deps.config.wechatPay.mchId || r.out_trade_no !== refund.paymentId || r.amount.refund !== refund.amountFen) throw mismatch(deps, 'refund', { id: envelope.id, refundId: refund.id });
    try {
      return await withTransaction(deps.db, async (conn) => {
        const moved = r.refund_status === 'PROCESSING' ? false : await applyRefundStatus(deps, refund, r.refund_status, r.refund_id, conn);
        if (!(await record(conn, moved ? 'applied' : 'already', { outTradeNo: r.out_trade_no, outRefundNo: r.out_refund_no }))) throw new Repeat();
        return moved ? 'applied' : 'already';
      });
    } catch (err) {
      if (err instanceof Repeat) return 'repeat';
      throw err;
    }
  }

  return ignore({});
}
