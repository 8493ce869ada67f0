import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import { BlockList, isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { compileTrust } from './client-address';
import { SUBSCRIBE_TEMPLATES, type SubscribeTemplate } from './wechat';

/**
 * Configuration: config/default.json, then config/<env>.json, then the environment variables
 * listed in ENV_VARS, then overrides passed in code (tests). Validated once; a bad value stops
 * the start naming the setting.
 */

/** `points` per `durationSeconds`; with `blockSeconds`, running out locks the key that long. */
const rateLimit = z
  .object({ points: z.number().int().positive(), durationSeconds: z.number().int().positive(), blockSeconds: z.number().int().positive().optional() })
  .strict();

/** After-sales (24小时售后管家): the response clock, windows, and each category's warranty, life and upkeep. */
const maintenanceCycle = z.union([
  z.object({ everyMonths: z.number().int().min(1).max(60) }).strict(),
  /** Seasonal: due each year by this month-day in Asia/Shanghai (air conditioners cleaned before summer). */
  z.object({ yearlyBy: z.string().regex(/^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$/, 'MM-DD') }).strict(),
]);
const photosConfig = z
  .object({
    /** fs: files under `dir`; s3: an S3-compatible bucket (docs/photos.md). */
    storage: z.enum(['fs', 's3']),
    dir: z.string().min(1),
    maxBytes: z.number().int().positive(),
    /** Decoded size limit: a small file that inflates to a huge bitmap is refused. */
    maxPixels: z.number().int().positive(),
    /** Stored pictures are at most this many pixels on their longer side. */
    maxEdge: z.number().int().positive(),
    /** Key of the signed photo URLs (a mini-program <image> cannot send a token). */
    urlKeyHex: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 hex characters'),
    urlTtlSeconds: z.number().int().positive(),
    s3: z
      .object({ endpoint: z.string(), region: z.string(), bucket: z.string(), accessKeyId: z.string(), secretAccessKey: z.string() })
      .strict(),
  })
  .strict();
const afterSalesConfig = z
  .object({
    photos: photosConfig,
    respondWithinSeconds: z.number().int().positive(),
    escalationSweepMs: z.number().int().positive(),
    returnWindowDays: z.number().positive(),
    exchangeWindowDays: z.number().positive(),
    reminderSweepMs: z.number().int().positive(),
    /** A reminder is made this many days before the upkeep is due. */
    reminderLeadDays: z.number().min(0),
    categories: z.record(
      z.string(),
      z.object({ warrantyMonths: z.number().int().min(0), typicalLifeYears: z.number().positive(), maintenance: maintenanceCycle.nullable() }).strict(),
    ),
  })
  .strict();

export const configSchema = z
  .object({
    env: z.enum(['development', 'test', 'production']),
    host: z.string().min(1),
    port: z.number().int().min(0).max(65535),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    databaseUrl: z.string().regex(/^mysql:\/\//, 'must be a mysql:// URL'),
    dbPoolSize: z.number().int().positive(),
    redisUrl: z.string().regex(/^rediss?:\/\//, 'must be a redis:// URL'),
    redisKeyPrefix: z.string(),
    redisCluster: z.boolean(),
    redisClusterNodes: z.array(z.string()),
    bodyLimitBytes: z.number().int().positive(),
    h5Dir: z.string(),
    wechat: z
      .object({
        apiBase: z.url(),
        appId: z.string().min(1),
        appSecret: z.string().min(1),
        timeoutMs: z.number().int().positive(),
        emulatorPort: z.number().int().min(0).max(65535),
        subscribeTemplates: z.object(Object.fromEntries(SUBSCRIBE_TEMPLATES.map((t) => [t, z.string().max(128)])) as Record<SubscribeTemplate, z.ZodString>).strict(),
      })
      .strict(),
    auth: z
      .object({
        tokenTtlSeconds: z.number().int().positive(),
        /** Signs session tokens (HMAC-SHA256); changing it signs everyone out. */
        tokenKeyHex: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 hex characters'),
        /** How long a process trusts a session it read from MySQL: the bound on a logout while Redis is down. */
        sessionCacheSeconds: z.number().int().min(1).max(300),
      })
      .strict(),
    crypto: z
      .object({
        phoneKeyHex: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 hex characters'),
        phoneHashKeyHex: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 hex characters'),
      })
      .strict(),
    rateLimits: z
      .object({ claimPerUser: rateLimit, claimPerIp: rateLimit, search: rateLimit,
        // Logins: mainly per WeChat identity and per code; per address a budget a carrier-NAT address fits (config/README.md).
        loginPerIdentity: rateLimit, loginPerCode: rateLimit, loginPerAddress: rateLimit,
        // Failed pickup-code look-ups only (a success gives its point back): per owner account, consecutive; per store.
        pickupVerifyFailuresPerOwner: rateLimit, pickupVerifyFailuresPerStore: rateLimit,
        // Wrong delivery codes at the door, as pickup codes: per technician, consecutive; per store.
        deliveryCodeFailuresPerTechnician: rateLimit, deliveryCodeFailuresPerStore: rateLimit,
        // Order creation per buyer (hoarding); price previews per buyer.
        orderPerUser: rateLimit, orderPreviewPerUser: rateLimit,
        // Anonymous calls of public routes (stores, products, regions…) per address: sized for a village behind a carrier NAT.
        publicPerAddress: rateLimit })
      .strict(),
    trustedProxies: z
      .object({
        addresses: z.array(z.string()).refine((list) => {
          try {
            compileTrust({ addresses: list, hops: 1 });
            return true;
          } catch {
            return false;
          }
        }, 'must be IP addresses or CIDRs, e.g. 10.0.0.0/8'),
        hops: z.number().int().min(1).max(5),
      })
      .strict(),
    orders: z.object({ expireAfterDays: z.number().positive(), sweepIntervalMs: z.number().int().positive() }).strict(),
    /** Delivery appointments (送装一体): config/README.md. */
    delivery: z
      .object({
        /** A new slot's capacity per window, until the owner sets it. */
        slotCapacity: z.object({ morning: z.number().int().min(0), afternoon: z.number().int().min(0), evening: z.number().int().min(0) }).strict(),
        /** How many days ahead slots are offered (today included). */
        daysAhead: z.number().int().min(1).max(60),
        /** A slot takes bookings until this many minutes before its window starts. */
        bookBeforeMinutes: z.number().int().min(0),
        /** A visit may be moved this many times, and not within rescheduleCutoffMinutes of its window. */
        maxReschedules: z.number().int().min(0),
        rescheduleCutoffMinutes: z.number().int().min(0),
      })
      .strict(),
    groupBuy: z
      .object({
        minDeadlineSeconds: z.number().int().positive(),
        maxDeadlineSeconds: z.number().int().positive(),
        settleIntervalMs: z.number().int().positive(),
        /** A settlement left `settling` longer than this (its process died) is taken over by another. */
        settleLeaseSeconds: z.number().int().positive(),
        commissionRate: z.record(z.string(), z.number().min(0).max(0.5)),
      })
      .strict(),
    coupons: z.object({ persistIntervalMs: z.number().int().positive(), reconcileIntervalMs: z.number().int().positive() }).strict(),
    tradeIn: z.object({ quoteValidDays: z.number().int().positive() }).strict(),
    wechatPay: z
      .object({
        /** WeChat Pay APIv3 (https://api.mch.weixin.qq.com; the emulator in development and tests). */
        apiBase: z.url(),
        mchId: z.string(),
        /** The serial number of the merchant's API certificate, and its private key (PEM). */
        merchantSerial: z.string(),
        merchantPrivateKey: z.string(),
        /** WeChat Pay's public key (PEM) and its id `PUB_KEY_ID_…` (the public-key mode). */
        platformPublicKeyId: z.string(),
        platformPublicKey: z.string(),
        apiV3Key: z.string().regex(/^(|[A-Za-z0-9]{32})$/, 'must be the 32-character APIv3 key'),
        /** Where WeChat Pay sends notifications: this BFF's /api/v1/wechatpay/notify. */
        notifyUrl: z.url(),
        timeoutMs: z.number().int().positive(),
        /** A prepay id is reused this long (WeChat keeps it 2 h), a little less to leave the user time to pay. */
        prepayValidSeconds: z.number().int().positive(),
        /** An online order not paid within this is closed: WeChat refuses the payment after it, units and coupon go back. */
        payWindowSeconds: z.number().int().positive(),
        /** A payment still pending after this is asked about (a notification may be lost). */
        queryPendingAfterSeconds: z.number().int().positive(),
        jobIntervalMs: z.number().int().positive(),
        /** The first wait before asking WeChat again (refunds, shipping info); it doubles, up to an hour. */
        retryBaseSeconds: z.number().int().positive(),
        /** Yesterday's trade bill is fetched after this hour, Beijing time (WeChat makes it from 9 o'clock). */
        billAfterHour: z.number().int().min(0).max(23),
      })
      .strict(),
    /** How often the outbox dispatcher looks for new events and due deliveries. */
    outbox: z.object({ dispatchIntervalMs: z.number().int().positive() }).strict(),
    jobs: z.object({ enabled: z.boolean() }).strict(),
    afterSales: afterSalesConfig,
    /** Rules that keep the business from being gamed (hoarding, fake sales, giveaway prices): config/README.md. */
    safeguards: z
      .object({
        /** Units one user may hold in open (not yet picked up) direct orders, all SKUs together and per SKU. */
        maxOpenUnitsPerUser: z.number().int().positive(),
        maxOpenUnitsPerSku: z.number().int().positive(),
        /** A settlement that keeps failing for another reason than stock gives up after this many tries: the group fails. */
        maxSettleAttempts: z.number().int().positive(),
        /** The lowest group-buy tier price, in basis points of the SKU's price, by category (`default` for the rest). */
        groupPriceFloorBps: z.record(z.string(), z.number().int().min(0).max(10_000)).refine((r) => r.default !== undefined, 'needs a default'),
        /** The least a buyer pays, in basis points of the items' price, whatever coupons and trade-in credits take off. */
        payableFloorBps: z.number().int().min(0).max(10_000),
      })
      .strict(),
    /** Operations: `GET /metrics` answers only `Authorization: Bearer <metricsToken>`; with no token it is off (404). */
    ops: z.object({ metricsToken: z.string() }).strict(),
    /** `npm run serve`: worker processes; 0 is one per core. */
    serve: z.object({ workers: z.number().int().min(0).max(256) }).strict(),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;

type EnvVar = { name: string; path: string[]; kind: 'string' | 'int' | 'bool' | 'list' | 'pem' };

/** The environment variables that override configuration, by name. */
export const ENV_VARS: EnvVar[] = [
  { name: 'HOST', path: ['host'], kind: 'string' },
  { name: 'PORT', path: ['port'], kind: 'int' },
  { name: 'LOG_LEVEL', path: ['logLevel'], kind: 'string' },
  { name: 'DATABASE_URL', path: ['databaseUrl'], kind: 'string' },
  { name: 'DB_POOL_SIZE', path: ['dbPoolSize'], kind: 'int' },
  { name: 'REDIS_URL', path: ['redisUrl'], kind: 'string' },
  { name: 'REDIS_KEY_PREFIX', path: ['redisKeyPrefix'], kind: 'string' },
  { name: 'REDIS_CLUSTER', path: ['redisCluster'], kind: 'bool' },
  { name: 'REDIS_CLUSTER_NODES', path: ['redisClusterNodes'], kind: 'list' },
  { name: 'H5_DIR', path: ['h5Dir'], kind: 'string' },
  { name: 'WECHAT_API_BASE', path: ['wechat', 'apiBase'], kind: 'string' },
  { name: 'WECHAT_APP_ID', path: ['wechat', 'appId'], kind: 'string' },
  { name: 'WECHAT_APP_SECRET', path: ['wechat', 'appSecret'], kind: 'string' },
  { name: 'WECHAT_EMULATOR_PORT', path: ['wechat', 'emulatorPort'], kind: 'int' },
  { name: 'AUTH_TOKEN_KEY_HEX', path: ['auth', 'tokenKeyHex'], kind: 'string' },
  { name: 'PHONE_KEY_HEX', path: ['crypto', 'phoneKeyHex'], kind: 'string' },
  { name: 'PHONE_HASH_KEY_HEX', path: ['crypto', 'phoneHashKeyHex'], kind: 'string' },
  { name: 'JOBS_ENABLED', path: ['jobs', 'enabled'], kind: 'bool' },
  ...SUBSCRIBE_TEMPLATES.map((t): EnvVar => ({ name: `WECHAT_TEMPLATE_${t.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`, path: ['wechat', 'subscribeTemplates', t], kind: 'string' })),
  { name: 'WECHATPAY_API_BASE', path: ['wechatPay', 'apiBase'], kind: 'string' },
  { name: 'WECHATPAY_MCH_ID', path: ['wechatPay', 'mchId'], kind: 'string' },
  { name: 'WECHATPAY_MERCHANT_SERIAL', path: ['wechatPay', 'merchantSerial'], kind: 'string' },
  { name: 'WECHATPAY_MERCHANT_PRIVATE_KEY', path: ['wechatPay', 'merchantPrivateKey'], kind: 'pem' },
  { name: 'WECHATPAY_PUBLIC_KEY_ID', path: ['wechatPay', 'platformPublicKeyId'], kind: 'string' },
  { name: 'WECHATPAY_PUBLIC_KEY', path: ['wechatPay', 'platformPublicKey'], kind: 'pem' },
  { name: 'WECHATPAY_API_V3_KEY', path: ['wechatPay', 'apiV3Key'], kind: 'string' },
  { name: 'WECHATPAY_NOTIFY_URL', path: ['wechatPay', 'notifyUrl'], kind: 'string' },
  { name: 'TRUSTED_PROXIES', path: ['trustedProxies', 'addresses'], kind: 'list' },
  { name: 'TRUSTED_PROXY_HOPS', path: ['trustedProxies', 'hops'], kind: 'int' },
  { name: 'AFTER_SALES_RESPOND_WITHIN_S', path: ['afterSales', 'respondWithinSeconds'], kind: 'int' },
  { name: 'PHOTO_STORAGE', path: ['afterSales', 'photos', 'storage'], kind: 'string' },
  { name: 'PHOTO_DIR', path: ['afterSales', 'photos', 'dir'], kind: 'string' },
  { name: 'PHOTO_URL_KEY_HEX', path: ['afterSales', 'photos', 'urlKeyHex'], kind: 'string' },
  { name: 'PHOTO_S3_ENDPOINT', path: ['afterSales', 'photos', 's3', 'endpoint'], kind: 'string' },
  { name: 'PHOTO_S3_REGION', path: ['afterSales', 'photos', 's3', 'region'], kind: 'string' },
  { name: 'PHOTO_S3_BUCKET', path: ['afterSales', 'photos', 's3', 'bucket'], kind: 'string' },
  { name: 'PHOTO_S3_ACCESS_KEY_ID', path: ['afterSales', 'photos', 's3', 'accessKeyId'], kind: 'string' },
  { name: 'PHOTO_S3_SECRET_ACCESS_KEY', path: ['afterSales', 'photos', 's3', 'secretAccessKey'], kind: 'string' },
  { name: 'WORKERS', path: ['serve', 'workers'], kind: 'int' },
  { name: 'METRICS_TOKEN', path: ['ops', 'metricsToken'], kind: 'string' },
];

export class ConfigError extends Error {}

const CONFIG_DIR = path.resolve(__dirname, '../../../config');

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function deepMerge(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (k === '//') continue;
    out[k] = isObject(v) && isObject(out[k]) ? deepMerge(out[k], v) : v;
  }
  return out;
}

function readJson(file: string): Json {
  if (!existsSync(file)) return {};
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as Json;
  delete parsed['//'];
  return parsed;
}

function parseEnvValue(v: EnvVar, raw: string): unknown {
  switch (v.kind) {
    case 'int': {
      if (!/^\d+$/.test(raw)) throw new ConfigError(`${v.name} must be a whole number, got "${raw}"`);
      return Number(raw);
    }
    case 'bool':
      if (!['true', 'false', '1', '0'].includes(raw)) throw new ConfigError(`${v.name} must be true or false, got "${raw}"`);
      return raw === 'true' || raw === '1';
    case 'list':
      return raw.split(',').map((s) => s.trim()).filter(Boolean);
    case 'pem':
      // A PEM in one line of a secret store comes with its newlines escaped.
      return raw.replace(/\\n/g, '\n');
    default:
      return raw;
  }
}

function setPath(obj: Json, keys: string[], value: unknown): void {
  let cur = obj;
  for (const k of keys.slice(0, -1)) {
    if (!isObject(cur[k])) cur[k] = {};
    cur = cur[k] as Json;
  }
  cur[keys[keys.length - 1]] = value;
}

const DEV_SECRETS = ['dev-secret-not-for-production', 'dev-metrics-token-not-for-production'];
const DEV_KEYS = [
  '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff',
  'ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100',
  '0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0',
];

/** The environment a process runs in: APP_ENV, else NODE_ENV, else development. */
export function appEnv(environ: NodeJS.ProcessEnv = process.env): string {
  return environ.APP_ENV ?? environ.NODE_ENV ?? 'development';
}

export function loadConfig(options: { env?: string; environ?: NodeJS.ProcessEnv; overrides?: Json } = {}): Config {
  const environ = options.environ ?? process.env;
  const env = options.env ?? appEnv(environ);
  if (!['development', 'test', 'production'].includes(env)) {
    throw new ConfigError(`APP_ENV must be development, test or production, got "${env}"`);
  }
  let merged = deepMerge(readJson(path.join(CONFIG_DIR, 'default.json')), readJson(path.join(CONFIG_DIR, `${env}.json`)));
  for (const v of ENV_VARS) {
    const raw = environ[v.name];
    if (raw !== undefined && raw !== '') setPath(merged, v.path, parseEnvValue(v, raw));
  }
  if (options.overrides) merged = deepMerge(merged, options.overrides);
  merged.env = env;

  const result = configSchema.safeParse(merged);
  if (!result.success) {
    const lines = result.error.issues.map((i) => {
      const key = i.path.join('.');
      const envVar = ENV_VARS.find((v) => v.path.join('.') === key);
      return `  ${key}${envVar ? ` (${envVar.name})` : ''}: ${i.message}`;
    });
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const config = result.data;
  if (config.env === 'production') assertProductionSafe(config);
  return config;
}

/** The markers of the WeChat Pay keys the emulator makes for development and tests (server/wechat-emulator/pay-keys.ts). */
export const DEV_PAY_MARKERS = { mchId: '1900000109', serialPrefix: 'DEV', publicKeyIdPrefix: 'PUB_KEY_ID_DEV' };

// Every loopback, unspecified, link-local and private range, in the forms a URL may spell them
// (`127.1`, `0x7f.1`, `[::ffff:127.0.0.1]` all reach this process or its network).
const PRIVATE_V4 = new BlockList();
for (const [net, bits] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.168.0.0', 16]] as const) PRIVATE_V4.addSubnet(net, bits, 'ipv4');
const PRIVATE_V6 = new BlockList();
for (const [net, bits] of [['::', 128], ['::1', 128], ['64:ff9b::', 96], ['fc00::', 7], ['fe80::', 10]] as const) PRIVATE_V6.addSubnet(net, bits, 'ipv6');

/** An IPv4 address written as IPv6 (`::ffff:127.0.0.1`, which a URL spells `::ffff:7f00:1`), as IPv4. */
function mappedV4(v6: string): string | null {
  const m = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(v6);
  if (!m) return null;
  const [hi, lo] = [parseInt(m[1], 16), parseInt(m[2], 16)];
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
}

/** Whether a URL's host is this machine or a private network (by name or by address), or not a URL at all. */
export function isLoopbackOrPrivate(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.+$/, '');
  } catch {
    return true;
  }
  if (host === '' || host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local') || host.endsWith('.internal')) return true;
  const family = isIP(host);
  if (family === 4) return PRIVATE_V4.check(host, 'ipv4');
  if (family === 6) {
    const v4 = mappedV4(host);
    return v4 ? PRIVATE_V4.check(v4, 'ipv4') : PRIVATE_V6.check(host, 'ipv6');
  }
  return false;
}

/** A production upstream: https, and not this machine or a private network. */
const isPublicHttps = (url: string) => url.startsWith('https://') && !isLoopbackOrPrivate(url);

/** WeChat Pay in production: real keys that parse, not the development ones, over https. */
function wechatPayProblems(p: Config['wechatPay']): string[] {
  const problems: string[] = [];
  if (!isPublicHttps(p.apiBase)) problems.push('WECHATPAY_API_BASE must be https://api.mch.weixin.qq.com');
  if (!isPublicHttps(p.notifyUrl) || new URL(p.notifyUrl).hostname.endsWith('.invalid')) problems.push('WECHATPAY_NOTIFY_URL must be a public https address (WeChat Pay calls it)');
  for (const [name, v] of Object.entries({ WECHATPAY_MCH_ID: p.mchId, WECHATPAY_MERCHANT_SERIAL: p.merchantSerial, WECHATPAY_PUBLIC_KEY_ID: p.platformPublicKeyId, WECHATPAY_API_V3_KEY: p.apiV3Key })) {
    if (!v) problems.push(`${name} is not set`);
  }
  if (p.mchId === DEV_PAY_MARKERS.mchId) problems.push('WECHATPAY_MCH_ID is the development merchant');
  if (p.merchantSerial.startsWith(DEV_PAY_MARKERS.serialPrefix)) problems.push('WECHATPAY_MERCHANT_SERIAL is a development serial');
  if (p.platformPublicKeyId.startsWith(DEV_PAY_MARKERS.publicKeyIdPrefix)) problems.push("WECHATPAY_PUBLIC_KEY_ID is the emulator's key");
  try {
    const key = createPrivateKey(p.merchantPrivateKey);
    if (key.asymmetricKeyType !== 'rsa' || (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) problems.push('WECHATPAY_MERCHANT_PRIVATE_KEY must be an RSA key of 2048 bits or more');
  } catch {
    problems.push('WECHATPAY_MERCHANT_PRIVATE_KEY is not a private key in PEM');
  }
  try {
    createPublicKey(p.platformPublicKey);
  } catch {
    problems.push('WECHATPAY_PUBLIC_KEY is not a public key in PEM');
  }
  return problems;
}

/** Production must talk to the real WeChat with real secrets. */
export function assertProductionSafe(config: Config): void {
  const problems: string[] = [...wechatPayProblems(config.wechatPay)];
  if (isLoopbackOrPrivate(config.wechat.apiBase)) {
    problems.push('WECHAT_API_BASE points at this machine or a private network (the WeChat emulator?); production needs https://api.weixin.qq.com');
  } else if (!isPublicHttps(config.wechat.apiBase)) {
    problems.push('WECHAT_API_BASE must be https (production needs https://api.weixin.qq.com)');
  }
  if (DEV_SECRETS.includes(config.wechat.appSecret)) problems.push('WECHAT_APP_SECRET is the development secret');
  if (DEV_KEYS.includes(config.crypto.phoneKeyHex)) problems.push('PHONE_KEY_HEX is the development key');
  if (DEV_KEYS.includes(config.crypto.phoneHashKeyHex)) problems.push('PHONE_HASH_KEY_HEX is the development key');
  if (DEV_KEYS.includes(config.auth.tokenKeyHex)) problems.push('AUTH_TOKEN_KEY_HEX is the development key');
  if (DEV_SECRETS.includes(config.ops.metricsToken)) problems.push('METRICS_TOKEN is the development token');
  else if (config.ops.metricsToken && config.ops.metricsToken.length < 32) problems.push('METRICS_TOKEN must be at least 32 characters (e.g. 32 random bytes, hex)');
  if (DEV_KEYS.includes(config.afterSales.photos.urlKeyHex)) problems.push('PHOTO_URL_KEY_HEX is the development key');
  if (problems.length) throw new ConfigError(`Refusing to start in production:\n  ${problems.join('\n  ')}`);
}
