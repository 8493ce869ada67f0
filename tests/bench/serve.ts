import { execFileSync, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import path from 'node:path';
import { availableParallelism, loadavg } from 'node:os';
import { createTestContext } from '../helpers/context';
import { runLoad, printResults, printRatio, startBareServer, type LoadResult } from './lib';

/**
 * npm run bench -- serve [seconds] [connections]: the production build (`npm run build`, then
 * `APP_ENV=production node server/dist/serve.js`) with 1 worker and then 2, in the same run:
 * each worker's start-up time (fork to serving), then /healthz, GET /stores/nearby and
 * GET /products at saturation against a bare node:http route measured in the same run.
 * Production refuses the WeChat emulator, so no one signs in here: public routes only.
 */
const ROOT = path.resolve(__dirname, '../..');

type Served = { baseUrl: string; startupMs: number[]; startupCpuMs: number[]; readyMs: number; stop: () => Promise<number | null> };

async function serve(workers: number, env: Record<string, string>): Promise<Served> {
  const started = Date.now();
  const child = spawn(process.execPath, [path.join(ROOT, 'server/dist/serve.js')], {
    cwd: ROOT,
    env: { ...process.env, ...env, APP_ENV: 'production', NODE_ENV: 'production', HOST: '127.0.0.1', PORT: '0', WORKERS: String(workers), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const startupMs: number[] = [];
  const startupCpuMs: number[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    child.on('message', (m: { ready?: boolean; port?: number; startupMs?: number; startupCpuMs?: number }) => {
      if (m?.startupMs !== undefined) startupMs.push(m.startupMs);
      if (m?.startupCpuMs !== undefined) startupCpuMs.push(m.startupCpuMs);
      if (m?.ready && m.port) resolve(m.port);
    });
    void exited.then((code) => reject(new Error(`serve exited ${code} before it was ready`)));
  });
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    startupMs,
    startupCpuMs,
    readyMs: Date.now() - started,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** WeChat Pay settings production accepts (keys made here; nothing is paid in this benchmark). */
function productionPay(): Record<string, string> {
  const pair = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
  const merchant = pair();
  const platform = pair();
  return {
    WECHATPAY_MCH_ID: '1612345678',
    WECHATPAY_MERCHANT_SERIAL: randomBytes(20).toString('hex').toUpperCase(),
    WECHATPAY_MERCHANT_PRIVATE_KEY: merchant.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    WECHATPAY_PUBLIC_KEY_ID: `PUB_KEY_ID_${randomBytes(16).toString('hex')}`,
    WECHATPAY_PUBLIC_KEY: platform.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    WECHATPAY_API_V3_KEY: randomBytes(16).toString('hex'),
    WECHATPAY_NOTIFY_URL: 'https://xinghuo.example.com/api/v1/wechatpay/notify',
  };
}

export default async function run(args: string[]): Promise<void> {
  const seconds = Number(args[0] ?? 8);
  const connections = Number(args[1] ?? 100);
  execFileSync(process.execPath, [path.join(ROOT, 'scripts/run-ts.cjs'), 'scripts/build.ts'], { cwd: ROOT, stdio: 'inherit' });
  const t = await createTestContext({ seed: true });
  const env = {
    DATABASE_URL: t.config.databaseUrl,
    REDIS_KEY_PREFIX: t.config.redisKeyPrefix,
    DB_POOL_SIZE: '20',
    WECHAT_API_BASE: 'https://api.weixin.qq.com',
    WECHAT_APP_ID: 'wx_bench',
    WECHAT_APP_SECRET: randomBytes(16).toString('hex'),
    PHONE_KEY_HEX: randomBytes(32).toString('hex'),
    PHONE_HASH_KEY_HEX: randomBytes(32).toString('hex'),
    AUTH_TOKEN_KEY_HEX: randomBytes(32).toString('hex'),
    PHOTO_URL_KEY_HEX: randomBytes(32).toString('hex'),
    ...productionPay(),
    // The geo index and jobs start in every worker, as in production.
    JOBS_ENABLED: 'true',
  };
  const bare = await startBareServer();
  const point = () => `lat=${(38 + Math.random()).toFixed(4)}&lng=${(115 + Math.random()).toFixed(4)}&radiusKm=20&limit=10`;
  try {
    const rows: LoadResult[] = [];
    const byWorkers = new Map<number, { healthz: LoadResult; nearby: LoadResult; products: LoadResult }>();
    for (const workers of [1, 2]) {
      const s = await serve(workers, env);
      console.log(`${workers} worker(s): serving ${s.readyMs} ms after the start; each worker from fork to serving: ${s.startupMs.join(', ')} ms, of which CPU ${s.startupCpuMs.join(', ')} ms (load average ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores)`);
      try {
        await runLoad({ name: 'warm-up', url: s.baseUrl, connections: 10, durationSeconds: 2, request: () => ({ path: `/api/v1/stores/nearby?${point()}` }) });
        const healthz = await runLoad({ name: `${workers}w GET /healthz`, url: s.baseUrl, connections, durationSeconds: seconds, request: () => ({ path: '/healthz' }) });
        const nearby = await runLoad({ name: `${workers}w GET /stores/nearby`, url: s.baseUrl, connections, durationSeconds: seconds, request: () => ({ path: `/api/v1/stores/nearby?${point()}` }) });
        const products = await runLoad({ name: `${workers}w GET /products`, url: s.baseUrl, connections, durationSeconds: seconds, request: () => ({ path: '/api/v1/products?limit=20' }) });
        byWorkers.set(workers, { healthz, nearby, products });
        rows.push(healthz, nearby, products);
      } finally {
        const code = await s.stop();
        if (code !== 0) console.log(`serve with ${workers} worker(s) exited ${code} on SIGTERM`);
      }
    }
    const ceiling = await runLoad({ name: 'bare node:http', url: bare.url, connections, durationSeconds: seconds });
    rows.push(ceiling);
    printResults(`production build, ${connections} connections, ${seconds} s each`, rows);
    const one = byWorkers.get(1)!;
    const two = byWorkers.get(2)!;
    for (const k of ['healthz', 'nearby', 'products'] as const) {
      printRatio(`${k}: 2 workers vs 1`, two[k].rps, one[k].rps);
      printRatio(`${k}: 2 workers vs bare route`, two[k].rps, ceiling.rps);
      printRatio(`${k}: 2 workers vs 2 workers' /healthz`, two[k].rps, two.healthz.rps);
    }
  } finally {
    await bare.close();
    await t.stop();
  }
}
