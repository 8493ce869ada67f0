import type { Db } from '../../lib/db';
import { ancestorCodes, escapeLike } from './names';

export type RegionRow = { code: string; name: string; level: number; parent_code: string | null };

const COLUMNS = 'r.code, r.name, r.level, r.parent_code';

export async function findRegion(db: Db, code: string): Promise<RegionRow | null> {
  const [rows] = await db.query(`SELECT ${COLUMNS} FROM regions r WHERE r.code = ?`, [code]);
  return (rows as RegionRow[])[0] ?? null;
}

/** The children of a region in code order, after a code, at most `limit`; the provinces when parent is null. */
export async function findChildren(db: Db, parent: string | null, after: string | null, limit: number): Promise<RegionRow[]> {
  const [rows] = await db.query(
    `SELECT ${COLUMNS} FROM regions r WHERE ${parent === null ? 'r.parent_code IS NULL' : 'r.parent_code = ?'} AND r.code > ? ORDER BY r.code LIMIT ?`,
    [...(parent === null ? [] : [parent]), after ?? '', limit],
  );
  return rows as RegionRow[];
}

/** How many regions carry each of these bigrams (absent ones carry none). */
export async function gramCounts(db: Db, grams: string[]): Promise<Map<string, number>> {
  const [rows] = await db.query('SELECT gram, n FROM region_gram_counts WHERE gram IN (?)', [grams]);
  return new Map((rows as { gram: string; n: number }[]).map((r) => [r.gram, Number(r.n)]));
}

/**
 * Regions carrying a bigram whose name contains the text, in code order (a parent before its
 * children): the bigram's primary-key range drives the join, LIKE filters, LIMIT stops early.
 */
export async function findByGram(db: Db, gram: string, text: string, limit: number, within = ''): Promise<RegionRow[]> {
  // `within`: a code prefix (a province, city or county); on the (gram, region_code) key it is a range.
  const [rows] = await db.query(
    `SELECT ${COLUMNS} FROM region_grams g JOIN regions r ON r.code = g.region_code
     WHERE g.gram = ? AND g.region_code LIKE ? AND r.name LIKE ? ORDER BY g.region_code LIMIT ?`,
    [gram, `${within}%`, `%${escapeLike(text)}%`, limit],
  );
  return rows as RegionRow[];
}

/** Regions whose name starts with the text (one-character queries): the name prefix index. */
export async function findByNamePrefix(db: Db, text: string, limit: number, within = ''): Promise<RegionRow[]> {
  const [rows] = await db.query(`SELECT ${COLUMNS} FROM regions r WHERE r.name LIKE ? AND r.code LIKE ? ORDER BY r.code LIMIT ?`, [`${escapeLike(text)}%`, `${within}%`, limit]);
  return rows as RegionRow[];
}

/** Names of every ancestor of these regions, by code. */
export async function ancestorNames(db: Db, codes: string[]): Promise<Map<string, string>> {
  const wanted = [...new Set(codes.flatMap(ancestorCodes))];
  if (!wanted.length) return new Map();
  const [rows] = await db.query('SELECT code, name FROM regions WHERE code IN (?)', [wanted]);
  return new Map((rows as { code: string; name: string }[]).map((r) => [r.code, r.name]));
}
