import { loadConfig } from './config';
import { ensureDatabase } from './db';
import { migrate } from './migrate';

async function main() {
  const config = loadConfig();
  await ensureDatabase(config.databaseUrl);
  const applied = await migrate(config.databaseUrl);
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'migrations: up to date');
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
