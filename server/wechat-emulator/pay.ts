import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import { createHash, randomBytes, randomInt, randomUUID, type KeyObject } from 'node:crypto';
import {
  encryptResource, parseAuthorization, paySignMessage, privateKeyFrom, publicKeyFrom, requestMessage, rsaVerify, signMessage, unixSeconds, MAX_CLOCK_SKEW_SECONDS,
} from '../src/lib/wechatpay/crypto';
import type { PayKeys } from './pay-keys';

/**
 * WeChat Pay APIv3 as the emulator speaks it (the merchant side of a direct merchant, JSAPI in a
 * mini-program), with its own keys (pay-keys.ts):
 * - every /v3 request must carry a valid merchant signature (401 SIGN_ERROR otherwise); every
 *   answer is signed with WeChat Pay's key under `Wechatpay-Serial: PUB_KEY_ID_…`;
 * - POST /v3/pay/transactions/jsapi (the same out_trade_no gives the same prepay id while it is
 *   valid, a new one after), GET …/out-trade-no/{no}, POST …/out-trade-no/{no}/close;
 * - POST /v3/refund/domestic/refunds and GET …/refunds/{out_refund_no}: PROCESSING, then SUCCESS
 *   (or CLOSED / ABNORMAL by the fault switch) after `refundDelayMs`, told by notification;
 * - GET /v3/bill/tradebill and the download (CSV in WeChat's format, SHA1 given);
 * - POST /wxa/sec/order/upload_shipping_info (the mini-program's shipping info, with an access token);
 * - POST /_emulator/pay/:prepayId stands for the user paying in WeChat's cashier: it checks the
 *   requestPayment parameters (paySign with the merchant's public key), like the WeChat client;
 *   GET /_emulator/pay/:prepayId shows what the cashier would show. Both answer browsers (CORS).
 * Notifications are signed, their resource encrypted (AEAD_AES_256_GCM), and retried on WeChat's
 * schedule (15 s, 15 s, 30 s, 3 min, … 24 h 4 min in all), times `notifyScale`, until the
 * merchant answers 200 or 204. Fault switches (POST /__emulator/pay/faults): drop, duplicate,
 * delay or reorder notifications; answer API calls with 500.
 */
export const RETRY_SCHEDULE_SECONDS = [15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600];

export type PayFaults = {
  /** Probability that a notification attempt is never sent (WeChat tries again on its schedule). */
  drop: number;
  /** Probability that a notification attempt is sent twice at once. */
  duplicate: number;
  /** Added before every notification attempt. */
  delayMs: number;
  /** First attempts wait `reorderWindowMs` and go out in shuffled order. */
  reorder: boolean;
  reorderWindowMs: number;
  /** Probability that an API call answers 500 SYSTEM_ERROR without doing anything. */
  serverErrors: number;
  /** How a refund ends. */
  refundOutcome: 'SUCCESS' | 'CLOSED' | 'ABNORMAL';
};

export type PaySettings = { notifyScale: number; prepayTtlMs: number; refundDelayMs: number; shippingLagMs: number };

type Trade = {
  appid: string; mchid: string; description: string; out_trade_no: string; notify_url: string; total: number; openid: string;
  time_expire: number | null; attach: string; created: number;
  prepay: { id: string; expiresAt: number }; trade_state: 'NOTPAY' | 'SUCCESS' | 'CLOSED' | 'REFUND';
  transaction_id: string | null; success_time: number | null;
};

type Refund = {
  refund_id: string; out_refund_no: string; out_trade_no: string; transaction_id: string; reason: string; notify_url: string | null;
  refund: number; total: number; status: 'PROCESSING' | 'SUCCESS' | 'CLOSED' | 'ABNORMAL'; create_time: number; success_time: number | null;
};

export type NotificationRecord = {
  id: string; eventType: string; outTradeNo: string; outRefundNo: string | null; url: string;
  attempts: number; sent: number; acknowledged: boolean; givenUp: boolean; lastStatus: number | null;
};

export type ShippingUpload = { outTradeNo: string; logisticsType: number; itemDesc: string; openid: string; uploadTime: string; at: number };

