import type { Deps } from '../../lib/deps';
import { isDependencyDown, notFound } from '../../lib/errors';
import { regionPath } from '../regions/service';
import { rankCursor, type Page } from '../../lib/http';
import { geoIndexVersion, geoSearchRings, haversineM, rebuildGeoIndexSoon } from './geo';
import { NearestIndex } from './nearest';
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
 * Every store, kept in the process with a spatial index over them (nearest.ts): the nearest-store
 * search is the hot path and stores change rarely. The directory is read again when the geo index's
 * version in Redis changes (checked once a second, by the requests themselves) and in any case once it
 * is a minute old; a store not in it yet is read at once. Before the first read completes, and
 * while it fails, the search goes to Redis GEOSEARCH and then to MySQL as before.
 */
type Directory = { at: number; version: string | null; byId: Map<string, Store>; index: NearestIndex<Store>; refreshing?: Promise<void>; checkedAt: number };
const directories = new WeakMap<Deps, Directory>();
const loading = new WeakMap<Deps, Promise<Directory>>();
const DIRECTORY_TTL_MS = 60_000;
const VERSION_CHECK_MS = 1_000;

function readDirectory(deps: Deps): Promise<Directory> {
  const running = loading.get(deps);
  if (running) return running;
  const p = (async () => {
    const version = await geoIndexVersion(deps).catch(() => undefined);
    if (version === null) rebuildGeoIndexSoon(deps);
    const stores = (await findAllStores(deps.db)).map(toStore);
    const dir: Directory = { at: Date.now(), checkedAt: Date.now(), version: version ?? null, byId: new Map(stores.map((st) => [st.id, st])), index: new NearestIndex(stores) };
    directories.set(deps, dir);
    return dir;
  })().finally(() => loading.delete(deps));
  loading.set(deps, p);
  return p;
}

/** Keeps the directory current without making a request wait: a stale one answers meanwhile. */
function refreshIfStale(deps: Deps, dir: Directory): void {
  const now = Date.now();
  if (dir.refreshing) return;
  const reread = () => {
    dir.refreshing = readDirectory(deps).then(
      () => undefined,
      () => { dir.refreshing = undefined; },
    );
  };
  if (now - dir.at > DIRECTORY_TTL_MS) return reread();
  if (now - dir.checkedAt < VERSION_CHECK_MS) return;
  dir.checkedAt = now;
  void geoIndexVersion(deps).then(
    (version) => {
      // No version: Redis restarted or was flushed; rebuild its index (the shared source) from MySQL.
      if (version === null) rebuildGeoIndexSoon(deps);
      else if (version !== dir.version && !dir.refreshing) reread();
    },
    () => undefined,
  );
}

async function storesById(deps: Deps, ids: string[]): Promise<Map<string, Store>> {
  let dir = directories.get(deps);
  if (!dir) dir = await readDirectory(deps);
  else refreshIfStale(deps, dir);
  const missing = ids.filter((id) => !dir.byId.has(id));
  for (const row of await findStoresByIds(deps.db, missing)) dir.byId.set(row.id, toStore(row));
  return dir.byId;
}

/** Where a point is, as a region: the town of the nearest store within 50 km (regions carry no coordinates). */
export async function regionNear(deps: Deps, lat: number, lng: number): Promise<string | undefined> {
  return (await findNearbyStores(deps, { lat, lng, radiusKm: 50, limit: 1 }))[0]?.regionCode;
}

/** Nearest first is a rank: pages go by position, down to the 100th store of the radius. */
const MAX_NEARBY = 100;

/** A page of the stores nearest a point (API.md: default 10 a page, at most 50). */
export async function nearbyStoresPage(deps: Deps, query: NearbyQuery & { cursor?: string }): Promise<Page<NearbyStore>> {
  const position = rankCursor.position(query.cursor);
  const limit = query.limit ?? 10;
  const ranked = position >= MAX_NEARBY ? [] : await findNearbyStores(deps, { ...query, limit: Math.min(position + limit + 1, MAX_NEARBY + 1) });
  return rankCursor.page(ranked, position, limit, MAX_NEARBY);
}

/**
 * The stores nearest a point (the caller's location is used for this query only: it is neither
 * stored nor logged). From the process's index when it is loaded; otherwise Redis GEOSEARCH in
 * widening rings up to the radius, and while Redis is down or its index is missing, the same
 * answer from MySQL: a bounding box on (lat, lng), exact distances.
 */
export async function findNearbyStores(deps: Deps, query: NearbyQuery): Promise<NearbyStore[]> {
  const radiusKm = query.radiusKm ?? DEFAULT_RADIUS_KM;
  const limit = query.limit ?? 10;
  const dir = directories.get(deps);
  if (dir) {
    refreshIfStale(deps, dir);
    return dir.index.nearest(query.lat, query.lng, radiusKm * 1000, limit, query.type).map((s) => ({ ...s, distanceM: Math.round(s.distanceM) }));
  }
  // The first search of the process loads the directory for the next ones.
  void readDirectory(deps).catch(() => undefined);
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
  // metre), so every path answers the same numbers in the same order.
  return hits
    .flatMap((id) => {
      const st = byId.get(id);
      return st ? [{ ...st, distanceM: haversineM(query.lat, query.lng, st.lat, st.lng) }] : [];
    })
    .sort(byDistance)
    .map((st) => ({ ...st, distanceM: Math.round(st.distanceM) }));
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
