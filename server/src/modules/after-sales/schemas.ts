import { z, ListQuery } from '../../lib/http';
import { CATEGORY_IDS } from '../catalogue/categories';

const Id = z.string().min(1).max(40);
const Time = z.string();

export const IdParams = z.object({ id: Id }).strict();

// 我的家电

export const AddApplianceBody = z
  .object({
    category: z.enum(CATEGORY_IDS),
    brand: z.string().trim().min(1).max(40),
    ageYears: z.number().int().min(0).max(40),
    model: z.string().trim().min(1).max(100).nullable().optional(),
    /** The store whose call list gets its upkeep reminders (optional for one bought elsewhere). */
    storeId: Id.nullable().optional(),
  })
  .strict()
  .openapi('AddApplianceBody');

export const Appliance = z
  .object({
    id: z.string(),
    category: z.string(),
    categoryName: z.string(),
    brand: z.string(),
    name: z.string(),
    model: z.string().nullable(),
    serialNumber: z.string().nullable(),
    source: z.enum(['order', 'self']),
    orderId: z.string().nullable(),
    storeId: z.string().nullable(),
    installedAt: Time,
    ageYears: z.number().int(),
    warrantyUntil: Time.nullable(),
    inWarranty: z.boolean(),
    nextMaintenanceAt: Time.nullable(),
    typicalLifeYears: z.number().nullable(),
    replacement: z
      .object({
        suggested: z.boolean(),
        tradeInPrefill: z.object({ category: z.string(), brand: z.string(), ageYears: z.number().int() }).nullable(),
      })
      .nullable(),
  })
  .openapi('Appliance');

export const ApplianceList = z.object({ items: z.array(Appliance), nextCursor: z.string().nullable() });

export { ListQuery };
