import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkServices } from './lib/services';
import { ensureClientBuilt } from './lib/client-build';

/**
 * npm test: every test — unit, integration, concurrency, client build checks, end-to-end in
 * Chromium, and the fault suite. Builds both clients first (when stale). Extra arguments go to jest.
 */
const ROOT = path.resolve(__dirname, '..');

async function main() {
  await checkServices(process.env.TEST_DATABASE_URL_BASE ?? 'mysql://root@127.0.0.1:3306', process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const args = process.argv.slice(2);
  if (!process.env.SKIP_CLIENT_BUILD) {
    for (const target of ['weapp', 'h5'] as const) {
      const b = ensureClientBuilt(target);
      console.log(b.built ? `${target} client built in ${b.seconds.toFixed(0)} s` : `${target} client: up to date`);
    }
  }
  const report = path.join(mkdtempSync(path.join(os.tmpdir(), 'xh-jest-')), 'report.json');
  const res = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/jest/bin/jest.js'), '--maxWorkers=2', '--json', `--outputFile=${report}`, ...args], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'test', APP_ENV: 'test' },
  });
  if (existsSync(report)) {
    const r = JSON.parse(readFileSync(report, 'utf8')) as { numPassedTests: number; numFailedTests: number; numPendingTests: number };
    // The plain closing line CI reads.
    console.log(`\n${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`);
  }
  process.exit(res.status ?? 1);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
