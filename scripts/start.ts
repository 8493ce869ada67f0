import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { loadConfig, ConfigError } from '../server/src/lib/config';
import { createPool, createPrisma, ensureDatabase } from '../server/src/lib/db';
import { migrate } from '../server/src/lib/migrate';
import { runSeed, isEmpty, terminalProgress } from '../prisma/seed';
import { DEMO_USERS } from '../prisma/seed/accounts';
import { checkServices } from './lib/services';
import { ensureClientBuilt } from './lib/client-build';
import { allPayKeysEnv, generateDevPayKeys } from '../server/wechat-emulator/pay-keys';
import { EMULATOR_SECRET_HEADER } from '../server/wechat-emulator/server';

/**
 * npm start: the whole product at http://127.0.0.1:3000 — checks MariaDB and Redis, migrates,
 * seeds an empty database, builds the H5 client when stale, starts the WeChat emulator and the
 * BFF (which serves the H5 client and the API from one origin).
 */
const ROOT = path.resolve(__dirname, '..');

function run(entry: string, env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [path.join(ROOT, 'scripts/run-ts.cjs'), entry], { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit'] });
}

async function waitFor(url: string, seconds: number, headers: Record<string, string> = {}): Promise<void> {
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    try {
      const res = await fetch(url, { headers });
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not come up within ${seconds} s`);
}

async function main() {
  const config = loadConfig();
  console.log(`星火 (${config.env}) — checking MariaDB and Redis…`);
  await checkServices(config.databaseUrl, config.redisUrl);

  await ensureDatabase(config.databaseUrl);
  const applied = await migrate(config.databaseUrl);
  console.log(applied.length ? `migrations applied: ${applied.join(', ')}` : 'migrations: up to date');

  const db = createPool(config.databaseUrl, 8);
  const prisma = createPrisma(config.databaseUrl, 2);
  try {
    if (await isEmpty({ db })) {
      console.log('seeding demo data into the empty database…');
      const p = terminalProgress();
      const started = Date.now();
      try {
        await runSeed({ config, db, prisma, progress: p.progress, scale: 'full' });
      } finally {
        p.stop();
      }
      console.log(`demo data seeded in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    } else {
      console.log('demo data: already there');
    }
  } finally {
    await db.end();
    await prisma.$disconnect();
  }

  const build = ensureClientBuilt('h5');
  console.log(build.built ? `H5 client built in ${build.seconds.toFixed(0)} s` : 'H5 client: up to date');

  // WeChat Pay's development keys, made for this run and handed to both the emulator and the BFF.
  const env = { ...process.env, APP_ENV: config.env, ...(config.env === 'production' ? {} : allPayKeysEnv(generateDevPayKeys())) };
  const children: ChildProcess[] = [];
  const stopAll = (code: number) => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    setTimeout(() => process.exit(code), 500).unref();
  };
  process.on('SIGINT', () => stopAll(0));
  process.on('SIGTERM', () => stopAll(0));

  // The emulator (development and test only) signs anyone in; its control endpoints want this run's secret.
  const withEmulator = config.env !== 'production';
  if (withEmulator) {
    const controlSecret = randomBytes(24).toString('hex');
    const emulator = run('server/wechat-emulator/main.ts', { ...env, WECHAT_EMULATOR_SECRET: controlSecret });
    children.push(emulator);
    await waitFor(`${config.wechat.apiBase}/__emulator/messages`, 30, { [EMULATOR_SECRET_HEADER]: controlSecret });
  }
  const bff = run('server/src/main.ts', env);
  children.push(bff);
  for (const c of children) c.on('exit', (code) => { console.error(`a process stopped (exit ${code}); stopping the rest`); stopAll(code ?? 1); });
  const base = `http://127.0.0.1:${config.port}`;
  await waitFor(`${base}/readyz`, 60);

  console.log(`
星火 is running.
  App (H5):        ${base}/
  API:             ${base}/api/v1   (OpenAPI: ${base}/api/v1/openapi.json)
  Health:          ${base}/healthz  ${base}/readyz  ${base}/metrics
  WeChat:          ${config.wechat.apiBase}${withEmulator ? ' (the emulator)' : ''}

Demo accounts (sign in on the H5 login page, by openid):
${DEMO_USERS.map((u) => `  ${u.openid.padEnd(14)} ${u.nickname}  ${['villager', ...u.roles].join(', ')}${u.stores.length ? `  stores ${u.stores.join(', ')}` : ''}`).join('\n')}

Stop with Ctrl-C.`);
}

main().catch((err) => {
  console.error(err instanceof ConfigError || err instanceof Error ? err.message : err);
  process.exit(1);
});
