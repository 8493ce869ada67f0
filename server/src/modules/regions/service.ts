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

export async function searchRegions(deps: Deps, text: string, page: { cursor?: string; limit?: number }): Promise<Page<RegionWithPath>> {
  const position = rankCursor.position(page.cursor);
  const limit = page.limit ?? DEFAULT_LIMIT;
  const rows = position >= MAX_SEARCH_RESULTS ? [] : await findMatches(deps, text, Math.min(position + limit + 1, MAX_SEARCH_RESULTS + 1));
  const { items, nextCursor } = rankCursor.page(rows, position, limit, MAX_SEARCH_RESULTS);
  return { items: await withPaths(deps, items), nextCursor };
}

async function findMatches(deps: Deps, text: string, limit: number): Promise<RegionRow[]> {
  // A query may carry a village committee's suffix (臧村村民委员会): look its stem's bigrams up.
  const stem = searchStem(text, 5);
  const grams = bigrams(Array.from(stem).length >= 2 ? stem : text);
  let rows: RegionRow[];
  if (!grams.length) {
    rows = await findByNamePrefix(deps.db, text, limit);
  } else {
    const counts = await gramCounts(deps.db, grams);
    const known = grams.filter((g) => counts.has(g)).sort((a, b) => counts.get(a)! - counts.get(b)!);
    if (!known.length) return [];
    rows = await findByGram(deps.db, known[0], text, limit);
  }
  return rows;
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
