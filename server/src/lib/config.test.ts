import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig, ConfigError } from './config';
import { generateDevPayKeys, payKeysEnv } from '../../wechat-emulator/pay-keys';

const pem = () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
};
const merchantKey = pem();
const wechatPayKey = pem();
const prodPay = {
  WECHATPAY_MCH_ID: '1612345678',
  WECHATPAY_MERCHANT_SERIAL: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1',
  WECHATPAY_MERCHANT_PRIVATE_KEY: merchantKey.privateKey,
  WECHATPAY_PUBLIC_KEY_ID: 'PUB_KEY_ID_0116123456782025062700111588000000',
  WECHATPAY_PUBLIC_KEY: wechatPayKey.publicKey,
  WECHATPAY_API_V3_KEY: 'Abcdefghijklmnopqrstuvwxyz012345',
  WECHATPAY_NOTIFY_URL: 'https://xinghuo.example.com/api/v1/wechatpay/notify',
};

const base = { NODE_ENV: 'production' } as NodeJS.ProcessEnv;
const prodSecrets = {
  WECHAT_API_BASE: 'https://api.weixin.qq.com',
  WECHAT_APP_ID: 'wx1234567890',
  WECHAT_APP_SECRET: 'a-real-secret',
  PHONE_KEY_HEX: 'ab'.repeat(32),
  PHONE_HASH_KEY_HEX: 'cd'.repeat(32),
  AUTH_TOKEN_KEY_HEX: 'ef'.repeat(32),
  PHOTO_URL_KEY_HEX: '12'.repeat(32),
  ...prodPay,
};

