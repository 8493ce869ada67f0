import { z, q, ListQuery, listOf } from '../../lib/http';
import { LEVELS } from './names';

const Code = z.string().regex(/^\d{2,12}$/, 'a region code: 2 to 12 digits');

export const ChildrenQuery = ListQuery.extend({ parent: Code.optional() }).strict();

/** A search text: 1 to 63 characters, not blank. */
export const SearchText = z
  .string()
  .trim()
  .refine((s) => s.length > 0, 'must not be empty')
  .refine((s) => Array.from(s).length < 64, 'must be shorter than 64 characters');

/** `region`, or `lat`+`lng` (GCJ-02): where the caller is, so nearby matches rank before far-away namesakes. */
export const SearchQuery = ListQuery.extend({
  q: SearchText,
  limit: q.int(1, 50).optional(),
  region: Code.optional(),
  lat: q.num(-90, 90).optional(),
  lng: q.num(-180, 180).optional(),
})
  .strict()
  .refine((v) => (v.lat === undefined) === (v.lng === undefined), { message: 'lat and lng go together' });

export const CodeParams = z.object({ code: Code }).strict();

export const Region = z
  .object({ code: z.string(), name: z.string(), level: z.enum(LEVELS), parentCode: z.string().nullable() })
  .openapi('Region');

export const RegionWithPath = Region.extend({ path: z.string() }).openapi('RegionWithPath');

export const RegionList = listOf(Region);
export const RegionSearchResult = listOf(RegionWithPath);
