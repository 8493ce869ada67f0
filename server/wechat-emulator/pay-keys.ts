import { generateKeyPairSync, randomBytes, randomInt } from 'node:crypto';
import { DEV_PAY_MARKERS } from '../src/lib/config';

/**
 * The merchant account the emulator opens in development and tests: the merchant's API key pair
 * (WeChat keeps its public key; the BFF signs with the private key), WeChat Pay's own key pair in
 * the public-key mode (`PUB_KEY_ID_…`; the BFF verifies with the public key) and the APIv3 key.
 * Generated at every start, never written anywhere. Their markers (merchant id, `DEV` serial,
 * `PUB_KEY_ID_DEV…`) are what production refuses (server/src/lib/config.ts).
 */
export type PayKeys = {
  mchId: string;
  merchantSerial: string;
  merchantPrivateKey: string;
  merchantPublicKey: string;
  platformPublicKeyId: string;
  platformPrivateKey: string;
  platformPublicKey: string;
  apiV3Key: string;
};


const pemPair = () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
};

export function generateDevPayKeys(): PayKeys {
  const merchant = pemPair();
  const platform = pemPair();
  const alnum = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return {
    mchId: DEV_PAY_MARKERS.mchId,
    merchantSerial: DEV_PAY_MARKERS.serialPrefix + randomBytes(18).toString('hex').toUpperCase(),
    merchantPrivateKey: merchant.privateKey,
    merchantPublicKey: merchant.publicKey,
    platformPublicKeyId: DEV_PAY_MARKERS.publicKeyIdPrefix + Array.from({ length: 24 }, () => randomInt(0, 10)).join(''),
    platformPrivateKey: platform.privateKey,
    platformPublicKey: platform.publicKey,
    apiV3Key: Array.from({ length: 32 }, () => alnum[randomInt(0, alnum.length)]).join(''),
  };
}

/** The environment variables that hand the merchant's side of these keys to a BFF process. */
export function payKeysEnv(keys: PayKeys): Record<string, string> {
  return {
    WECHATPAY_MCH_ID: keys.mchId,
    WECHATPAY_MERCHANT_SERIAL: keys.merchantSerial,
    WECHATPAY_MERCHANT_PRIVATE_KEY: keys.merchantPrivateKey,
    WECHATPAY_PUBLIC_KEY_ID: keys.platformPublicKeyId,
    WECHATPAY_PUBLIC_KEY: keys.platformPublicKey,
    WECHATPAY_API_V3_KEY: keys.apiV3Key,
  };
}

/** The emulator's own side, from the environment (npm start hands both processes the same keys). */
export function payKeysFromEnv(env: NodeJS.ProcessEnv): PayKeys | null {
  const need = ['WECHATPAY_MCH_ID', 'WECHATPAY_MERCHANT_SERIAL', 'WECHATPAY_MERCHANT_PUBLIC_KEY', 'WECHATPAY_PUBLIC_KEY_ID', 'WECHATPAY_PLATFORM_PRIVATE_KEY', 'WECHATPAY_PUBLIC_KEY', 'WECHATPAY_API_V3_KEY'];
  if (need.some((k) => !env[k])) return null;
  return {
    mchId: env.WECHATPAY_MCH_ID!,
    merchantSerial: env.WECHATPAY_MERCHANT_SERIAL!,
    merchantPrivateKey: env.WECHATPAY_MERCHANT_PRIVATE_KEY ?? '',
    merchantPublicKey: env.WECHATPAY_MERCHANT_PUBLIC_KEY!,
    platformPublicKeyId: env.WECHATPAY_PUBLIC_KEY_ID!,
    platformPrivateKey: env.WECHATPAY_PLATFORM_PRIVATE_KEY!,
    platformPublicKey: env.WECHATPAY_PUBLIC_KEY!,
    apiV3Key: env.WECHATPAY_API_V3_KEY!,
  };
}

/** Every key, for a parent that starts both the emulator and BFFs (npm start). */
export function allPayKeysEnv(keys: PayKeys): Record<string, string> {
  return { ...payKeysEnv(keys), WECHATPAY_MERCHANT_PUBLIC_KEY: keys.merchantPublicKey, WECHATPAY_PLATFORM_PRIVATE_KEY: keys.platformPrivateKey };
}

/** The BFF's `wechatPay` configuration for these keys (the merchant's side only). */
export function payKeysConfig(keys: PayKeys) {
  return {
    mchId: keys.mchId,
    merchantSerial: keys.merchantSerial,
    merchantPrivateKey: keys.merchantPrivateKey,
    platformPublicKeyId: keys.platformPublicKeyId,
    platformPublicKey: keys.platformPublicKey,
    apiV3Key: keys.apiV3Key,
  };
}
