import { createHash, type KeyObject } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { requestRaw } from '../http-client';
import {
  decryptResource, privateKeyFrom, publicKeyFrom, requestPaymentParams, signRequest, verifySignedMessage, type EncryptedResource, type VerifyOutcome,
} from './crypto';

/**
 * The BFF's client of WeChat Pay APIv3 (in development and tests, the emulator). Every request is
 * signed with the merchant's key; every successful answer must carry WeChat Pay's signature, checked
 * on the raw bytes before the JSON is read (an unsigned or badly signed 2xx is treated as WeChat
 * being unavailable, never believed). WeChat's 4xx become WechatPayError with its code; 5xx,
 * timeouts and network failures become WechatPayUnavailable, which callers retry.
 */
export type WechatPaySettings = {
  apiBase: string;
  appId: string;
  mchId: string;
  merchantSerial: string;
  merchantPrivateKey: string;
  platformPublicKeyId: string;
  platformPublicKey: string;
  apiV3Key: string;
  notifyUrl: string;
  timeoutMs: number;
};

export class WechatPayError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(`wechat pay ${status} ${code}: ${message}`);
  }
}

export class WechatPayUnavailable extends Error {}

export type TradeState = 'SUCCESS' | 'REFUND' | 'NOTPAY' | 'CLOSED' | 'REVOKED' | 'USERPAYING' | 'PAYERROR';

/** A transaction as WeChat Pay reports it (query answer, or a TRANSACTION.SUCCESS resource). */
export type Transaction = {
  appid: string; mchid: string; out_trade_no: string; transaction_id?: string; trade_state: TradeState; success_time?: string;
  payer?: { openid?: string }; amount: { total: number; payer_total?: number; currency?: string };
};

export type RefundStatus = 'SUCCESS' | 'CLOSED' | 'PROCESSING' | 'ABNORMAL';

export type RefundView = { refund_id: string; out_refund_no: string; out_trade_no: string; status: RefundStatus; success_time?: string; amount: { refund: number; total: number } };

/** A REFUND.* resource. */
export type RefundResource = { mchid: string; out_trade_no: string; out_refund_no: string; refund_id: string; refund_status: RefundStatus; success_time?: string; amount: { refund: number; total: number } };

export class WechatPayClient {
  private readonly merchantKey: KeyObject;
  private readonly trusted: Map<string, KeyObject>;

  constructor(readonly settings: WechatPaySettings) {
    this.merchantKey = privateKeyFrom(settings.merchantPrivateKey);
    this.trusted = new Map([[settings.platformPublicKeyId, publicKeyFrom(settings.platformPublicKey)]]);
  }

  private async call<T>(method: 'GET' | 'POST', path: string, body?: unknown, opts: { signedAnswer?: boolean } = {}): Promise<{ status: number; data: T | null; raw: Buffer }> {
    const url = new URL(path, this.settings.apiBase);
    const text = body === undefined ? '' : JSON.stringify(body);
    const headers: Record<string, string> = {
      Authorization: signRequest({ mchId: this.settings.mchId, serial: this.settings.merchantSerial, privateKey: this.merchantKey }, method, url.pathname + url.search, text),
      Accept: 'application/json',
      // The public-key mode: ask WeChat to sign its answers with the key we hold.
      'Wechatpay-Serial': this.settings.platformPublicKeyId,
      'User-Agent': 'xinghuo-bff',
    };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let res;
    try {
      res = await requestRaw(url, { method, headers, body: body === undefined ? undefined : text, timeoutMs: this.settings.timeoutMs });
    } catch (err) {
      throw new WechatPayUnavailable(`${method} ${url.pathname}: ${(err as Error).message}`);
    }
    const rawText = res.body.toString('utf8');
    if (res.status >= 500) throw new WechatPayUnavailable(`${method} ${url.pathname}: HTTP ${res.status}`);
    if (res.status >= 400) {
      const err = safeJson<{ code?: string; message?: string }>(rawText);
      throw new WechatPayError(res.status, err?.code ?? 'UNKNOWN', err?.message ?? '');
    }
    if (opts.signedAnswer !== false) {
      const verdict = this.verify(res.headers, rawText);
      if (!verdict.ok) throw new WechatPayUnavailable(`${method} ${url.pathname}: answer not signed by WeChat Pay (${verdict.reason})`);
    }
    return { status: res.status, data: rawText ? safeJson<T>(rawText) : null, raw: res.body };
  }

  /** Checks a notification or an answer on its raw body (serial, ±5 min, nonce, signature). */
  verify(headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>, rawBody: string): VerifyOutcome {
    return verifySignedMessage({ headers, body: rawBody, trusted: this.trusted });
  }

