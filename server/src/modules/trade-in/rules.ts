import { z } from '../../lib/http';
import { CATEGORY_DEFS, TRADE_IN_CATEGORIES, type TradeInCategory } from './categories';

/**
 * The pricing rules of one version, as stored in trade_in_rule_versions.rules and published by an
 * admin. Factors are basis points (10000 = ×100%). The refinements are what make the pricing's
 * promises hold for any published version: older, worse or broken never quotes higher.
 */
const Bps = z.number().int().min(0).max(10_000);
const Fen = z.number().int().min(0).max(10_000_000);

const CategoryRules = (category: TradeInCategory) => {
  const def = CATEGORY_DEFS[category];
  return z
    .object({
      /** Base value by size: the first band whose upTo is at least the size. */
      bands: z.array(z.object({ upTo: z.number().positive().max(10_000), baseFen: Fen }).strict()).min(1).max(50),
      /** Water heaters only: a factor per heater type (may exceed ×100%, up to ×200%). */
      variantBps: z.record(z.string().max(20), z.number().int().min(0).max(20_000)).optional(),
      floorFen: Fen,
      /** 以旧换新补贴 when buying a new appliance of the same category: fixedFen + amount × rateBps, at most capFen. */
      subsidy: z.object({ fixedFen: Fen, rateBps: Bps, capFen: Fen }).strict(),
      /**
       * The most a trade-in (value + subsidy) takes off new appliances of this category: a share of
       * their price and a fixed maximum. Optional only so versions published before it still parse.
       */
      creditCap: z.object({ maxBpsOfNewItem: Bps, maxFen: Fen }).strict().optional(),
    })
    .strict()
    .refine((r) => r.bands.every((b, i) => i === 0 || b.upTo > r.bands[i - 1].upTo), { message: 'bands must be in ascending upTo order', path: ['bands'] })
    .refine((r) => r.bands[r.bands.length - 1].upTo >= def.size.max, { message: `the last band must reach ${def.size.max} ${def.size.unit}`, path: ['bands'] })
    .refine((r) => !def.variant || def.variant.options.every((o) => r.variantBps?.[o.value] !== undefined), {
      message: `variantBps needs ${def.variant?.options.map((o) => o.value).join(', ')}`, path: ['variantBps'],
    });
};

const nonIncreasing = (xs: number[]) => xs.every((x, i) => i === 0 || x <= xs[i - 1]);

export const TradeInRules = z
  .object({
    /** The lowest tier (smallest factor) also prices any brand not listed. Brands match case- and space-insensitively. */
    brandTiers: z
      .array(z.object({ tier: z.string().min(1).max(20), label: z.string().min(1).max(40), factorBps: Bps, brands: z.array(z.string().min(1).max(40)).max(200) }).strict())
      .min(1)
      .max(10),
    /** Share of the base kept at each age in years (index = age); older than the list: its last entry. */
    depreciationBps: z.array(Bps).min(1).max(60),
    conditionBps: z.object({ excellent: Bps, good: Bps, fair: Bps, poor: Bps }).strict(),
    notWorkingBps: Bps,
    categories: z.object(Object.fromEntries(TRADE_IN_CATEGORIES.map((c) => [c, CategoryRules(c)])) as Record<TradeInCategory, ReturnType<typeof CategoryRules>>).strict(),
  })
  .strict()
  .refine((r) => nonIncreasing(r.depreciationBps), { message: 'depreciation must never rise with age', path: ['depreciationBps'] })
  .refine((r) => nonIncreasing([r.conditionBps.excellent, r.conditionBps.good, r.conditionBps.fair, r.conditionBps.poor]), {
    message: 'a worse condition must never be worth more (excellent ≥ good ≥ fair ≥ poor)', path: ['conditionBps'],
  })
  .openapi('TradeInRules');

export type TradeInRules = z.infer<typeof TradeInRules>;
export type CategoryRules = TradeInRules['categories'][TradeInCategory];
