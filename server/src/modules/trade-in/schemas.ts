import { z } from '../../lib/http';
import { CATEGORY_DEFS, CONDITIONS, MAX_AGE_YEARS, type SizeQuestion } from './categories';
import { TradeInRules } from './rules';

function sizeAnswer(q: SizeQuestion) {
  if (q.onlyOptions) {
    return z.number().refine((v) => q.options.includes(v), { message: `must be one of ${q.options.join(', ')} (${q.unit})` });
  }
  const n = z.number().min(q.min, `at least ${q.min} ${q.unit}`).max(q.max, `at most ${q.max} ${q.unit}`);
  return q.integer ? n.int() : n.multipleOf(0.5);
}

const common = {
  /** Any brand is accepted: an unknown one is priced at the lowest tier. */
  brand: z.string().trim().min(1).max(40),
  ageYears: z.number().int().min(0).max(MAX_AGE_YEARS),
  condition: z.enum(CONDITIONS),
  working: z.boolean(),
};

const d = CATEGORY_DEFS;

/** The quote's answers, strict per category: a size question of another category, or any unknown key, is 400. */
export const QuoteBody = z
  .discriminatedUnion('category', [
    z.object({ category: z.literal('air_conditioner'), ...common, horsepower: sizeAnswer(d.air_conditioner.size) }).strict(),
    z.object({ category: z.literal('refrigerator'), ...common, litres: sizeAnswer(d.refrigerator.size) }).strict(),
    z.object({ category: z.literal('washing_machine'), ...common, kg: sizeAnswer(d.washing_machine.size) }).strict(),
    z.object({ category: z.literal('tv'), ...common, inches: sizeAnswer(d.tv.size) }).strict(),
    z.object({ category: z.literal('water_heater'), ...common, litres: sizeAnswer(d.water_heater.size), heaterType: z.enum(['electric', 'gas']) }).strict(),
    z.object({ category: z.literal('range_hood'), ...common, airflow: sizeAnswer(d.range_hood.size) }).strict(),
    z.object({ category: z.literal('gas_hob'), ...common, burners: sizeAnswer(d.gas_hob.size) }).strict(),
  ])
  .openapi('TradeInQuoteBody');

export type QuoteAnswers = z.infer<typeof QuoteBody>;

const BreakdownLine = z.object({ rule: z.string(), label: z.string(), amountFen: z.number().int() });

export const Quote = z
  .object({
    id: z.string(),
    category: z.string(),
    categoryName: z.string(),
    answers: z.record(z.string(), z.unknown()),
    amountFen: z.number().int().min(0),
    subsidyFen: z.number().int().min(0),
    totalFen: z.number().int().min(0),
    breakdown: z.array(BreakdownLine),
    ruleVersion: z.number().int(),
    createdAt: z.string(),
    expiresAt: z.string(),
    status: z.enum(['valid', 'expired', 'used']),
    orderId: z.string().nullable(),
    inspection: z
      .object({ condition: z.enum(CONDITIONS), working: z.boolean(), finalFen: z.number().int(), breakdown: z.array(BreakdownLine), inspectedAt: z.string() })
      .nullable(),
  })
  .openapi('TradeInQuote');

export const QuoteParams = z.object({ id: z.string().min(1).max(40) }).strict();

export const PublishRulesBody = TradeInRules;

export const PublishedRules = z.object({ version: z.number().int(), publishedAt: z.string(), publishedBy: z.string().nullable(), rules: TradeInRules }).openapi('TradeInRuleVersion');
