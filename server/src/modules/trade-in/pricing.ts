import { CATEGORY_DEFS, CONDITION_LABELS, categoryName } from './categories';
import type { TradeInRules } from './rules';
import type { QuoteAnswers } from './schemas';

/**
 * The price of an old appliance: a pure function of one rule version and the answers, in integer
 * fen. Each step multiplies by a factor in basis points and rounds down, so the same answers under
 * the same version always give the same quote, on any machine. Every line of the breakdown is what
 * one rule did; the lines add up to the total.
 */
export type BreakdownLine = { rule: string; label: string; amountFen: number };
export type Pricing = { amountFen: number; subsidyFen: number; totalFen: number; breakdown: BreakdownLine[] };

const applyBps = (fen: number, bps: number) => Math.floor((fen * bps) / 10_000);
const pct = (bps: number) => `${Number((bps / 100).toFixed(2))}%`;

const normalise = (brand: string) => brand.normalize('NFKC').toLowerCase().replace(/[\s·・.\-_]/g, '');

/** The tier of a brand; any brand not listed gets the lowest tier. */
export function brandTier(rules: TradeInRules, brand: string): TradeInRules['brandTiers'][number] {
  const wanted = normalise(brand);
  const listed = rules.brandTiers.find((t) => t.brands.some((b) => normalise(b) === wanted));
  if (listed) return listed;
  return rules.brandTiers.reduce((low, t) => (t.factorBps < low.factorBps ? t : low));
}

export function sizeOf(answers: QuoteAnswers): number {
  return (answers as Record<string, unknown>)[CATEGORY_DEFS[answers.category].size.id] as number;
}

export function priceTradeIn(rules: TradeInRules, answers: QuoteAnswers): Pricing {
  const def = CATEGORY_DEFS[answers.category];
  const cat = rules.categories[answers.category];
  const size = sizeOf(answers);
  const lines: BreakdownLine[] = [];
  const step = (rule: string, label: string, next: number, prev: number) => {
    lines.push({ rule, label, amountFen: next - prev });
    return next;
  };

  // The schema guarantees the last band reaches the question's maximum; a size beyond it (impossible after validation) takes the last band.
  const band = cat.bands.find((b) => size <= b.upTo) ?? cat.bands[cat.bands.length - 1];
  let fen = step('base', `基础价：${size}${def.size.unit}${categoryName(answers.category)}`, band.baseFen, 0);

  if (def.variant && answers.category === 'water_heater') {
    const bps = cat.variantBps?.[answers.heaterType] ?? 10_000;
    const label = def.variant.options.find((o) => o.value === answers.heaterType)?.label ?? answers.heaterType;
    fen = step('variant', `${label} ×${pct(bps)}`, applyBps(fen, bps), fen);
  }

  const tier = brandTier(rules, answers.brand);
  fen = step('brand', `品牌：${answers.brand}（${tier.label} ×${pct(tier.factorBps)}）`, applyBps(fen, tier.factorBps), fen);

  const kept = rules.depreciationBps[Math.min(answers.ageYears, rules.depreciationBps.length - 1)];
  fen = step('age', `使用${answers.ageYears}年折旧（保留 ${pct(kept)}）`, applyBps(fen, kept), fen);

  const cond = rules.conditionBps[answers.condition];
  fen = step('condition', `成色：${CONDITION_LABELS[answers.condition].label}（×${pct(cond)}）`, applyBps(fen, cond), fen);

  fen = answers.working
    ? step('working', '能正常使用', fen, fen)
    : step('working', `不能正常使用（×${pct(rules.notWorkingBps)}）`, applyBps(fen, rules.notWorkingBps), fen);

  const amountFen = step('floor', fen < cat.floorFen ? '最低回收价保底' : '最低回收价（未触发）', Math.max(fen, cat.floorFen), fen);

  const subsidyFen = Math.min(cat.subsidy.capFen, cat.subsidy.fixedFen + applyBps(amountFen, cat.subsidy.rateBps));
  lines.push({ rule: 'subsidy', label: `以旧换新补贴（购买新${categoryName(answers.category)}时，最高${cat.subsidy.capFen / 100}元）`, amountFen: subsidyFen });

  return { amountFen, subsidyFen, totalFen: amountFen + subsidyFen, breakdown: lines };
}
