import type { Deps } from '../../lib/deps';
import { isDependencyDown, notFound } from '../../lib/errors';
import { consumeRateLimit } from '../../lib/rate-limit';
import { DEFAULT_LIMIT, pageOf, rankCursor, type Page } from '../../lib/http';
import { ancestorCodes, bigrams, levelName, searchStem } from './names';
import { ancestorNames, findByGram, findByNamePrefix, findChildren, findRegion, gramCounts, type RegionRow } from './repository';

export type Region = { code: string; name: string; level: ReturnType<typeof levelName>; parentCode: string | null };
export type RegionWithPath = Region & { path: string };

const toRegion = (r: RegionRow): Region => ({ code: r.code, name: r.name, level: levelName(Number(r.level)), parentCode: r.parent_code });

/** 河北省/保定市/清苑区/臧村镇/臧村村民委员会 */
async function withPaths(deps: Deps, rows: RegionRow[]): Promise<RegionWithPath[]> {
  const names = await ancestorNames(deps.db, rows.map((r) => r.code));
  return rows.map((r) => ({
    ...toRegion(r),
    path: [...ancestorCodes(r.code).map((c) => names.get(c)).filter(Boolean), r.name].join('/'),
  }));
}

export async function listChildRegions(deps: Deps, parent: string | undefined, page: { cursor?: string; limit?: number }): Promise<Page<Region>> {
  if (parent !== undefined && !(await findRegion(deps.db, parent))) throw notFound('找不到该地区');
  const limit = page.limit ?? DEFAULT_LIMIT;
  const rows = await findChildren(deps.db, parent ?? null, page.cursor ?? null, limit + 1);
  const { items, nextCursor } = pageOf(rows, limit, (r) => r.code);
  return { items: items.map(toRegion), nextCursor };
}

export async function getRegion(deps: Deps, code: string): Promise<RegionWithPath> {
  const row = await findRegion(deps.db, code);
  if (!row) throw notFound('找不到该地区');
  return (await withPaths(deps, [row]))[0];
}

/** The path of a region as names, e.g. for a store's town. */
export async function regionPath(deps: Deps, code: string): Promise<string> {
  const row = await findRegion(deps.db, code);
  if (!row) return '';
  return (await withPaths(deps, [row]))[0].path;
}

/**
 * Finds regions by any part of their name. Two or more characters: the query's rarest bigram
 * that the index knows (a bigram it does not know may straddle a village's stripped committee
 * suffix) picks the candidates, and LIKE on the full name keeps the real matches. One character:
 * the name's prefix index.
 */
/** Matches beyond this many are not paged to: a search that needs more needs more words. */
const MAX_SEARCH_RESULTS = 200;

/**
 * Finds regions by any part of their name, ranked: when the caller's place is known (`near`, a
 * region code of any level), matches in its county come first, then its city, then its province,
 * then the rest of China, each in code order; otherwise code order. Two or more characters: the
 * query's rarest bigram that the index knows (a bigram it does not know may straddle a village's
 * stripped committee suffix) picks the candidates within each scope, and LIKE on the full name
 * keeps the real matches. One character: the name's prefix index.
 */
export async function searchRegions(deps: Deps, text: string, page: { cursor?: string; limit?: number; near?: string }): Promise<Page<RegionWithPath>> {
  const position = rankCursor.position(page.cursor);
  const limit = page.limit ?? DEFAULT_LIMIT;
  const wanted = Math.min(position + limit + 1, MAX_SEARCH_RESULTS + 1);
  const rows = position >= MAX_SEARCH_RESULTS ? [] : await findRanked(deps, text, wanted, page.near);
  const { items, nextCursor } = rankCursor.page(rows, position, limit, MAX_SEARCH_RESULTS);
  return { items: await withPaths(deps, items), nextCursor };
}

async function findRanked(deps: Deps, text: string, wanted: number, near: string | undefined): Promise<RegionRow[]> {
  const stem = searchStem(text, 5);
  const grams = bigrams(Array.from(stem).length >= 2 ? stem : text);
  let find: (limit: number, within: string) => Promise<RegionRow[]>;
  if (!grams.length) {
    find = (limit, within) => findByNamePrefix(deps.db, text, limit, within);
  } else {
    const counts = await gramCounts(deps.db, grams);
    const known = grams.filter((g) => counts.has(g)).sort((a, b) => counts.get(a)! - counts.get(b)!);
    if (!known.length) return [];
    find = (limit, within) => findByGram(deps.db, known[0], text, limit, within);
  }
  // County, city, province of the caller's place, then everywhere: each scope adds what the narrower ones did not have.
  const scopes = near ? [...new Set([near.slice(0, 6), near.slice(0, 4), near.slice(0, 2)].filter((c) => c.length >= 2)), ''] : [''];
  const ranked = new Map<string, RegionRow>();
  for (const within of scopes) {
    if (ranked.size >= wanted) break;
    // A wider scope repeats the narrower ones' rows first (code order): read past them.
    for (const r of await find(wanted + ranked.size, within)) if (ranked.size < wanted && !ranked.has(r.code)) ranked.set(r.code, r);
  }
  return [...ranked.values()];
}

/**
 * Counts a search against the per-address limit. Search is answered from MySQL, so while Redis
 * (which keeps the counters) is down it is not refused for that alone.
 */
export async function limitSearch(deps: Deps, ip: string): Promise<void> {
  try {
    await consumeRateLimit(deps, 'search', ip);
  } catch (err) {
    if (!isDependencyDown(err)) throw err;
  }
}
