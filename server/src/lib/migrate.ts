import { createHash, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { parseDatabaseUrl } from './db';

/**
 * Applies prisma/migrations/<name>/migration.sql in name order and records each in Prisma's own
 * `_prisma_migrations` table with Prisma's checksum (sha256 of the file), so that a team with
 * Prisma's engine can switch to `prisma migrate deploy` later. Prisma's CLI cannot run its
 * engine on these machines (NOTES.md). A named lock lets several processes start at once.
 */
export const MIGRATIONS_DIR = path.resolve(__dirname, '../../../prisma/migrations');

const LEDGER_DDL = `CREATE TABLE IF NOT EXISTS _prisma_migrations (
  id VARCHAR(36) NOT NULL PRIMARY KEY,
  checksum VARCHAR(64) NOT NULL,
  finished_at DATETIME(3) NULL,
  migration_name VARCHAR(255) NOT NULL,
  logs TEXT NULL,
  rolled_back_at DATETIME(3) NULL,
  started_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  applied_steps_count INT UNSIGNED NOT NULL DEFAULT 0
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`;

export type Migration = { name: string; sql: string; checksum: string };

export function listMigrations(dir = MIGRATIONS_DIR): Migration[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(dir, d.name, 'migration.sql')))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

export async function migrate(databaseUrl: string, dir = MIGRATIONS_DIR): Promise<string[]> {
  const t = parseDatabaseUrl(databaseUrl);
  const conn = await mysql.createConnection({ ...t, multipleStatements: true, timezone: 'Z', charset: 'utf8mb4' });
  const applied: string[] = [];
  try {
    const [lockRows] = await conn.query('SELECT GET_LOCK(?, 120) AS got', [`xh_migrate_${t.database}`]);
    if ((lockRows as { got: number }[])[0].got !== 1) throw new Error('could not take the migration lock');
    await conn.query(LEDGER_DDL);
    const [rows] = await conn.query('SELECT migration_name, checksum FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL');
    const done = new Map((rows as { migration_name: string; checksum: string }[]).map((r) => [r.migration_name, r.checksum]));
    for (const m of listMigrations(dir)) {
      const prior = done.get(m.name);
      if (prior) {
        if (prior !== m.checksum) throw new Error(`migration ${m.name} was changed after it was applied`);
        continue;
      }
      const id = randomUUID();
      await conn.query('INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at) VALUES (?, ?, ?, NOW(3))', [id, m.checksum, m.name]);
      await conn.query(m.sql);
      await conn.query('UPDATE _prisma_migrations SET finished_at = NOW(3), applied_steps_count = 1 WHERE id = ?', [id]);
      applied.push(m.name);
    }
    await conn.query('SELECT RELEASE_LOCK(?)', [`xh_migrate_${t.database}`]);
  } finally {
    await conn.end();
  }
  return applied;
}
