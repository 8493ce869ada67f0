import { createPrivateKey, randomUUID, type KeyObject } from 'node:crypto';
import { encryptResource, signMessage } from '../../server/src/lib/wechatpay/crypto';
import type { PayKeys } from '../../server/wechat-emulator/pay-keys';

/**
 * Notifications as WeChat Pay would send them (signed with its key, resource encrypted), or as a
 * forger would (another key, a changed body, an old timestamp, another serial), for tests and the bench.
 */
export type NotificationOptions = {
  id?: string; eventType?: string; now?: number; serial?: string; signingKey?: KeyObject; apiV3Key?: string;
};

export function signedNotification(keys: PayKeys, resource: Record<string, unknown>, o: NotificationOptions = {}) {
  const eventType = o.eventType ?? 'TRANSACTION.SUCCESS';
  const originalType = eventType.startsWith('REFUND.') ? 'refund' : 'transaction';
  const body = JSON.stringify({
    id: o.id ?? randomUUID(), create_time: new Date().toISOString(), resource_type: 'encrypt-resource', event_type: eventType, summary: '支付成功',
    resource: encryptResource(o.apiV3Key ?? keys.apiV3Key, JSON.stringify(resource), originalType, originalType),
  });
  const headers = signMessage({ serial: o.serial ?? keys.platformPublicKeyId, privateKey: o.signingKey ?? createPrivateKey(keys.platformPrivateKey) }, body, o.now);
  return { body, headers: { ...headers, 'Content-Type': 'application/json' } };
}

/** What WeChat Pay says of a paid JSAPI transaction. */
export function paidTransaction(p: { appId: string; mchId: string; outTradeNo: string; amountFen: number; openid?: string; transactionId?: string }) {
  return {
    appid: p.appId, mchid: p.mchId, out_trade_no: p.outTradeNo, transaction_id: p.transactionId ?? `4200${Date.now()}${Math.floor(Math.random() * 1e9)}`.slice(0, 28),
    trade_type: 'JSAPI', trade_state: 'SUCCESS', trade_state_desc: '支付成功', bank_type: 'OTHERS', attach: '', success_time: new Date().toISOString(),
    payer: { openid: p.openid ?? 'demo_villager' }, amount: { total: p.amountFen, payer_total: p.amountFen, currency: 'CNY', payer_currency: 'CNY' },
  };
}

/** The user paying in WeChat's cashier (the emulator), with the parameters the BFF signed. */
export async function payAtCashier(emulatorUrl: string, params: { package: string } & Record<string, string>): Promise<{ status: number; errMsg: string }> {
  const prepayId = params.package.replace(/^prepay_id=/, '');
  const res = await fetch(`${emulatorUrl}/_emulator/pay/${prepayId}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(params) });
  return { status: res.status, errMsg: ((await res.json()) as { errMsg: string }).errMsg };
}
