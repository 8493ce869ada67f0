import type { Logger } from './logger';
import { AppError, upstreamUnavailable } from './errors';
import { requestJson } from './http-client';

/**
 * The BFF's client of WeChat's HTTP API (in development and tests, the emulator). Calls have a
 * timeout; WeChat's errcodes become API.md's codes; an unreachable WeChat is 502.
 */
/** The subscribe messages the product sends, by what they say; their WeChat template ids are configuration. */
export const SUBSCRIBE_TEMPLATES = ['orderCreated', 'orderPickedUp', 'groupBuySucceeded', 'groupBuyFailed', 'ticketUpdated', 'ticketEscalated', 'maintenanceDue'] as const;
export type SubscribeTemplate = (typeof SUBSCRIBE_TEMPLATES)[number];

export type WechatSettings = {
  apiBase: string; appId: string; appSecret: string; timeoutMs: number;
  /** The template id each message has in this mini-program's 订阅消息 (mp.weixin.qq.com); '' sends none. */
  subscribeTemplates: Record<SubscribeTemplate, string>;
};

/** `page`: a page of the mini-program (client/src/app.config.ts) with its query, opened from the message. */
export type SubscribeMessage = { touser: string; template: SubscribeTemplate; page?: string; data: Record<string, { value: string }> };

type WxError = { errcode?: number; errmsg?: string };

export class WechatError extends Error {
  constructor(readonly errcode: number, errmsg: string) {
    super(`wechat errcode ${errcode}: ${errmsg}`);
  }
}

export class WechatClient {
  private accessToken: { value: string; expiresAt: number } | null = null;

  constructor(private readonly s: WechatSettings, private readonly logger: Logger) {}

  private async call<T>(path: string, init: { method: 'GET' | 'POST'; query?: Record<string, string>; body?: unknown }): Promise<T & WxError> {
    const url = new URL(path, this.s.apiBase);
    for (const [k, v] of Object.entries(init.query ?? {})) url.searchParams.set(k, v);
    try {
      return await requestJson<T & WxError>(url, { method: init.method, body: init.body, timeoutMs: this.s.timeoutMs });
    } catch (err) {
      this.logger.warn({ path, err: (err as Error).message }, 'wechat unreachable or refused');
      throw upstreamUnavailable();
    }
  }

  /** jscode2session: the openid and session key for a wx.login code. */
  async codeToSession(code: string): Promise<{ openid: string; sessionKey: string }> {
    const r = await this.call<{ openid?: string; session_key?: string }>('/sns/jscode2session', {
      method: 'GET',
      query: { appid: this.s.appId, secret: this.s.appSecret, js_code: code, grant_type: 'authorization_code' },
    });
    if (r.errcode) {
      if (r.errcode === 40029 || r.errcode === 40163) throw new AppError(401, 'WECHAT_CODE_INVALID', '微信登录凭证无效，请重试');
      if (r.errcode === 45011) throw new AppError(429, 'RATE_LIMITED', '登录太频繁，请稍后再试', [], { 'Retry-After': '60' });
      if (r.errcode === -1) throw upstreamUnavailable();
      this.logger.error({ errcode: r.errcode }, 'jscode2session refused');
      throw upstreamUnavailable();
    }
    if (!r.openid || !r.session_key) throw upstreamUnavailable();
    return { openid: r.openid, sessionKey: r.session_key };
  }

  private async token(force = false): Promise<string> {
    if (!force && this.accessToken && this.accessToken.expiresAt > Date.now() + 60_000) return this.accessToken.value;
    const r = await this.call<{ access_token?: string; expires_in?: number }>('/cgi-bin/stable_token', {
      method: 'POST',
      body: { grant_type: 'client_credential', appid: this.s.appId, secret: this.s.appSecret, force_refresh: force },
    });
    if (r.errcode || !r.access_token) throw upstreamUnavailable();
    this.accessToken = { value: r.access_token, expiresAt: Date.now() + (r.expires_in ?? 7200) * 1000 };
    return r.access_token;
  }

  private async withToken<T>(path: string, body: unknown): Promise<T & WxError> {
    let r = await this.call<T>(path, { method: 'POST', query: { access_token: await this.token() }, body });
    if (r.errcode === 40001 || r.errcode === 42001) {
      r = await this.call<T>(path, { method: 'POST', query: { access_token: await this.token(true) }, body });
    }
    return r;
  }

  /**
   * Sends a subscribe message. Throws WechatError when WeChat refuses (43101: not subscribed).
   * A message whose template is not configured in this environment is not sent (false).
   */
  async sendSubscribeMessage(msg: SubscribeMessage): Promise<boolean> {
    const templateId = this.s.subscribeTemplates[msg.template];
    if (!templateId) return false;
    const r = await this.withToken('/cgi-bin/message/subscribe/send', {
      touser: msg.touser,
      template_id: templateId,
      page: msg.page,
      data: msg.data,
      miniprogram_state: 'formal',
      lang: 'zh_CN',
    });
    if (r.errcode) throw new WechatError(r.errcode, r.errmsg ?? '');
    return true;
  }

  /** Tells a user something; never fails the caller's operation (a refusal is logged, not thrown). */
  async notify(msg: SubscribeMessage): Promise<boolean> {
    try {
      return await this.sendSubscribeMessage(msg);
    } catch (err) {
      this.logger.info({ errcode: (err as WechatError).errcode, template: msg.template }, 'subscribe message not delivered');
      return false;
    }
  }

  /** The mini-program's shipping info (发货信息录入), which releases the payment's frozen funds: errcode 0 when accepted. */
  async uploadShippingInfo(body: unknown): Promise<{ errcode: number; errmsg: string }> {
    const r = await this.withToken('/wxa/sec/order/upload_shipping_info', body);
    return { errcode: r.errcode ?? 0, errmsg: r.errmsg ?? '' };
  }

  async phoneNumber(code: string): Promise<string> {
    const r = await this.withToken<{ phone_info?: { purePhoneNumber: string } }>('/wxa/business/getuserphonenumber', { code });
    if (r.errcode === 40029) throw new AppError(400, 'VALIDATION_FAILED', '手机号授权无效', [{ path: 'body.code', message: 'invalid phone code' }]);
    if (r.errcode || !r.phone_info) throw upstreamUnavailable();
    return r.phone_info.purePhoneNumber;
  }
}
