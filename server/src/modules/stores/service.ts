import type { Deps } from '../../lib/deps';
import { isDependencyDown, notFound } from '../../lib/errors';
import { regionPath } from '../regions/service';
import { geoIndexBuilt, geoSearch, haversineM, rebuildGeoIndexSoon } from './geo';
import { findStore, findStoresByIds, findStoresInBox, findStoresInRegion, type StoreRow } from './repository';
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
 * Store details by id, kept in the process: nearby search is the hot path and stores change
 * rarely. Entries older than a minute are read again.
 */
const directories = new WeakMap<Deps, { at: number; byId: Map<string, Store> }>();
const DIRECTORY_TTL_MS = 60_000;

async function storesById(deps: Deps, ids: string[]): Promise<Map<string, Store>> {
  let dir = directories.get(deps);
  if (!dir || Date.now() - dir.at > DIRECTORY_TTL_MS) directories.set(deps, (dir = { at: Date.now(), byId: new Map() }));
  const missing = ids.filter((id) => !dir!.byId.has(id));
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
  let hits: [string, number][];
  try {
    hits = await searchRings(deps, query, radiusKm, limit);
  } catch (err) {
    if (!isDependencyDown(err)) throw err;
    return nearbyFromMysql(deps, query, radiusKm, limit);
  }
  if (!hits.length) {
    // Nothing near, or no index: a rebuild may also have swapped the index in since the search.
    if (!(await geoIndexBuilt(deps).catch(() => false))) {
      rebuildGeoIndexSoon(deps);
      return nearbyFromMysql(deps, query, radiusKm, limit);
    }
    hits = await searchRings(deps, query, radiusKm, limit);
  }
  const byId = await storesById(deps, hits.map(([id]) => id));
  // Distances from the stored coordinates (Redis's come from 52-bit geohashes, off by up to a
  // metre), so both paths answer the same numbers in the same order.
  return hits
    .flatMap(([id]) => {
      const s = byId.get(id);
      return s ? [{ ...s, distanceM: haversineM(query.lat, query.lng, s.lat, s.lng) }] : [];
    })
    .sort(byDistance)
    .map((s) => ({ ...s, distanceM: Math.round(s.distanceM) }));
}

const byDistance = (a: NearbyStore, b: NearbyStore) => a.distanceM - b.distanceM || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

async function searchRings(deps: Deps, query: NearbyQuery, radiusKm: number, limit: number): Promise<[string, number][]> {
  const rings = [...RINGS_KM.filter((r) => r < radiusKm), radiusKm];
  let hits: [string, number][] = [];
  for (const r of rings) {
    hits = await geoSearch(deps, query.type, query.lat, query.lng, r * 1000, limit);
    if (hits.length >= limit) break;
  }
  return hits;
}

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
