import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Deps } from '../../lib/deps';
import { isDependencyDown } from '../../lib/errors';
import { luaCommand } from '../../lib/redis';
import { allStorePositions } from './repository';
import { STORE_TYPES } from './schemas';

/**
 * The stores' geo index in Redis (GEOADD lng lat id): one set of all stores and one per type.
 * Redis keeps nothing across a restart here, so the index is rebuilt from MySQL at start-up and
 * whenever a search finds it missing. The keys share the hash tag {stores:geo}, so the rebuild's
 * RENAMEs stay within one slot on a Redis Cluster too.
 */
export const GEO_KEY = '{stores:geo}';
export const geoKey = (type?: string) => (type ? `${GEO_KEY}:${type}` : GEO_KEY);
/**
 * Set when a rebuild completes, to the version of what it holds (a fingerprint of every store's id,
 * type and position): processes reload their own index when it changes. Its absence means the
 * index is missing (Redis restarted or was flushed).
 */
export const BUILT_KEY = `${GEO_KEY}:built`;
const LOCK_KEY = `${GEO_KEY}:rebuilding`;

/** Redis's own Earth radius for GEODIST/GEOSEARCH, so both paths agree to the metre. */
export const EARTH_RADIUS_M = 6372797.560856;

export function haversineM(lat1: number, lng1: number, lat2: number, lng2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLng = (lng2 - lng1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
}

const nearestScript = luaCommand<[number, string[]]>('nearestStores', 2, readFileSync(path.join(__dirname, 'nearest.lua'), 'utf8'));

/**
 * Store ids nearest first, at most `count`, searching the rings in turn until one holds `count`
 * (one round trip: a Lua script). `built` is false when the index is missing.
 */
export async function geoSearchRings(
  deps: Deps, type: string | undefined, lat: number, lng: number, radiiM: number[], count: number,
): Promise<{ built: boolean; ids: string[] }> {
  const out = await nearestScript(deps.redis, geoKey(type), BUILT_KEY, lng, lat, count, ...radiiM);
  return { built: out[0] === 1, ids: out[1] };
}

/** The version of the stores the Redis index holds; null when the index is missing. */
export async function geoIndexVersion(deps: Deps): Promise<string | null> {
  return deps.redis.get(BUILT_KEY);
}

function fingerprint(rows: { id: string; type: string; lat: string; lng: string }[]): string {
  const h = createHash('sha256');
  for (const r of [...rows].sort((a, b) => (a.id < b.id ? -1 : 1))) h.update(`${r.id},${r.type},${r.lat},${r.lng};`);
  return `${rows.length}:${h.digest('hex').slice(0, 16)}`;
}

const running = new WeakMap<Deps, Promise<boolean>>();

/**
 * Rebuilds the index from MySQL into fresh keys and swaps them in at once (MULTI of RENAMEs), so a
 * search never sees half an index. One rebuild per process at a time, and a Redis lock keeps
 * other processes from doing the same work meanwhile. Resolves whether this call rebuilt it.
 */
export function rebuildGeoIndex(deps: Deps): Promise<boolean> {
  const current = running.get(deps);
  if (current) return current;
  const p = (async () => {
    const token = `${process.pid}:${Date.now()}`;
    if ((await deps.redis.set(LOCK_KEY, token, 'PX', 60_000, 'NX')) !== 'OK') return false;
    try {
      const rows = await allStorePositions(deps.db);
      const staging = (type?: string) => `${geoKey(type)}:staging`;
      const keys: (string | undefined)[] = [undefined, ...STORE_TYPES];
      await deps.redis.del(...keys.map(staging));
      const filled = new Set<string | undefined>();
      for (let i = 0; i < rows.length; i += 2000) {
        const pipe = deps.redis.pipeline();
        const chunk = rows.slice(i, i + 2000);
        const byType = new Map<string | undefined, (string | number)[]>([[undefined, []]]);
        for (const r of chunk) {
          byType.get(undefined)!.push(Number(r.lng), Number(r.lat), r.id);
          if (!byType.has(r.type)) byType.set(r.type, []);
          byType.get(r.type)!.push(Number(r.lng), Number(r.lat), r.id);
        }
        for (const [type, args] of byType) {
          if (!args.length || (type !== undefined && !(STORE_TYPES as readonly string[]).includes(type))) continue;
          pipe.geoadd(staging(type), ...args);
          filled.add(type);
        }
        await pipe.exec();
      }
      const swap = deps.redis.multi();
      for (const type of keys) {
        if (filled.has(type)) swap.rename(staging(type), geoKey(type));
        else swap.del(geoKey(type));
      }
      swap.set(BUILT_KEY, fingerprint(rows));
      await swap.exec();
      deps.logger.info({ stores: rows.length }, 'stores geo index rebuilt');
      return true;
    } finally {
      await deps.redis
        .eval("if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0", 1, LOCK_KEY, token)
        .catch(() => undefined);
    }
  })().finally(() => running.delete(deps));
  running.set(deps, p);
  return p;
}

/** Starts a rebuild in the background (a search found the index missing); never throws. */
export function rebuildGeoIndexSoon(deps: Deps): void {
  rebuildGeoIndex(deps).catch((err) => {
    if (!isDependencyDown(err)) deps.logger.error({ err }, 'stores geo index rebuild failed');
  });
}
