import { z, q, listOf } from '../../lib/http';
import { SearchText } from '../regions/schemas';

export const STORE_TYPES = ['appliance', 'smart_kitchen'] as const;
export const SERVICES = ['delivery', 'installation', 'trade_in', 'after_sales_24h', 'haul_away'] as const;

export const NearbyQuery = z
  .object({
    lat: q.num(-90, 90),
    lng: q.num(-180, 180),
    radiusKm: z.coerce.number().gt(0).max(100).optional(),
    limit: q.int(1, 50).optional(),
    cursor: z.string().max(200).optional(),
    type: z.enum(STORE_TYPES).optional(),
  })
  .strict();

export const StoresQuery = z
  .object({
    region: z.string().regex(/^\d{2,12}$/, 'a region code: 2 to 12 digits').optional(),
    type: z.enum(STORE_TYPES).optional(),
    q: SearchText.optional(),
    cursor: z.string().max(32).optional(),
    limit: q.int(1, 50).optional(),
  })
  .strict()
  // The whole chain's list, phones and all, is not handed out in one sweep: a region or a name is needed.
  .refine((f) => f.region !== undefined || f.q !== undefined, { message: 'a region or q is required' });

export const StoreParams = z.object({ id: z.string().min(1).max(32) }).strict();

export const Store = z
  .object({
    id: z.string(),
    name: z.string(),
    type: z.enum(STORE_TYPES),
    regionCode: z.string(),
    address: z.string(),
    lat: z.number(),
    lng: z.number(),
    phone: z.string(),
    openHours: z.string(),
    services: z.array(z.enum(SERVICES)),
  })
  .openapi('Store');

export const NearbyStore = Store.extend({ distanceM: z.number().int() }).openapi('NearbyStore');
export const StoreDetail = Store.extend({ regionPath: z.string() }).openapi('StoreDetail');

export const NearbyResult = listOf(NearbyStore);
export const StoreList = listOf(Store);
