import { createPool, ensureDatabase, dropDatabase, type Db } from '../../server/src/lib/db';
import { migrate } from '../../server/src/lib/migrate';
import { schemaDrift } from '../helpers/schema-drift';
import { uniqueName } from '../helpers/context';

const BASE = process.env.TEST_DATABASE_URL_BASE ?? 'mysql://root@127.0.0.1:3306';
const name = uniqueName('xh_drift');
const url = `${BASE}/${name}`;
let db: Db;

beforeAll(async () => {
  await ensureDatabase(url);
  await migrate(url);
  db = createPool(url, 2);
});
afterAll(async () => {
  await db.end();
  await dropDatabase(url);
});

describe('schema drift', () => {
  it('when every migration is applied to a fresh database, then it matches schema.prisma exactly', async () => {
    expect(await schemaDrift(db, name)).toEqual([]);
  });

  it('when the database gains a column the model lacks, then the drift check names it', async () => {
    await db.query('ALTER TABLE users ADD COLUMN drift_probe INT NULL');
    try {
      expect(await schemaDrift(db, name)).toContain('column users.drift_probe is in the database but not in the model');
    } finally {
      await db.query('ALTER TABLE users DROP COLUMN drift_probe');
    }
  });

  it('when a migration is applied twice, then nothing changes and it is recorded once in _prisma_migrations', async () => {
    expect(await migrate(url)).toEqual([]);
    const [rows] = await db.query('SELECT migration_name, checksum, finished_at FROM _prisma_migrations');
    const list = rows as { migration_name: string; checksum: string; finished_at: Date }[];
    expect(new Set(list.map((r) => r.migration_name)).size).toBe(list.length);
    for (const r of list) {
      expect(r.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(r.finished_at).toBeInstanceOf(Date);
    }
  });
});
