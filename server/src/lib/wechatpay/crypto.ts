import { createCipheriv, createDecipheriv, createPrivateKey, createPublicKey, createSign, createVerify, randomBytes, type KeyObject } from 'node:crypto';

/**
 * WeChat Pay APIv3's message formats and cryptography, on node:crypto (see
 * server/src/modules/payments/README.md for why not a library). Used by the BFF's client and by
 * the emulator, and checked against WeChat's documented examples and openssl in crypto.test.ts.
 *
 * - A request is signed by the merchant's key over `METHOD\nPATH?QUERY\nTIMESTAMP\nNONCE\nBODY\n`
 *   and sent as `Authorization: WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",signature="…",timestamp="…",serial_no="…"`.
 * - A response or a notification is signed by WeChat Pay's key over `TIMESTAMP\nNONCE\nBODY\n`, in
 *   the headers Wechatpay-Serial (in the public-key mode `PUB_KEY_ID_…`), -Signature, -Timestamp, -Nonce.
 * - requestPayment's paySign is the merchant's signature over `APPID\nTIMESTAMP\nNONCE\nPACKAGE\n`.
 * - A notification's resource is AEAD_AES_256_GCM under the APIv3 key: base64(ciphertext ‖ 16-byte tag).
 */

export const SIGNATURE_SCHEMA = 'WECHATPAY2-SHA256-RSA2048';
/** WeChat's window for a signed message's timestamp, either way. */
export const MAX_CLOCK_SKEW_SECONDS = 300;

const ALPHANUMERIC = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A random string of letters and digits (WeChat's nonce_str), from a CSPRNG. */
export function nonceStr(size = 32): string {
  const bytes = randomBytes(size);
  let out = '';
  for (let i = 0; i < size; i++) out += ALPHANUMERIC[bytes[i] % 62];
  return out;
}

export const unixSeconds = (now = Date.now()) => Math.floor(now / 1000);

export const requestMessage = (method: string, pathWithQuery: string, timestamp: string | number, nonce: string, body = '') =>
  `${method}\n${pathWithQuery}\n${timestamp}\n${nonce}\n${body}\n`;

export const responseMessage = (timestamp: string | number, nonce: string, body = '') => `${timestamp}\n${nonce}\n${body}\n`;

export const paySignMessage = (appId: string, timeStamp: string, nonce: string, pkg: string) => `${appId}\n${timeStamp}\n${nonce}\n${pkg}\n`;

export const privateKeyFrom = (pem: string | KeyObject): KeyObject => (typeof pem === 'string' ? createPrivateKey(pem) : pem);
export const publicKeyFrom = (pem: string | KeyObject): KeyObject => (typeof pem === 'string' ? createPublicKey(pem) : pem);

export function rsaSign(message: string, privateKey: KeyObject): string {
  return createSign('RSA-SHA256').update(message, 'utf8').sign(privateKey, 'base64');
}

/** False for any signature that does not verify, including ones that are not base64 at all. */
export function rsaVerify(message: string, signature: string, publicKey: KeyObject): boolean {
  try {
    return createVerify('RSA-SHA256').update(message, 'utf8').verify(publicKey, signature, 'base64');
  } catch {
    return false;
  }
}

export type AuthorizationParts = { mchid: string; nonce_str: string; signature: string; timestamp: string; serial_no: string };

export function authorizationHeader(p: AuthorizationParts): string {
  return `${SIGNATURE_SCHEMA} mchid="${p.mchid}",nonce_str="${p.nonce_str}",signature="${p.signature}",timestamp="${p.timestamp}",serial_no="${p.serial_no}"`;
}

export function parseAuthorization(header: string | undefined): AuthorizationParts | null {
  if (!header?.startsWith(`${SIGNATURE_SCHEMA} `)) return null;
  const parts: Record<string, string> = {};
  for (const m of header.slice(SIGNATURE_SCHEMA.length + 1).matchAll(/([a-z_]+)="([^"]*)"/g)) parts[m[1]] = m[2];
  const { mchid, nonce_str, signature, timestamp, serial_no } = parts;
  if (!mchid || !nonce_str || !signature || !timestamp || !serial_no) return null;
  return { mchid, nonce_str, signature, timestamp, serial_no };
}

/** Signs a request to WeChat Pay: the Authorization header's value. */
export function signRequest(
  merchant: { mchId: string; serial: string; privateKey: KeyObject },
  method: string, pathWithQuery: string, body: string, now = Date.now(),
): string {
  const timestamp = String(unixSeconds(now));
  const nonce = nonceStr();
  const signature = rsaSign(requestMessage(method, pathWithQuery, timestamp, nonce, body), merchant.privateKey);
  return authorizationHeader({ mchid: merchant.mchId, nonce_str: nonce, signature, timestamp, serial_no: merchant.serial });
}

export type SignedHeaders = { 'Wechatpay-Serial': string; 'Wechatpay-Signature': string; 'Wechatpay-Timestamp': string; 'Wechatpay-Nonce': string };

/** WeChat Pay's side: the headers that sign a response or a notification body. */
export function signMessage(platform: { serial: string; privateKey: KeyObject }, body: string, now = Date.now()): SignedHeaders {
  const timestamp = String(unixSeconds(now));
  const nonce = nonceStr();
  return {
    'Wechatpay-Serial': platform.serial,
    'Wechatpay-Signature': rsaSign(responseMessage(timestamp, nonce, body), platform.privateKey),
    'Wechatpay-Timestamp': timestamp,
    'Wechatpay-Nonce': nonce,
  };
}

export type VerifyFailure = 'missing_headers' | 'unknown_serial' | 'stale' | 'bad_nonce' | 'bad_signature';
export type VerifyOutcome = { ok: true; serial: string; nonce: string; timestamp: number } | { ok: false; reason: VerifyFailure };

const NONCE = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Checks a response or a notification from WeChat Pay on its raw body, in WeChat's order: the four
 * headers are there, the serial is one we trust, the timestamp is within ±5 minutes, the nonce is
 * well formed, and the signature verifies. Header names are lower-case (as Node gives them).
 */
export function verifySignedMessage(input: {
  headers: Record<string, string | string[] | undefined>;
  body: string;
  trusted: ReadonlyMap<string, KeyObject>;
  now?: number;
}): VerifyOutcome {
  const h = (name: string) => {
    const v = input.headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const serial = h('wechatpay-serial');
  const signature = h('wechatpay-signature');
  const timestamp = h('wechatpay-timestamp');
  const nonce = h('wechatpay-nonce');
  if (!serial || !signature || !timestamp || !nonce) return { ok: false, reason: 'missing_headers' };
  const key = input.trusted.get(serial);
  if (!key) return { ok: false, reason: 'unknown_serial' };
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(unixSeconds(input.now) - Number(timestamp)) > MAX_CLOCK_SKEW_SECONDS) return { ok: false, reason: 'stale' };
  if (!NONCE.test(nonce)) return { ok: false, reason: 'bad_nonce' };
  if (!rsaVerify(responseMessage(timestamp, nonce, input.body), signature, key)) return { ok: false, reason: 'bad_signature' };
  return { ok: true, serial, nonce, timestamp: Number(timestamp) };
}

export type EncryptedResource = { original_type?: string; algorithm: string; ciphertext: string; nonce: string; associated_data?: string };

const GCM_TAG_BYTES = 16;

export function encryptResource(apiV3Key: string, plaintext: string, associatedData: string, originalType: string): EncryptedResource {
  const nonce = nonceStr(12);
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(apiV3Key, 'utf8'), Buffer.from(nonce, 'utf8'));
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]).toString('base64');
  return { original_type: originalType, algorithm: 'AEAD_AES_256_GCM', ciphertext, nonce, associated_data: associatedData };
}