export type PayEmulator = {
  faults: PayFaults;
  settings: PaySettings;
  trades: Map<string, Trade>;
  refunds: Map<string, Refund>;
  notifications: NotificationRecord[];
  shipping: ShippingUpload[];
  /** The user pays a prepay id (what POST /_emulator/pay/:prepayId does once the paySign checked). */
  payPrepay: (prepayId: string) => { ok: true; outTradeNo: string } | { ok: false; errMsg: string };
  /** Answers a request it owns; false when the path is not WeChat Pay's. */
  handle: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;
  /** Test controls under /__emulator/pay/ (guarded with the other control endpoints). */
  control: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;
  close: () => void;
};

const SHANGHAI_MS = 8 * 3600_000;
const rfc3339 = (ms: number) => `${new Date(ms + SHANGHAI_MS).toISOString().slice(0, 19)}+08:00`;
const shanghaiDate = (ms: number) => new Date(ms + SHANGHAI_MS).toISOString().slice(0, 10);
const shanghaiDateTime = (ms: number) => new Date(ms + SHANGHAI_MS).toISOString().slice(0, 19).replace('T', ' ');
const digits = (n: number) => Array.from({ length: n }, () => randomInt(0, 10)).join('');
const yuan = (fen: number) => (fen / 100).toFixed(2);
const OUT_NO = /^[A-Za-z0-9_*|-]{6,64}$/;
const text = (v: unknown) => (typeof v === 'string' ? v : '');

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > 1_000_000) throw new Error('too large');
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const CORS = { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET, POST, OPTIONS', 'access-control-allow-headers': 'content-type' };

export function createPayEmulator(options: {
  keys: PayKeys;
  appId: string;
  /** WeChat's access tokens, for the mini-program API (shipping info). */
  validToken: (token: string) => boolean;
  /** Where this emulator is reached (for the bill's download_url). */
  baseUrl: () => string;
  settings?: Partial<PaySettings>;
}): PayEmulator {
  const merchantKey: KeyObject = publicKeyFrom(options.keys.merchantPublicKey);
  const platform = { serial: options.keys.platformPublicKeyId, privateKey: privateKeyFrom(options.keys.platformPrivateKey) };
  const faults: PayFaults = { drop: 0, duplicate: 0, delayMs: 0, reorder: false, reorderWindowMs: 200, serverErrors: 0, refundOutcome: 'SUCCESS' };
  const settings: PaySettings = { notifyScale: 1, prepayTtlMs: 2 * 3600_000, refundDelayMs: 2000, shippingLagMs: 0, ...options.settings };
  const trades = new Map<string, Trade>();
  const byPrepay = new Map<string, string>();
  const byTransaction = new Map<string, string>();
  const refunds = new Map<string, Refund>();
  const notifications: NotificationRecord[] = [];
  const shipping: ShippingUpload[] = [];
  const bills = new Map<string, { csv: string; expiresAt: number }>();
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<http.ClientRequest>();
  let reorderBuffer: (() => void)[] = [];
  let closed = false;

  const later = (ms: number, fn: () => void) => {
    if (closed) return;
    const t = setTimeout(() => {
      timers.delete(t);
      if (!closed) fn();
    }, Math.max(0, ms));
    timers.add(t);
  };

  const sendSigned = (res: ServerResponse, status: number, body?: unknown) => {
    const text = body === undefined ? '' : JSON.stringify(body);
    const headers: Record<string, string | number> = { ...signMessage(platform, text), 'request-id': randomUUID() };
    if (text) Object.assign(headers, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.writeHead(status, headers);
    res.end(text);
  };
  const fail = (res: ServerResponse, status: number, code: string, message: string) => sendSigned(res, status, { code, message });
  const sendPlain = (res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...extra });
    res.end(text);
  };

  /** The merchant's signature on a /v3 request; null when it holds. */
  const checkMerchantSignature = (req: IncomingMessage, url: URL, body: string): string | null => {
    const auth = parseAuthorization(req.headers.authorization);
    if (!auth) return 'Authorization 头缺失或格式错误';
    if (auth.mchid !== options.keys.mchId) return '商户号与签名不符';
    if (auth.serial_no !== options.keys.merchantSerial) return '商户证书序列号有误';
    if (!/^\d+$/.test(auth.timestamp) || Math.abs(unixSeconds() - Number(auth.timestamp)) > MAX_CLOCK_SKEW_SECONDS) return '时间戳超出允许范围';
    if (!rsaVerify(requestMessage(req.method ?? 'GET', url.pathname + url.search, auth.timestamp, auth.nonce_str, body), auth.signature, merchantKey)) return '签名错误';
    return null;
  };

  const transactionView = (t: Trade) => ({
    appid: t.appid, mchid: t.mchid, out_trade_no: t.out_trade_no,
    ...(t.transaction_id ? { transaction_id: t.transaction_id, trade_type: 'JSAPI', bank_type: 'OTHERS', success_time: rfc3339(t.success_time!) } : {}),
    trade_state: t.trade_state,
    trade_state_desc: { NOTPAY: '订单未支付', SUCCESS: '支付成功', CLOSED: '订单已关闭', REFUND: '转入退款' }[t.trade_state],
    attach: t.attach,
    payer: { openid: t.openid },
    amount: { total: t.total, currency: 'CNY', ...(t.transaction_id ? { payer_total: t.total, payer_currency: 'CNY' } : {}) },
  });

  const refundView = (r: Refund) => ({
    refund_id: r.refund_id, out_refund_no: r.out_refund_no, transaction_id: r.transaction_id, out_trade_no: r.out_trade_no,
    channel: 'ORIGINAL', user_received_account: '支付用户零钱', create_time: rfc3339(r.create_time),
    ...(r.success_time ? { success_time: rfc3339(r.success_time) } : {}),
    status: r.status, funds_account: 'AVAILABLE',
    amount: { total: r.total, refund: r.refund, payer_total: r.total, payer_refund: r.refund, settlement_refund: r.refund, settlement_total: r.total, discount_refund: 0, currency: 'CNY' },
  });

  // Notifications: one record per event, attempts on WeChat's schedule until acknowledged.
  const deliver = (record: NotificationRecord, body: string, attempt: number) => {
    const retry = () => {
      if (record.acknowledged) return;
      if (attempt >= RETRY_SCHEDULE_SECONDS.length) {
        record.givenUp = true;
        return;
      }
      later(RETRY_SCHEDULE_SECONDS[attempt] * 1000 * settings.notifyScale, () => deliver(record, body, attempt + 1));
    };
    const sendOnce = () =>
      new Promise<void>((resolve) => {
        record.sent++;
        const target = new URL(record.url);
        const headers = { ...signMessage(platform, body), 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'Mozilla/4.0' };
        const req = (target.protocol === 'https:' ? https : http).request(target, { method: 'POST', headers, timeout: 5000 }, (res) => {
          res.resume();
          res.on('end', () => {
            record.lastStatus = res.statusCode ?? 0;
            if (res.statusCode === 200 || res.statusCode === 204) record.acknowledged = true;
            resolve();
          });
          res.on('error', () => resolve());
        });
        sockets.add(req);
        req.on('close', () => sockets.delete(req));
        req.on('timeout', () => req.destroy(new Error('timeout')));
        req.on('error', () => {
          record.lastStatus = 0;
          resolve();
        });
        req.end(body);
      });
    const attemptNow = async () => {
      if (closed || record.acknowledged) return;
      record.attempts++;
      if (faults.delayMs) await new Promise((r) => later(faults.delayMs, () => r(undefined)));
      if (Math.random() < faults.drop) return retry();
      const copies = Math.random() < faults.duplicate ? 2 : 1;
      await Promise.all(Array.from({ length: copies }, sendOnce));
      retry();
    };
    if (attempt === 0 && faults.reorder) {
      reorderBuffer.push(() => void attemptNow());
      if (reorderBuffer.length === 1) {
        later(faults.reorderWindowMs, () => {
          const batch = reorderBuffer;
          reorderBuffer = [];
          for (let i = batch.length - 1; i > 0; i--) {
            const j = randomInt(0, i + 1);
            [batch[i], batch[j]] = [batch[j], batch[i]];
          }
          batch.forEach((f) => f());
        });
      }
      return;
    }
    void attemptNow();
  };

  const notify = (url: string, eventType: string, summary: string, originalType: string, resource: unknown, refs: { outTradeNo: string; outRefundNo?: string }) => {
    const id = randomUUID();
    const body = JSON.stringify({
      id, create_time: rfc3339(Date.now()), resource_type: 'encrypt-resource', event_type: eventType, summary,
      resource: encryptResource(options.keys.apiV3Key, JSON.stringify(resource), originalType, originalType),
    });
    const record: NotificationRecord = { id, eventType, outTradeNo: refs.outTradeNo, outRefundNo: refs.outRefundNo ?? null, url, attempts: 0, sent: 0, acknowledged: false, givenUp: false, lastStatus: null };
    notifications.push(record);
    deliver(record, body, 0);
  };

  const newPrepay = () => ({ id: `wx${new Date(Date.now() + SHANGHAI_MS).toISOString().replace(/\D/g, '').slice(0, 14)}${randomBytes(11).toString('hex')}`, expiresAt: Date.now() + settings.prepayTtlMs });

  const payPrepay: PayEmulator['payPrepay'] = (prepayId) => {
    const t = trades.get(byPrepay.get(prepayId) ?? '');
    if (!t) return { ok: false, errMsg: 'requestPayment:fail prepay_id 无效' };
    if (t.prepay.id !== prepayId || t.prepay.expiresAt <= Date.now()) return { ok: false, errMsg: 'requestPayment:fail 订单已超时，请重新发起支付' };
    if (t.time_expire !== null && t.time_expire <= Date.now()) return { ok: false, errMsg: 'requestPayment:fail 订单已过支付期限' };
    if (t.trade_state === 'SUCCESS' || t.trade_state === 'REFUND') return { ok: false, errMsg: 'requestPayment:fail 订单已支付' };
    if (t.trade_state === 'CLOSED') return { ok: false, errMsg: 'requestPayment:fail 订单已关闭' };
    t.trade_state = 'SUCCESS';
    t.transaction_id = `4200${shanghaiDate(Date.now()).replace(/-/g, '')}${digits(16)}`;
    t.success_time = Date.now();
    byTransaction.set(t.transaction_id, t.out_trade_no);
    notify(t.notify_url, 'TRANSACTION.SUCCESS', '支付成功', 'transaction', transactionView(t), { outTradeNo: t.out_trade_no });
    return { ok: true, outTradeNo: t.out_trade_no };
  };

  const settleRefund = (r: Refund) => {
    if (r.status !== 'PROCESSING') return;
    r.status = faults.refundOutcome;
    if (r.status === 'SUCCESS') r.success_time = Date.now();
    if (!r.notify_url) return;
    const resource = {
      mchid: options.keys.mchId, out_trade_no: r.out_trade_no, transaction_id: r.transaction_id, out_refund_no: r.out_refund_no, refund_id: r.refund_id,
      refund_status: r.status, ...(r.success_time ? { success_time: rfc3339(r.success_time) } : {}), user_received_account: '支付用户零钱',
      amount: { total: r.total, refund: r.refund, payer_total: r.total, payer_refund: r.refund },
    };
    const summary = { SUCCESS: '退款成功', CLOSED: '退款关闭', ABNORMAL: '退款异常' }[r.status];
    notify(r.notify_url, `REFUND.${r.status}`, summary, 'refund', resource, { outTradeNo: r.out_trade_no, outRefundNo: r.out_refund_no });
  };

  const billCsv = (date: string) => {
    const head = '交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注';
    const rows: string[][] = [];
    let settled = 0;
    let refunded = 0;
    for (const t of trades.values()) {
      if (!t.success_time || shanghaiDate(t.success_time) !== date) continue;
      settled += t.total;
      rows.push([shanghaiDateTime(t.success_time), t.appid, t.mchid, '0', '', t.transaction_id!, t.out_trade_no, t.openid, 'JSAPI', 'SUCCESS', 'OTHERS', 'CNY', yuan(t.total), '0.00', '0', '0', '0.00', '0.00', '', '', t.description, t.attach, '0.00000', '0.60%', yuan(t.total), '0.00', '']);
    }
    for (const r of refunds.values()) {
      if (shanghaiDate(r.create_time) !== date || r.status === 'CLOSED') continue;
      const t = trades.get(r.out_trade_no)!;
      refunded += r.refund;
      rows.push([shanghaiDateTime(r.create_time), t.appid, t.mchid, '0', '', r.transaction_id, r.out_trade_no, t.openid, 'JSAPI', 'REFUND', 'OTHERS', 'CNY', '0.00', '0.00', r.refund_id, r.out_refund_no, yuan(r.refund), '0.00', 'ORIGINAL', r.status === 'SUCCESS' ? 'SUCCESS' : 'PROCESSING', t.description, t.attach, '0.00000', '0.60%', '0.00', yuan(r.refund), '']);
    }
    const lines = [head, ...rows.map((r) => r.map((c) => `\`${c}`).join(','))];
    lines.push('总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额');
    lines.push([String(rows.length), yuan(settled), yuan(refunded), '0.00', '0.00000', yuan(settled), yuan(refunded)].map((c) => `\`${c}`).join(','));
    return { csv: `${lines.join('\r\n')}\r\n`, rows: rows.length };
  };

  async function handleV3(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const body = await readBody(req);
    const refused = checkMerchantSignature(req, url, body);
    if (refused) return fail(res, 401, 'SIGN_ERROR', refused);
    if (Math.random() < faults.serverErrors) return fail(res, 500, 'SYSTEM_ERROR', '系统错误');
    const method = req.method ?? 'GET';
    const json = method === 'POST' ? parseJson(body) : {};
    if (!json) return fail(res, 400, 'PARAM_ERROR', '请求体不是合法的 JSON');
    const path = url.pathname;

    if (method === 'POST' && path === '/v3/pay/transactions/jsapi') {
      const amount = json.amount as { total?: unknown } | undefined;
      const payer = json.payer as { openid?: unknown } | undefined;
      const outTradeNo = text(json.out_trade_no);
      if (json.appid !== options.appId) return fail(res, 400, 'APPID_MCHID_NOT_MATCH', 'appid 和 mch_id 不匹配');
      if (json.mchid !== options.keys.mchId) return fail(res, 400, 'APPID_MCHID_NOT_MATCH', 'appid 和 mch_id 不匹配');
      if (!OUT_NO.test(outTradeNo) || outTradeNo.length > 32) return fail(res, 400, 'PARAM_ERROR', 'out_trade_no 格式错误');
      if (typeof json.description !== 'string' || !json.description || json.description.length > 127) return fail(res, 400, 'PARAM_ERROR', 'description 格式错误');
      if (typeof json.notify_url !== 'string' || !/^https?:\/\//.test(json.notify_url)) return fail(res, 400, 'PARAM_ERROR', 'notify_url 格式错误');
      if (!amount || !Number.isInteger(amount.total) || (amount.total as number) < 1) return fail(res, 400, 'PARAM_ERROR', 'amount.total 必须为正整数');
      if (!payer || typeof payer.openid !== 'string' || !payer.openid) return fail(res, 400, 'PARAM_ERROR', 'payer.openid 缺失');
      const timeExpire = typeof json.time_expire === 'string' ? Date.parse(json.time_expire) : NaN;
      const existing = trades.get(outTradeNo);
      if (existing) {
        if (existing.total !== amount.total || existing.openid !== payer.openid || existing.description !== json.description) return fail(res, 403, 'OUT_TRADE_NO_USED', '商户订单号重复');
        if (existing.trade_state === 'SUCCESS' || existing.trade_state === 'REFUND') return fail(res, 403, 'ORDERPAID', '该订单已支付');
        if (existing.trade_state === 'CLOSED') return fail(res, 400, 'ORDER_CLOSED', '订单已关闭');
        if (existing.prepay.expiresAt <= Date.now()) {
          existing.prepay = newPrepay();
          byPrepay.set(existing.prepay.id, outTradeNo);
        }
        return sendSigned(res, 200, { prepay_id: existing.prepay.id });
      }
      const trade: Trade = {
        appid: options.appId, mchid: options.keys.mchId, description: json.description, out_trade_no: outTradeNo, notify_url: json.notify_url,
        total: amount.total as number, openid: payer.openid, time_expire: Number.isNaN(timeExpire) ? null : timeExpire, attach: typeof json.attach === 'string' ? json.attach : '',
        created: Date.now(), prepay: newPrepay(), trade_state: 'NOTPAY', transaction_id: null, success_time: null,
      };
      trades.set(outTradeNo, trade);
      byPrepay.set(trade.prepay.id, outTradeNo);
      return sendSigned(res, 200, { prepay_id: trade.prepay.id });
    }

    const byOutTradeNo = /^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)(\/close)?$/.exec(path);
    if (byOutTradeNo) {
      const t = trades.get(decodeURIComponent(byOutTradeNo[1]));
      const mchid = method === 'GET' ? url.searchParams.get('mchid') : json.mchid;
      if (mchid !== options.keys.mchId) return fail(res, 400, 'PARAM_ERROR', 'mchid 不正确');
      if (!byOutTradeNo[2] && method === 'GET') {
        if (!t) return fail(res, 404, 'ORDER_NOT_EXIST', '订单不存在');
        return sendSigned(res, 200, transactionView(t));
      }
      if (byOutTradeNo[2] && method === 'POST') {
        if (!t) return fail(res, 404, 'ORDER_NOT_EXIST', '订单不存在');
        if (t.trade_state === 'SUCCESS' || t.trade_state === 'REFUND') return fail(res, 400, 'ORDERPAID', '订单已支付，不能关闭');
        t.trade_state = 'CLOSED';
        return sendSigned(res, 204);
      }
    }

    if (method === 'POST' && path === '/v3/refund/domestic/refunds') {
      const outRefundNo = text(json.out_refund_no);
      const amount = json.amount as { refund?: unknown; total?: unknown; currency?: unknown } | undefined;
      const outTradeNo = typeof json.out_trade_no === 'string' ? json.out_trade_no : byTransaction.get(text(json.transaction_id)) ?? '';
      const t = trades.get(outTradeNo);
      if (!OUT_NO.test(outRefundNo)) return fail(res, 400, 'PARAM_ERROR', 'out_refund_no 格式错误');
      if (!amount || !Number.isInteger(amount.refund) || (amount.refund as number) < 1 || !Number.isInteger(amount.total) || amount.currency !== 'CNY') return fail(res, 400, 'PARAM_ERROR', 'amount 格式错误');
      const prior = refunds.get(outRefundNo);
      if (prior) {
        if (prior.refund !== amount.refund || prior.out_trade_no !== outTradeNo) return fail(res, 400, 'INVALID_REQUEST', '商户退款单号已被使用，但参数不一致');
        return sendSigned(res, 200, refundView(prior));
      }
      if (!t || !t.transaction_id) return fail(res, 404, 'RESOURCE_NOT_EXISTS', '订单不存在或未支付');
      if (amount.total !== t.total) return fail(res, 400, 'PARAM_ERROR', '订单金额与原订单不符');
      const taken = [...refunds.values()].filter((r) => r.out_trade_no === outTradeNo && r.status !== 'CLOSED').reduce((n, r) => n + r.refund, 0);
      if (taken + (amount.refund as number) > t.total) return fail(res, 400, 'INVALID_REQUEST', '申请退款金额超过订单可退金额');
      const refund: Refund = {
        refund_id: `50${digits(30)}`, out_refund_no: outRefundNo, out_trade_no: outTradeNo, transaction_id: t.transaction_id, reason: text(json.reason),
        notify_url: typeof json.notify_url === 'string' ? json.notify_url : null, refund: amount.refund as number, total: t.total, status: 'PROCESSING', create_time: Date.now(), success_time: null,
      };
      refunds.set(outRefundNo, refund);
      t.trade_state = 'REFUND';
      later(settings.refundDelayMs, () => settleRefund(refund));
      return sendSigned(res, 200, refundView(refund));
    }

    const refundQuery = /^\/v3\/refund\/domestic\/refunds\/([^/]+)$/.exec(path);
    if (method === 'GET' && refundQuery) {
      const r = refunds.get(decodeURIComponent(refundQuery[1]));
      if (!r) return fail(res, 404, 'RESOURCE_NOT_EXISTS', '退款单不存在');
      return sendSigned(res, 200, refundView(r));
    }

    if (method === 'GET' && path === '/v3/bill/tradebill') {
      const date = url.searchParams.get('bill_date') ?? '';
      if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return fail(res, 400, 'PARAM_ERROR', 'bill_date 格式错误');
      if ((url.searchParams.get('bill_type') ?? 'ALL') !== 'ALL') return fail(res, 400, 'PARAM_ERROR', '只支持 ALL');
      const { csv, rows } = billCsv(date);
      if (!rows) return fail(res, 400, 'NO_STATEMENT_EXIST', '账单不存在');
      const token = randomBytes(24).toString('base64url');
      bills.set(token, { csv, expiresAt: Date.now() + 300_000 });
      return sendSigned(res, 200, { hash_type: 'SHA1', hash_value: createHash('sha1').update(csv).digest('hex'), download_url: `${options.baseUrl()}/v3/billdownload/file?token=${token}` });
    }

    if (method === 'GET' && path === '/v3/billdownload/file') {
      const bill = bills.get(url.searchParams.get('token') ?? '');
      if (!bill || bill.expiresAt <= Date.now()) return fail(res, 400, 'INVALID_REQUEST', '下载地址已过期');
      // WeChat does not sign the file itself: its SHA1 came with the signed tradebill answer.
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(bill.csv) });
      res.end(bill.csv);
      return;
    }
    return fail(res, 404, 'NOT_FOUND', '接口不存在');
  }

  async function uploadShippingInfo(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (!options.validToken(url.searchParams.get('access_token') ?? '')) return sendPlain(res, 200, { errcode: 40001, errmsg: 'invalid credential, access_token is invalid' });
    if (Math.random() < faults.serverErrors) return sendPlain(res, 200, { errcode: -1, errmsg: 'system error' });
    const json = parseJson(await readBody(req));
    const key = json?.order_key as { order_number_type?: unknown; mchid?: unknown; out_trade_no?: unknown } | undefined;
    const list = json?.shipping_list as { item_desc?: unknown }[] | undefined;
    const payer = json?.payer as { openid?: unknown } | undefined;
    if (!json || !key || key.order_number_type !== 1 || key.mchid !== options.keys.mchId || typeof key.out_trade_no !== 'string'
      || ![1, 2, 3, 4].includes(json.logistics_type as number) || json.delivery_mode !== 1 || !Array.isArray(list) || list.length < 1 || list.length > 15
      || list.some((s) => typeof s.item_desc !== 'string' || !s.item_desc || s.item_desc.length > 120)
      || typeof json.upload_time !== 'string' || !payer || typeof payer.openid !== 'string') {
      return sendPlain(res, 200, { errcode: 47001, errmsg: 'data format error' });
    }
    const t = trades.get(key.out_trade_no);
    // A payment reaches the shipping service a little after it succeeds (WeChat: "wait a minute and retry").
    if (!t || !t.success_time || Date.now() - t.success_time < settings.shippingLagMs) return sendPlain(res, 200, { errcode: 10060001, errmsg: '支付单不存在' });
    if (payer.openid !== t.openid) return sendPlain(res, 200, { errcode: 10060014, errmsg: '参数错误，支付者信息不一致' });
    shipping.push({ outTradeNo: t.out_trade_no, logisticsType: json.logistics_type as number, itemDesc: String(list[0].item_desc), openid: payer.openid, uploadTime: json.upload_time, at: Date.now() });
    return sendPlain(res, 200, { errcode: 0, errmsg: 'ok' });
  }

  async function cashier(req: IncomingMessage, res: ServerResponse, prepayId: string): Promise<void> {
    if (req.method === 'OPTIONS') {
      res.writeHead(204, CORS);
      res.end();
      return;
    }
    const t = trades.get(byPrepay.get(prepayId) ?? '');
    if (req.method === 'GET') {
      if (!t) return sendPlain(res, 404, { errMsg: 'prepay_id 无效' }, CORS);
      return sendPlain(res, 200, { description: t.description, amountFen: t.total, state: t.trade_state }, CORS);
    }
    const p = parseJson(await readBody(req));
    const fields = ['timeStamp', 'nonceStr', 'package', 'signType', 'paySign'] as const;
    if (!p || fields.some((f) => typeof p[f] !== 'string')) return sendPlain(res, 400, { errMsg: 'requestPayment:fail 参数缺失' }, CORS);
    const [timeStamp, nonce, pkg, signType, paySign] = fields.map((f) => p[f] as string);
    // What the WeChat client checks before it opens the cashier: the merchant signed these parameters for this prepay id.
    if (signType !== 'RSA' || pkg !== `prepay_id=${prepayId}` || !t || !rsaVerify(paySignMessage(t.appid, timeStamp, nonce, pkg), paySign, merchantKey)) {
      return sendPlain(res, 400, { errMsg: 'requestPayment:fail 支付验证签名失败' }, CORS);
    }
    const outcome = payPrepay(prepayId);
    return outcome.ok ? sendPlain(res, 200, { errMsg: 'requestPayment:ok' }, CORS) : sendPlain(res, 400, { errMsg: outcome.errMsg }, CORS);
  }

  return {
    faults, settings, trades, refunds, notifications, shipping, payPrepay,
    async handle(req, res, url) {
      if (url.pathname.startsWith('/v3/')) {
        await handleV3(req, res, url);
        return true;
      }
      if (url.pathname === '/wxa/sec/order/upload_shipping_info' && req.method === 'POST') {
        await uploadShippingInfo(req, res, url);
        return true;
      }
      const pay = /^\/_emulator\/pay\/([A-Za-z0-9]{1,64})$/.exec(url.pathname);
      if (pay) {
        await cashier(req, res, pay[1]);
        return true;
      }
      return false;
    },
    async control(req, res, url) {
      if (url.pathname === '/__emulator/pay/faults' && req.method === 'POST') {
        const body = parseJson(await readBody(req)) ?? {};
        for (const k of ['drop', 'duplicate', 'serverErrors'] as const) if (typeof body[k] === 'number') faults[k] = Math.min(1, Math.max(0, body[k]));
        for (const k of ['delayMs', 'reorderWindowMs'] as const) if (typeof body[k] === 'number') faults[k] = Math.max(0, body[k]);
        if (typeof body.reorder === 'boolean') faults.reorder = body.reorder;
        if (body.refundOutcome === 'SUCCESS' || body.refundOutcome === 'CLOSED' || body.refundOutcome === 'ABNORMAL') faults.refundOutcome = body.refundOutcome;
        return sendPlain(res, 200, faults);
      }
      if (url.pathname === '/__emulator/pay/settings' && req.method === 'POST') {
        const body = parseJson(await readBody(req)) ?? {};
        for (const k of ['notifyScale', 'prepayTtlMs', 'refundDelayMs', 'shippingLagMs'] as const) if (typeof body[k] === 'number' && body[k] >= 0) settings[k] = body[k];
        return sendPlain(res, 200, settings);
      }
      if (url.pathname === '/__emulator/pay/state' && req.method === 'GET') {
        return sendPlain(res, 200, {
          trades: [...trades.values()].map(transactionView),
          refunds: [...refunds.values()].map(refundView),
          notifications,
          shipping,
        });
      }
      return sendPlain(res, 404, { errcode: 404, errmsg: 'not found' });
    },
    close() {
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const s of sockets) s.destroy();
    },
  };
}