  decrypt(resource: EncryptedResource): string {
    return decryptResource(this.settings.apiV3Key, resource);
  }

  requestPaymentParams(prepayId: string) {
    return requestPaymentParams(this.settings.appId, prepayId, this.merchantKey);
  }

  /** JSAPI prepay. The same out_trade_no gives the same prepay id while it is valid, a new one after. */
  async prepayJsapi(p: { outTradeNo: string; description: string; amountFen: number; openid: string; timeExpire: Date }): Promise<string> {
    const { data } = await this.call<{ prepay_id?: string }>('POST', '/v3/pay/transactions/jsapi', {
      appid: this.settings.appId, mchid: this.settings.mchId, description: p.description, out_trade_no: p.outTradeNo,
      time_expire: shanghaiRfc3339(p.timeExpire), notify_url: this.settings.notifyUrl, amount: { total: p.amountFen, currency: 'CNY' }, payer: { openid: p.openid },
    });
    if (!data?.prepay_id) throw new WechatPayUnavailable('prepay answer without prepay_id');
    return data.prepay_id;
  }

  /** The transaction, or null when WeChat has none under this out_trade_no. */
  async queryByOutTradeNo(outTradeNo: string): Promise<Transaction | null> {
    try {
      const { data } = await this.call<Transaction>('GET', `/v3/pay/transactions/out-trade-no/${encodeURIComponent(outTradeNo)}?mchid=${this.settings.mchId}`);
      if (!data) throw new WechatPayUnavailable('query answer without a body');
      return data;
    } catch (err) {
      if (err instanceof WechatPayError && err.code === 'ORDER_NOT_EXIST') return null;
      throw err;
    }
  }

  /** Closes an unpaid transaction: 'closed', or 'paid' when the user paid first (WeChat refuses to close it). */
  async close(outTradeNo: string): Promise<'closed' | 'paid' | 'unknown'> {
    try {
      await this.call('POST', `/v3/pay/transactions/out-trade-no/${encodeURIComponent(outTradeNo)}/close`, { mchid: this.settings.mchId });
      return 'closed';
    } catch (err) {
      if (err instanceof WechatPayError && err.code === 'ORDERPAID') return 'paid';
      if (err instanceof WechatPayError && err.code === 'ORDER_NOT_EXIST') return 'unknown';
      throw err;
    }
  }

  /** Requests a refund; the same out_refund_no with the same amount is the same refund (WeChat answers it again). */
  async refund(p: { outTradeNo: string; outRefundNo: string; reason: string; refundFen: number; totalFen: number }): Promise<RefundView> {
    const { data } = await this.call<RefundView>('POST', '/v3/refund/domestic/refunds', {
      out_trade_no: p.outTradeNo, out_refund_no: p.outRefundNo, reason: p.reason.slice(0, 80), notify_url: this.settings.notifyUrl,
      amount: { refund: p.refundFen, total: p.totalFen, currency: 'CNY' },
    });
    if (!data?.status) throw new WechatPayUnavailable('refund answer without a status');
    return data;
  }

  async queryRefund(outRefundNo: string): Promise<RefundView | null> {
    try {
      const { data } = await this.call<RefundView>('GET', `/v3/refund/domestic/refunds/${encodeURIComponent(outRefundNo)}`);
      return data;
    } catch (err) {
      if (err instanceof WechatPayError && err.code === 'RESOURCE_NOT_EXISTS') return null;
      throw err;
    }
  }

  /** The day's trade bill (ALL) as CSV text, its SHA1 checked; null when WeChat has no statement for the day. */
  async tradeBill(billDate: string): Promise<string | null> {
    let meta;
    try {
      ({ data: meta } = await this.call<{ hash_type: string; hash_value: string; download_url: string }>('GET', `/v3/bill/tradebill?bill_date=${billDate}&bill_type=ALL`));
    } catch (err) {
      if (err instanceof WechatPayError && err.code === 'NO_STATEMENT_EXIST') return null;
      throw err;
    }
    if (!meta?.download_url) throw new WechatPayUnavailable('tradebill answer without download_url');
    const file = new URL(meta.download_url);
    // The download is signed like any request but its answer is not: the SHA1 from the signed answer vouches for it.
    const { raw } = await this.call('GET', file.pathname + file.search, undefined, { signedAnswer: false });
    if (createHash('sha1').update(raw).digest('hex') !== meta.hash_value.toLowerCase()) throw new WechatPayUnavailable('trade bill does not match its SHA1');
    return raw.toString('utf8');
  }
}

function safeJson<T>(text: string): T | null {
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}

/** WeChat Pay's times are RFC 3339 in Beijing time. */
export function shanghaiRfc3339(d: Date): string {
  return `${new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 19)}+08:00`;
}