/** Decrypts a notification's resource; throws when the algorithm is not AEAD_AES_256_GCM or the tag does not verify. */
export function decryptResource(apiV3Key: string, resource: EncryptedResource): string {
  if (resource.algorithm !== 'AEAD_AES_256_GCM') throw new Error(`unsupported algorithm ${resource.algorithm}`);
  const data = Buffer.from(resource.ciphertext, 'base64');
  if (data.length <= GCM_TAG_BYTES) throw new Error('ciphertext too short');
  const decipher = createDecipheriv('aes-256-gcm', Buffer.from(apiV3Key, 'utf8'), Buffer.from(resource.nonce, 'utf8'));
  decipher.setAuthTag(data.subarray(data.length - GCM_TAG_BYTES));
  decipher.setAAD(Buffer.from(resource.associated_data ?? '', 'utf8'));
  return Buffer.concat([decipher.update(data.subarray(0, data.length - GCM_TAG_BYTES)), decipher.final()]).toString('utf8');
}

/** The parameters of Taro.requestPayment / wx.requestPayment for a prepay id, signed with the merchant's key. */
export function requestPaymentParams(appId: string, prepayId: string, merchantKey: KeyObject, now = Date.now()) {
  const timeStamp = String(unixSeconds(now));
  const nonce = nonceStr();
  const pkg = `prepay_id=${prepayId}`;
  return { timeStamp, nonceStr: nonce, package: pkg, signType: 'RSA' as const, paySign: rsaSign(paySignMessage(appId, timeStamp, nonce, pkg), merchantKey) };
}
