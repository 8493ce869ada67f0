import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createPayEmulator, type PayEmulator, type PaySettings } from './pay';
import { generateDevPayKeys, type PayKeys } from './pay-keys';

/**
 * A stand-in for WeChat's HTTP API, speaking its wire format, for development and tests
 * (WeChat cannot be reached from here). What it does:
 * - GET  /sns/jscode2session: a code `test_<openid>.<nonce>` logs in as <openid>, once per code
 *   (40163 when reused), `invalid` and anything else is 40029, over 100 calls a minute for one
 *   openid is 45011.
 * - POST /cgi-bin/stable_token: an access token, valid 7200 s.
 * - POST /cgi-bin/message/subscribe/send: records the message; openids starting `nosub_` have not
 *   subscribed (43101).
 * - POST /wxa/business/getuserphonenumber: `phone_<11 digits>` codes give that number.
 * - WeChat Pay APIv3 and the mini-program's shipping info: pay.ts.
 * Test controls under /__emulator: messages (GET, DELETE) and settings (POST { delayMs, down }),
 * and WeChat Pay's under /__emulator/pay/. They read every user's messages and switch WeChat off,
 * so each needs the header `X-Emulator-Secret` with the secret this run was started with (made per
 * start when none is given): anyone else on the machine gets 403.
 */
export type EmulatorMessage = { touser: string; template_id: string; page?: string; data: unknown; at: string };

export const EMULATOR_SECRET_HEADER = 'x-emulator-secret';

export type Emulator = {
  url: string;
  /** The value of X-Emulator-Secret that the control endpoints (/__emulator/…) require. */
  controlSecret: string;
  port: number;
  messages: EmulatorMessage[];
  settings: { delayMs: number; down: boolean };
  /** WeChat Pay, with the merchant account opened for this emulator (keys generated at start unless given). */
  pay: PayEmulator;
  payKeys: PayKeys;
  close: () => Promise<void>;
};

const CODE = /^test_([A-Za-z0-9_-]{1,64})\.([A-Za-z0-9_-]{1,64})$/;

