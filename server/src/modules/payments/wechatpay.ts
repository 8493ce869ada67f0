import type { Deps } from '../../lib/deps';
import { AppError, upstreamUnavailable } from '../../lib/errors';
import { WechatPayClient, WechatPayError, WechatPayUnavailable } from '../../lib/wechatpay/client';

/**
 * The WeChat Pay client of a running BFF, built from configuration on first use. Without keys
 * (a development BFF started without the emulator's), online payment answers 503 instead of failing
 * at start: paying at the counter keeps working.
 */
const clients = new WeakMap<Deps, WechatPayClient>();

export function wechatPayConfigured(deps: Deps): boolean {
  const p = deps.config.wechatPay;
  return Boolean(p.mchId && p.merchantSerial && p.merchantPrivateKey && p.platformPublicKeyId && p.platformPublicKey && p.apiV3Key);
}

export function wechatPay(deps: Deps): WechatPayClient {
  let client = clients.get(deps);
  if (!client) {
    if (!wechatPayConfigured(deps)) throw new AppError(503, 'PAYMENT_UNAVAILABLE', '在线支付暂不可用，请选择到店付款');
    const p = deps.config.wechatPay;
    client = new WechatPayClient({ ...p, appId: deps.config.wechat.appId });
    clients.set(deps, client);
  }
  return client;
}

/** A WeChat Pay failure as the BFF answers it: unreachable or refusing in a way the user cannot fix is 502. */
export function asUpstream(err: unknown, deps: Deps, what: string): never {
  if (err instanceof WechatPayUnavailable || err instanceof WechatPayError) {
    deps.logger.warn({ what, err: err.message }, 'wechat pay call failed');
    throw upstreamUnavailable('微信支付暂时不可用，请稍后再试');
  }
  throw err;
}

export { WechatPayError, WechatPayUnavailable };
