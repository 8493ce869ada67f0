import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';
import request from 'supertest';
import { loadConfig, deepMerge, type Config } from '../../server/src/lib/config';
import { createDeps, closeDeps, type Deps } from '../../server/src/lib/deps';
import { ensureDatabase, dropDatabase } from '../../server/src/lib/db';
import { migrate } from '../../server/src/lib/migrate';
import { deleteByPrefix } from '../../server/src/lib/redis';
import { buildApp } from '../../server/src/app';
import { startJobs } from '../../server/src/jobs';
import { startBackground } from '../../server/src/modules/background';
import { startEmulator, type Emulator } from '../../server/wechat-emulator/server';
import { payKeysConfig } from '../../server/wechat-emulator/pay-keys';
import { runSeed } from '../../prisma/seed';
import { checkContract } from './contract';

/**
 * A whole BFF for one test file, on the real MariaDB and Redis: its own database (xh_t_…), its own
 * Redis key prefix, its own WeChat emulator, listening on a free port. Nothing touches the demo.
 */
export type TestContext = {
  config: Config;
  deps: Deps;
  emulator: Emulator;
  server: Server;
  baseUrl: string;
  http: ReturnType<typeof request>;
  /** Logs in through the emulator's codes; returns the bearer token. */
  login: (openid: string) => Promise<string>;
  stop: () => Promise<void>;
};

export type ContextOptions = {
  seed?: boolean; jobs?: boolean; overrides?: Record<string, unknown>;
  /** Adds middleware of the test's own (recorders) before the app listens. */
  beforeListen?: (app: Koa) => void;
};

const MARIADB = process.env.TEST_DATABASE_URL_BASE ?? 'mysql://root@127.0.0.1:3306';

export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

const PHONE = /(?<![0-9])1[3-9][0-9]{9}(?![0-9])/;
const SESSION_KEY = /session_?key/i;

/**
 * Every response of every suite is scanned: no WeChat session key, no unmasked phone number, no
 * token other than the caller's own (or the one a login just issued). A leak fails the suite.
 */
export function scanResponses(app: Koa): string[] {
  const leaks: string[] = [];
  const issued = new Set<string>();
  app.middleware.unshift(async (ctx, next) => {
    await next();
    if (ctx.body === undefined || ctx.body === null || typeof (ctx.body as { pipe?: unknown }).pipe === 'function' || Buffer.isBuffer(ctx.body)) return;
    // Prometheus's numbers (13352439808 bytes of virtual memory), for the scraper holding the token only.
    if (ctx.path === '/metrics') return;
    const text = typeof ctx.body === 'string' ? ctx.body : JSON.stringify(ctx.body);
    const where = `${ctx.method} ${ctx.path} → ${ctx.status}`;
    if (SESSION_KEY.test(text)) leaks.push(`${where}: carries a WeChat session key`);
    // Request ids (UUIDs) and ULIDs can hold 11-digit runs that are not phone numbers.
    const phone = PHONE.exec(text.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '').replace(/[0-9A-HJKMNP-TV-Z]{26}/g, ''));
    // API.md: the assigned technician alone gets the buyer's full number, on their task list and task moves.
    const phoneAllowed = ctx.path.startsWith('/api/v1/technician/tasks');
    if (phone && !phoneAllowed) leaks.push(`${where}: carries an unmasked phone number ${phone[0].slice(0, 3)}…`);
    const own = /^Bearer (.+)$/.exec(ctx.get('authorization'))?.[1];
    const fresh = (ctx.body as { token?: unknown }).token;
    for (const t of issued) if (t !== own && t !== fresh && text.includes(t)) leaks.push(`${where}: carries another session's token`);
    if (typeof fresh === 'string' && ctx.path.endsWith('/auth/wechat/login')) issued.add(fresh);
  });
  return leaks;
}

export async function createTestContext(options: ContextOptions = {}): Promise<TestContext> {
  // WeChat Pay's retries on its real schedule ÷ 100 (15 s → 150 ms); refunds settle in 200 ms.
  // Its control endpoints answer only this run's secret (t.emulator.controlSecret).
  const emulator = await startEmulator({ paySettings: { notifyScale: 0.01, refundDelayMs: 200 }, controlSecret: randomBytes(24).toString('hex') });
  const dbName = uniqueName('xh_t');
  const overrides = deepMerge(
    {
      databaseUrl: `${MARIADB}/${dbName}`,
      redisKeyPrefix: `${dbName}:`,
      wechat: { apiBase: emulator.url },
      wechatPay: { apiBase: emulator.url, ...payKeysConfig(emulator.payKeys) },
      jobs: { enabled: options.jobs ?? false },
    },
    options.overrides ?? {},
  );
  const config = loadConfig({ env: 'test', environ: { ...process.env, NODE_ENV: 'test', APP_ENV: 'test' }, overrides });
  await ensureDatabase(config.databaseUrl);
  await migrate(config.databaseUrl);
  const deps = await createDeps(config);
  if (options.seed) {
    await runSeed({ config, db: deps.db, prisma: deps.prisma, progress: () => {}, scale: 'test' });
  }
  const app = buildApp(deps);
  const leaks = scanResponses(app);
  options.beforeListen?.(app);
  const breaches = checkContract(app);
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // WeChat Pay notifies this BFF, whose port is known only now.
  config.wechatPay.notifyUrl = `${baseUrl}/api/v1/wechatpay/notify`;
  const stopJobs = config.jobs.enabled ? startJobs(deps) : async () => {};
  const stopBackground = config.jobs.enabled ? await startBackground(deps) : async () => {};
  const http = request(baseUrl);

  const login = async (openid: string) => {
    const res = await http.post('/api/v1/auth/wechat/login').send({ code: `test_${openid}.${randomBytes(6).toString('hex')}` });
    if (res.status !== 200) throw new Error(`login ${openid} failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.token as string;
  };

  const stop = async () => {
    await stopJobs();
    await stopBackground();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await closeDeps(deps);
    await emulator.close();
    await dropDatabase(config.databaseUrl);
    await deleteByPrefix(config.redisUrl, config.redisKeyPrefix);
    if (leaks.length) throw new Error(`responses leaked secrets:\n${leaks.slice(0, 10).join('\n')}`);
    if (breaches.length) {
      const distinct = [...new Set(breaches)];
      throw new Error(`the server answered what its OpenAPI document does not say (${distinct.length}):\n${distinct.slice(0, 40).join('\n')}`);
    }
  };
  return { config, deps, emulator, server, baseUrl, http, login, stop };
}
