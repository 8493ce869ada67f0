import type { Deps } from '../../lib/deps';
import { isDependencyDown, notFound } from '../../lib/errors';
import { regionPath } from '../regions/service';
import { geoSearchRings, haversineM, rebuildGeoIndexSoon } from './geo';
import { findAllStores, findStore, findStoresByIds, findStoresInBox, findStoresInRegion, type StoreRow } from './repository';
import { SERVICES, STORE_TYPES } from './schemas';

type StoreType = (typeof STORE_TYPES)[number];
type Service = (typeof SERVICES)[number];

export type Store = {
  id: string; name: string; type: StoreType; regionCode: string; address: string; lat: number; lng: number;
  phone: string; openHours: string; services: Service[];
};
export type NearbyStore = Store & { distanceM: number };

export const toStore = (r: StoreRow): Store => ({
  id: r.id,
  name: r.name,
  type: r.type as StoreType,
  regionCode: r.region_code,
  address: r.address,
  lat: Number(r.lat),
  lng: Number(r.lng),
  phone: r.phone,
  openHours: r.open_hours,
  services: r.services.split(',').filter((s): s is Service => (SERVICES as readonly string[]).includes(s)),
});

/** Search rings: cheap small radii first, so the cost stays flat however many stores there are. */
const RINGS_KM = [10, 30, 100];
export const DEFAULT_RADIUS_KM = 20;

export type NearbyQuery = { lat: number; lng: number; radiusKm?: number; limit?: number; type?: StoreType };

/**
 * Every store's details, kept in the process: nearby search is the hot path and stores change
 * rarely. Read again in the background once a minute old; a store not in it yet is read at once.
 */
type Directory = { at: number; byId: Map<string, Store>; refreshing?: Promise<void> };
const directories = new WeakMap<Deps, Directory>();
const DIRECTORY_TTL_MS = 60_000;

async function readDirectory(deps: Deps): Promise<Directory> {
  const rows = await findAllStores(deps.db);
  const dir = { at: Date.now(), byId: new Map(rows.map((r) => [r.id, toStore(r)])) };
  directories.set(deps, dir);
  return dir;
}

async function storesById(deps: Deps, ids: string[]): Promise<Map<string, Store>> {
  let dir = directories.get(deps);
  if (!dir) dir = await readDirectory(deps);
  else if (Date.now() - dir.at > DIRECTORY_TTL_MS && !dir.refreshing) {
    const stale = dir;
    stale.refreshing = readDirectory(deps).then(
      () => undefined,
      () => { stale.refreshing = undefined; },
    );
  }
  const missing = ids.filter((id) => !dir.byId.has(id));
  for (const row of await findStoresByIds(deps.db, missing)) dir.byId.set(row.id, toStore(row));
  return dir.byId;
}

/**
 * The stores nearest a point (the caller's location is used for this query only: it is neither
 * stored nor logged). Redis GEOSEARCH in widening rings up to the radius; while Redis is down or
 * its index is missing, the same answer from MySQL: a bounding box on (lat, lng), exact distances.
 */
export async function findNearbyStores(deps: Deps, query: NearbyQuery): Promise<NearbyStore[]> {
  const radiusKm = query.radiusKm ?? DEFAULT_RADIUS_KM;
  const limit = query.limit ?? 10;
  // Redis's geo index covers latitudes up to ±85.05° (Web Mercator); no store stands beyond.
  if (Math.abs(query.lat) > 85) return nearbyFromMysql(deps, query, radiusKm, limit);
  const rings = [...RINGS_KM.filter((r) => r < radiusKm), radiusKm].map((r) => r * 1000);
  let found: { built: boolean; ids: string[] };
  try {
    found = await geoSearchRings(deps, query.type, query.lat, query.lng, rings, limit);
  } catch (err) {
    if (!isDependencyDown(err)) throw err;
    return nearbyFromMysql(deps, query, radiusKm, limit);
  }
  if (!found.built) {
    rebuildGeoIndexSoon(deps);
    return nearbyFromMysql(deps, query, radiusKm, limit);
  }
  const hits = found.ids;
  const byId = await storesById(deps, hits);
  // Distances from the stored coordinates (Redis's come from 52-bit geohashes, off by up to a
  // metre), so both paths answer the same numbers in the same order.
  return hits
    .flatMap((id) => {
      const s = byId.get(id);
      return s ? [{ ...s, distanceM: haversineM(query.lat, query.lng, s.lat, s.lng) }] : [];
    })
    .sort(byDistance)
    .map((s) => ({ ...s, distanceM: Math.round(s.distanceM) }));
}

const byDistance = (a: NearbyStore, b: NearbyStore) => a.distanceM - b.distanceM || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export async function nearbyFromMysql(deps: Deps, query: NearbyQuery, radiusKm: number, limit: number): Promise<NearbyStore[]> {
  const dLat = radiusKm / 111.0;
  const cos = Math.max(Math.cos((query.lat * Math.PI) / 180), 0.01);
  const dLng = Math.min(radiusKm / (111.32 * cos), 180);
  const rows = await findStoresInBox(deps.db, { minLat: query.lat - dLat, maxLat: query.lat + dLat, minLng: query.lng - dLng, maxLng: query.lng + dLng }, query.type);
  return rows
    .map((r) => ({ ...toStore(r), distanceM: haversineM(query.lat, query.lng, Number(r.lat), Number(r.lng)) }))
    .filter((s) => s.distanceM <= radiusKm * 1000)
    .sort(byDistance)
    .slice(0, limit)
    .map((s) => ({ ...s, distanceM: Math.round(s.distanceM) }));
}

export async function getStore(deps: Deps, id: string): Promise<Store & { regionPath: string }> {
  const row = await findStore(deps.db, id);
  if (!row) throw notFound('找不到该门店');
  return { ...toStore(row), regionPath: await regionPath(deps, row.region_code) };
}

/** Stores inside a region of any level (for a village: those serving it), paged by id. */
export async function listStores(
  deps: Deps, f: { region?: string; type?: StoreType; q?: string; cursor?: string; limit?: number },
): Promise<{ items: Store[]; nextCursor: string | null }> {
  const limit = f.limit ?? 20;
  const rows = await findStoresInRegion(deps.db, { region: f.region, type: f.type, q: f.q, after: f.cursor, limit: limit + 1 });
  const items = rows.slice(0, limit).map(toStore);
  return { items, nextCursor: rows.length > limit ? items[items.length - 1].id : null };
}
