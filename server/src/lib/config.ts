import { readFileSync, existsSync } from 'node:fs';
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
const afterSalesConfig = z
  .object({
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
        // Order creation per buyer (hoarding).
        orderPerUser: rateLimit })
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
      })
      .strict(),
    /** `npm run serve`: worker processes; 0 is one per core. */
    serve: z.object({ workers: z.number().int().min(0).max(256) }).strict(),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;

type EnvVar = { name: string; path: string[]; kind: 'string' | 'int' | 'bool' | 'list' };

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
  { name: 'TRUSTED_PROXIES', path: ['trustedProxies', 'addresses'], kind: 'list' },
  { name: 'TRUSTED_PROXY_HOPS', path: ['trustedProxies', 'hops'], kind: 'int' },
  { name: 'AFTER_SALES_RESPOND_WITHIN_S', path: ['afterSales', 'respondWithinSeconds'], kind: 'int' },
  { name: 'WORKERS', path: ['serve', 'workers'], kind: 'int' },
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

const DEV_SECRETS = ['dev-secret-not-for-production'];
const DEV_KEYS = [
  '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff',
  'ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100',
  '0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0',
];

export function loadConfig(options: { env?: string; environ?: NodeJS.ProcessEnv; overrides?: Json } = {}): Config {
  const environ = options.environ ?? process.env;
  const env = options.env ?? environ.APP_ENV ?? environ.NODE_ENV ?? 'development';
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

/** Production must talk to the real WeChat with real secrets. */
export function assertProductionSafe(config: Config): void {
  const problems: string[] = [];
  const host = new URL(config.wechat.apiBase).hostname;
  if (['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host) || host.startsWith('127.')) {
    problems.push('WECHAT_API_BASE points at the WeChat emulator; production needs https://api.weixin.qq.com');
  }
  if (DEV_SECRETS.includes(config.wechat.appSecret)) problems.push('WECHAT_APP_SECRET is the development secret');
  if (DEV_KEYS.includes(config.crypto.phoneKeyHex)) problems.push('PHONE_KEY_HEX is the development key');
  if (DEV_KEYS.includes(config.crypto.phoneHashKeyHex)) problems.push('PHONE_HASH_KEY_HEX is the development key');
  if (DEV_KEYS.includes(config.auth.tokenKeyHex)) problems.push('AUTH_TOKEN_KEY_HEX is the development key');
  if (problems.length) throw new ConfigError(`Refusing to start in production:\n  ${problems.join('\n  ')}`);
}
