import type { Db } from '../../lib/db';
import { escapeLike } from '../regions/names';

export type StoreRow = {
  id: string; name: string; type: string; region_code: string; address: string; lat: string | number; lng: string | number;
  phone: string; open_hours: string; services: string;
};

const COLUMNS = 's.id, s.name, s.type, s.region_code, s.address, s.lat, s.lng, s.phone, s.open_hours, s.services';

export async function findStore(db: Db, id: string): Promise<StoreRow | null> {
  const [rows] = await db.query(`SELECT ${COLUMNS} FROM stores s WHERE s.id = ?`, [id]);
  return (rows as StoreRow[])[0] ?? null;
}

export async function findStoresByIds(db: Db, ids: string[]): Promise<StoreRow[]> {
  if (!ids.length) return [];
  const [rows] = await db.query(`SELECT ${COLUMNS} FROM stores s WHERE s.id IN (?)`, [ids]);
  return rows as StoreRow[];
}

export async function findAllStores(db: Db): Promise<StoreRow[]> {
  const [rows] = await db.query(`SELECT ${COLUMNS} FROM stores s`);
  return rows as StoreRow[];
}

/** Every store's position, for the geo index. */
export async function allStorePositions(db: Db): Promise<{ id: string; type: string; lat: string; lng: string }[]> {
  const [rows] = await db.query('SELECT id, type, lat, lng FROM stores');
  return rows as { id: string; type: string; lat: string; lng: string }[];
}

/** Stores inside a latitude/longitude box (the (lat, lng) index): the fallback while Redis is down. */
export async function findStoresInBox(
  db: Db, box: { minLat: number; maxLat: number; minLng: number; maxLng: number }, type: string | undefined,
): Promise<StoreRow[]> {
  const [rows] = await db.query(
    `SELECT ${COLUMNS} FROM stores s WHERE s.lat BETWEEN ? AND ? AND s.lng BETWEEN ? AND ?${type ? ' AND s.type = ?' : ''}`,
    [box.minLat, box.maxLat, box.minLng, box.maxLng, ...(type ? [type] : [])],
  );
  return rows as StoreRow[];
}

/**
 * Stores inside a region, by id: for a province, city, county or town those standing in it
 * (codes nest by prefix); for a village those serving it.
 */
export async function findStoresInRegion(
  db: Db, f: { region?: string; type?: string; q?: string; after?: string; limit: number },
): Promise<StoreRow[]> {
  const where: string[] = [];
  const values: unknown[] = [];
  let from = 'stores s';
  if (f.region && f.region.length === 12) {
    from = 'store_service_areas a JOIN stores s ON s.id = a.store_id';
    where.push('a.region_code = ?');
    values.push(f.region);
  } else if (f.region) {
    where.push('s.region_code LIKE ?');
    values.push(`${f.region}%`);
  }
  if (f.type) {
    where.push('s.type = ?');
    values.push(f.type);
  }
  if (f.q) {
    where.push('s.name LIKE ?');
    values.push(`%${escapeLike(f.q)}%`);
  }
  if (f.after) {
    where.push('s.id > ?');
    values.push(f.after);
  }
  const [rows] = await db.query(
    `SELECT ${COLUMNS} FROM ${from}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY s.id LIMIT ?`,
    [...values, f.limit],
  );
  return rows as StoreRow[];
}
