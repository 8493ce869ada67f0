import { loadConfig } from '../../server/src/lib/config';
import { createPool, createPrisma, ensureDatabase } from '../../server/src/lib/db';
import { migrate } from '../../server/src/lib/migrate';
import { runSeed, terminalProgress } from './index';
import type { SeedContext } from './types';

/**
 * npm run seed: migrates and seeds the configured database (idempotent). `-- --scale chain` adds a
 * chain's season (prisma/seed/chain.ts); SEED_SCALE=test makes the small test data.
 */
function scaleOf(): SeedContext['scale'] {
  const i = process.argv.indexOf('--scale');
  const asked = i >= 0 ? process.argv[i + 1] : process.env.SEED_SCALE;
  if (asked === undefined || asked === 'full') return 'full';
  if (asked === 'test' || asked === 'chain') return asked;
  throw new Error(`--scale must be full, test or chain, not "${asked}"`);
}

async function main() {
  const scale = scaleOf();
  const started = Date.now();
  const config = loadConfig();
  await ensureDatabase(config.databaseUrl);
  await migrate(config.databaseUrl);
  const db = createPool(config.databaseUrl, 8);
  const prisma = createPrisma(config.databaseUrl, 2);
  const p = terminalProgress();
  try {
    await runSeed({ config, db, prisma, progress: p.progress, scale });
  } finally {
    p.stop();
    console.log(`seeded (${scale}) in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    await db.end();
    await prisma.$disconnect();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
