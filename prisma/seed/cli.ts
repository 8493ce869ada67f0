import { loadConfig } from '../../server/src/lib/config';
import { createPool, createPrisma, ensureDatabase } from '../../server/src/lib/db';
import { migrate } from '../../server/src/lib/migrate';
import { runSeed, terminalProgress } from './index';

/** npm run seed: migrates and seeds the configured database (idempotent). */
async function main() {
  const config = loadConfig();
  await ensureDatabase(config.databaseUrl);
  await migrate(config.databaseUrl);
  const db = createPool(config.databaseUrl, 8);
  const prisma = createPrisma(config.databaseUrl, 2);
  const p = terminalProgress();
  try {
    await runSeed({ config, db, prisma, progress: p.progress, scale: process.env.SEED_SCALE === 'test' ? 'test' : 'full' });
  } finally {
    p.stop();
    await db.end();
    await prisma.$disconnect();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