describe('loadConfig', () => {
  it('when nothing is set, then development defaults load', () => {
    const c = loadConfig({ environ: {} });
    expect(c.env).toBe('development');
    expect(c.port).toBe(3000);
  });

  it('when a variable is bad, then the start stops naming it', () => {
    expect(() => loadConfig({ environ: { PORT: 'eighty' } })).toThrow(/PORT/);
    expect(() => loadConfig({ environ: { DATABASE_URL: 'postgres://x' } })).toThrow(/databaseUrl \(DATABASE_URL\)/);
    expect(() => loadConfig({ environ: { APP_ENV: 'staging' } })).toThrow(ConfigError);
    expect(() => loadConfig({ environ: { TRUSTED_PROXIES: '10.0.0.0/8,load-balancer' } })).toThrow(/trustedProxies\.addresses \(TRUSTED_PROXIES\)/);
  });

  it('when the base configuration is read, then it carries no demo data: no demo store rates, no emulator template names', () => {
    const base = readFileSync(path.resolve(__dirname, '../../../config/default.json'), 'utf8');
    expect(base).not.toMatch(/DEMO-|demo_/);
    const production = loadConfig({ environ: { ...prodSecrets, APP_ENV: 'production' } });
    expect(Object.keys(production.groupBuy.commissionRate)).toEqual(['default']);
    expect(Object.values(production.wechat.subscribeTemplates).every((id) => id === '')).toBe(true);
    const withTemplate = loadConfig({ environ: { ...prodSecrets, APP_ENV: 'production', WECHAT_TEMPLATE_ORDER_PICKED_UP: 'x6bXJ-tpl-id' } });
    expect(withTemplate.wechat.subscribeTemplates.orderPickedUp).toBe('x6bXJ-tpl-id');
  });

  it('when trusted proxies are set in the environment, then they are a list with a hop count; none by default', () => {
    expect(loadConfig({ environ: {} }).trustedProxies).toEqual({ addresses: [], hops: 1 });
    expect(loadConfig({ environ: { TRUSTED_PROXIES: '10.0.0.0/8, 192.168.1.10', TRUSTED_PROXY_HOPS: '2' } }).trustedProxies).toEqual({ addresses: ['10.0.0.0/8', '192.168.1.10'], hops: 2 });
  });

  it('when production points at the emulator or keeps development secrets, then it refuses to start', () => {
    expect(() => loadConfig({ environ: { ...base, ...prodSecrets, WECHAT_API_BASE: 'http://127.0.0.1:3100' } })).toThrow(/emulator/);
    expect(() => loadConfig({ environ: { ...base, ...prodSecrets, WECHAT_APP_SECRET: 'dev-secret-not-for-production' } })).toThrow(/WECHAT_APP_SECRET/);
    expect(() => loadConfig({ environ: { ...base, ...prodSecrets, PHONE_KEY_HEX: '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff' } })).toThrow(/PHONE_KEY_HEX/);
    expect(() => loadConfig({ environ: { ...base, ...prodSecrets, AUTH_TOKEN_KEY_HEX: '0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0' } })).toThrow(/AUTH_TOKEN_KEY_HEX/);
    expect(() => loadConfig({ environ: { ...base, WECHAT_APP_SECRET: 'x' } })).toThrow(/WECHAT_APP_ID|appId/);
    expect(loadConfig({ environ: { ...base, ...prodSecrets } }).env).toBe('production');
  });

  it('when production is given the development metrics token or a short one, then it refuses to start; without one, metrics are off', () => {
    expect(() => loadConfig({ environ: { ...base, ...prodSecrets, METRICS_TOKEN: 'dev-metrics-token-not-for-production' } })).toThrow(/METRICS_TOKEN is the development token/);
    expect(() => loadConfig({ environ: { ...base, ...prodSecrets, METRICS_TOKEN: 'short' } })).toThrow(/METRICS_TOKEN must be at least 32/);
    expect(loadConfig({ environ: { ...base, ...prodSecrets, METRICS_TOKEN: 'ab'.repeat(32) } }).ops.metricsToken).toBe('ab'.repeat(32));
    expect(loadConfig({ environ: { ...base, ...prodSecrets } }).ops.metricsToken).toBe('');
  });

  it('when production points WeChat at any loopback, unspecified or private form, or at plain http, then it refuses to start', () => {
    const refused = [
      'http://0.0.0.0:3100', 'https://0.0.0.0', 'https://[::ffff:127.0.0.1]:3100', 'https://[::ffff:7f00:1]', 'https://localhost.:3100', 'https://LOCALHOST',
      'https://emulator.localhost', 'https://127.0.0.2', 'https://127.1', 'https://0x7f.1', 'https://2130706433', 'https://10.1.2.3', 'https://172.16.0.1',
      'https://172.31.255.254', 'https://192.168.1.10', 'https://[::1]', 'https://[0:0:0:0:0:0:0:1]', 'https://[::]', 'https://[fd00::1]', 'https://[fe80::1]',
      'https://169.254.169.254', 'https://100.64.0.1',
    ];
    for (const apiBase of refused) {
      expect(() => loadConfig({ environ: { ...base, ...prodSecrets, WECHAT_API_BASE: apiBase } })).toThrow(/WECHAT_API_BASE points at this machine or a private network/);
      expect(() => loadConfig({ environ: { ...base, ...prodSecrets, WECHATPAY_API_BASE: apiBase } })).toThrow(/WECHATPAY_API_BASE/);
    }
    expect(() => loadConfig({ environ: { ...base, ...prodSecrets, WECHAT_API_BASE: 'http://api.weixin.qq.com' } })).toThrow(/WECHAT_API_BASE must be https/);
    // Public neighbours of the private ranges are not refused.
    for (const apiBase of ['https://api.weixin.qq.com', 'https://172.32.0.1', 'https://11.0.0.1', 'https://192.169.0.1', 'https://[::ffff:b00:1]', 'https://[2400:da00::6666]']) {
      expect(loadConfig({ environ: { ...base, ...prodSecrets, WECHAT_API_BASE: apiBase } }).wechat.apiBase).toBe(apiBase);
    }
  });

  it("when production is given the emulator's WeChat Pay keys, no keys, or keys that do not parse, then it refuses to start", () => {
    const dev = payKeysEnv(generateDevPayKeys());
    expect(() => loadConfig({ environ: { ...base, ...prodSecrets, ...dev } })).toThrow(/development merchant[\s\S]*development serial[\s\S]*emulator's key/);
    expect(() => loadConfig({ environ: { ...base, ...prodSecrets, WECHATPAY_MCH_ID: '', WECHATPAY_API_V3_KEY: '' } })).toThrow(/WECHATPAY_MCH_ID is not set[\s\S]*WECHATPAY_API_V3_KEY is not set/);
    expect(() => loadConfig({ environ: { ...base, ...prodSecrets, WECHATPAY_MERCHANT_PRIVATE_KEY: 'not a key' } })).toThrow(/WECHATPAY_MERCHANT_PRIVATE_KEY/);
    expect(() => loadConfig({ environ: { ...base, ...prodSecrets, WECHATPAY_API_BASE: 'http://127.0.0.1:3100' } })).toThrow(/WECHATPAY_API_BASE/);
    expect(() => loadConfig({ environ: { ...base, ...prodSecrets, WECHATPAY_NOTIFY_URL: '' } })).toThrow(/WECHATPAY_NOTIFY_URL/);
    expect(() => loadConfig({ environ: { ...base, ...prodSecrets, WECHATPAY_API_V3_KEY: 'short' } })).toThrow(/apiV3Key \(WECHATPAY_API_V3_KEY\)/);
  });

  it('when a key comes in one line with escaped newlines, then it is read as PEM', () => {
    const oneLine = merchantKey.privateKey.replace(/\n/g, '\\n');
    expect(loadConfig({ environ: { ...base, ...prodSecrets, WECHATPAY_MERCHANT_PRIVATE_KEY: oneLine } }).wechatPay.merchantPrivateKey).toBe(merchantKey.privateKey);
  });
});