function send(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > 1_000_000) throw new Error('too large');
    chunks.push(c as Buffer);
  }
  if (!chunks.length) return {};
  try {
    const v = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    return typeof v === 'object' && v ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Whether the request carries the control secret (compared in constant time). */
function holdsSecret(req: IncomingMessage, secret: Buffer): boolean {
  const given = Buffer.from(String(req.headers[EMULATOR_SECRET_HEADER] ?? ''));
  return given.length === secret.length && timingSafeEqual(given, secret);
}

export async function startEmulator(
  options: {
    port?: number;
    host?: string;
    appId?: string;
    appSecret?: string;
    payKeys?: PayKeys;
    paySettings?: Partial<PaySettings>;
    /** The control endpoints' secret; one is made when none is given. */
    controlSecret?: string;
  } = {},
): Promise<Emulator> {
  const controlSecret = options.controlSecret || randomBytes(24).toString('hex');
  const secret = Buffer.from(controlSecret);
  const usedCodes = new Set<string>();
  const callsPerOpenid = new Map<string, number[]>();
  const tokens = new Map<string, number>();
  const messages: EmulatorMessage[] = [];
  const settings = { delayMs: 0, down: false };

  const tokenValid = (t: string) => {
    const exp = tokens.get(t);
    return exp !== undefined && exp > Date.now();
  };
  const validToken = (url: URL) => tokenValid(url.searchParams.get('access_token') ?? '');
  const payKeys = options.payKeys ?? generateDevPayKeys();
  let baseUrl = '';
  const pay = createPayEmulator({ keys: payKeys, appId: options.appId ?? 'wx_dev_xinghuo', validToken: tokenValid, baseUrl: () => baseUrl, settings: options.paySettings });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    try {
      const url = new URL(req.url ?? '/', 'http://emulator');
      if (url.pathname.startsWith('/__emulator/')) {
        if (!holdsSecret(req, secret)) return send(res, 403, { errcode: 403, errmsg: 'emulator control needs X-Emulator-Secret' });
        if (url.pathname.startsWith('/__emulator/pay/')) return await pay.control(req, res, url);
        if (url.pathname === '/__emulator/messages' && req.method === 'GET') {
          const to = url.searchParams.get('touser');
          return send(res, 200, { messages: to ? messages.filter((m) => m.touser === to) : messages });
        }
        if (url.pathname === '/__emulator/messages' && req.method === 'DELETE') {
          messages.length = 0;
          return send(res, 200, { ok: true });
        }
        if (url.pathname === '/__emulator/settings' && req.method === 'POST') {
          const body = await readJson(req);
          if (typeof body.delayMs === 'number') settings.delayMs = body.delayMs;
          if (typeof body.down === 'boolean') settings.down = body.down;
          return send(res, 200, settings);
        }
        return send(res, 404, { errcode: 404, errmsg: 'not found' });
      }
      if (settings.down) {
        req.socket.destroy();
        return;
      }
      if (settings.delayMs) await new Promise((r) => setTimeout(r, settings.delayMs));
      if (await pay.handle(req, res, url)) return;

      if (url.pathname === '/sns/jscode2session' && req.method === 'GET') {
        if (options.appId && url.searchParams.get('appid') !== options.appId) return send(res, 200, { errcode: 40013, errmsg: 'invalid appid' });
        if (options.appSecret && url.searchParams.get('secret') !== options.appSecret) return send(res, 200, { errcode: 40125, errmsg: 'invalid appsecret' });
        const code = url.searchParams.get('js_code') ?? '';
        const m = CODE.exec(code);
        if (!m) return send(res, 200, { errcode: 40029, errmsg: 'invalid code' });
        if (usedCodes.has(code)) return send(res, 200, { errcode: 40163, errmsg: 'code been used' });
        const openid = m[1];
        const now = Date.now();
        const recent = (callsPerOpenid.get(openid) ?? []).filter((t) => t > now - 60_000);
        recent.push(now);
        callsPerOpenid.set(openid, recent);
        if (recent.length > 100) return send(res, 200, { errcode: 45011, errmsg: 'api minute-quota reach limit' });
        usedCodes.add(code);
        return send(res, 200, { openid, session_key: randomBytes(16).toString('base64') });
      }
      if (url.pathname === '/cgi-bin/stable_token' && req.method === 'POST') {
        const body = await readJson(req);
        if (body.grant_type !== 'client_credential') return send(res, 200, { errcode: 40002, errmsg: 'invalid grant_type' });
        if (options.appSecret && body.secret !== options.appSecret) return send(res, 200, { errcode: 40125, errmsg: 'invalid appsecret' });
        const token = randomBytes(24).toString('hex');
        tokens.set(token, Date.now() + 7_200_000);
        return send(res, 200, { access_token: token, expires_in: 7200 });
      }
      if (url.pathname === '/cgi-bin/message/subscribe/send' && req.method === 'POST') {
        if (!validToken(url)) return send(res, 200, { errcode: 40001, errmsg: 'invalid credential, access_token is invalid' });
        const body = await readJson(req);
        const touser = typeof body.touser === 'string' ? body.touser : '';
        if (!touser || !body.template_id) return send(res, 200, { errcode: 47003, errmsg: 'argument invalid' });
        if (touser.startsWith('nosub_')) return send(res, 200, { errcode: 43101, errmsg: 'user refuse to accept the msg' });
        messages.push({ touser, template_id: typeof body.template_id === 'string' ? body.template_id : JSON.stringify(body.template_id), page: body.page as string | undefined, data: body.data, at: new Date().toISOString() });
        return send(res, 200, { errcode: 0, errmsg: 'ok', msgid: messages.length });
      }
      if (url.pathname === '/wxa/business/getuserphonenumber' && req.method === 'POST') {
        if (!validToken(url)) return send(res, 200, { errcode: 40001, errmsg: 'invalid credential, access_token is invalid' });
        const body = await readJson(req);
        const m = /^phone_(1\d{10})$/.exec(typeof body.code === 'string' ? body.code : '');
        if (!m) return send(res, 200, { errcode: 40029, errmsg: 'invalid code' });
        return send(res, 200, {
          errcode: 0,
          errmsg: 'ok',
          phone_info: { phoneNumber: m[1], purePhoneNumber: m[1], countryCode: '86', watermark: { timestamp: Math.floor(Date.now() / 1000), appid: options.appId ?? '' } },
        });
      }
      return send(res, 404, { errcode: -1, errmsg: 'system error: no such api' });
    } catch {
      if (!res.headersSent) send(res, 200, { errcode: -1, errmsg: 'system error' });
    }
  };
  const server = http.createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://127.0.0.1:${port}`;
  return {
    url: baseUrl,
    controlSecret,
    port,
    messages,
    settings,
    pay,
    payKeys,
    close: () =>
      new Promise<void>((resolve) => {
        pay.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
