import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/**
 * Phone numbers at rest (PIPL): AES-256-GCM ciphertext (iv | tag | data) with a key from
 * configuration, looked up by a keyed hash (HMAC-SHA256), shown masked (138****1234).
 */
export type PhoneKeys = { phoneKeyHex: string; phoneHashKeyHex: string };

export const PHONE_PATTERN = /^1[3-9]\d{9}$/;

export function encryptPhone(keys: PhoneKeys, phone: string): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(keys.phoneKeyHex, 'hex'), iv);
  const data = Buffer.concat([cipher.update(phone, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), data]);
}

export function decryptPhone(keys: PhoneKeys, blob: Buffer): string {
  const decipher = createDecipheriv('aes-256-gcm', Buffer.from(keys.phoneKeyHex, 'hex'), blob.subarray(0, 12));
  decipher.setAuthTag(blob.subarray(12, 28));
  return Buffer.concat([decipher.update(blob.subarray(28)), decipher.final()]).toString('utf8');
}

export function hashPhone(keys: PhoneKeys, phone: string): string {
  return createHmac('sha256', Buffer.from(keys.phoneHashKeyHex, 'hex')).update(phone).digest('hex');
}

export function maskPhone(phone: string): string {
  return phone.length >= 7 ? `${phone.slice(0, 3)}****${phone.slice(-4)}` : '****';
}
