/**
 * How a region's name is indexed for search. MariaDB has no n-gram full-text parser, so every two
 * consecutive characters of a name go into region_grams; a query looks up its rarest bigram there
 * and the candidates are then filtered with LIKE on the full name.
 */
export const LEVELS = ['province', 'city', 'county', 'town', 'village'] as const;
export type Level = (typeof LEVELS)[number];

/** Region code length per level: codes nest by prefix. */
export const CODE_LENGTHS = [2, 4, 6, 9, 12] as const;

export const levelName = (n: number): Level => LEVELS[n - 1];
export const levelOfCode = (code: string): number => CODE_LENGTHS.indexOf(code.length as (typeof CODE_LENGTHS)[number]) + 1;

/** The codes of a region's ancestors, province first (codes nest by prefix). */
export function ancestorCodes(code: string): string[] {
  return CODE_LENGTHS.filter((n) => n < code.length).map((n) => code.slice(0, n));
}

const VILLAGE_COMMITTEE = /(村民委员会|村委会)$/u;
const RESIDENTS_COMMITTEE = /(居民委员会|居委会|委员会|委会)$/u;

/**
 * The part of a village's name people search by, without the committee's generic ending:
 * 白庙村民委员会 → 白庙村, 臧村村民委员会 → 臧村, 多福巷社区居委会 → 多福巷社区.
 */
export function searchStem(name: string, level: number): string {
  if (level !== 5) return name;
  if (VILLAGE_COMMITTEE.test(name)) {
    const rest = name.replace(VILLAGE_COMMITTEE, '');
    return rest.endsWith('村') ? rest : `${rest}村`;
  }
  return name.replace(RESIDENTS_COMMITTEE, '');
}

/** The distinct bigrams (by code point) of a text. */
export function bigrams(text: string): string[] {
  const chars = Array.from(text);
  const out = new Set<string>();
  for (let i = 0; i + 1 < chars.length; i++) out.add(chars[i] + chars[i + 1]);
  return [...out];
}

/** Escapes LIKE's wildcards so a query matches literally. */
export const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);
