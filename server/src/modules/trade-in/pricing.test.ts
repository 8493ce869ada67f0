import fc from 'fast-check';
import { RULES_V1 } from '../../../../prisma/seed/trade-in';
import { CATEGORY_DEFS, CONDITIONS, TRADE_IN_CATEGORIES, type TradeInCategory } from './categories';
import { brandTier, priceTradeIn } from './pricing';
import { TradeInRules } from './rules';
import { QuoteBody, type QuoteAnswers } from './schemas';

const PARTNER_BRANDS = ['格力', 'Gree', '美的', '海尔', '海信', 'TCL', '康佳', '松下', '苏泊尔', '奥克斯', '博西家电', '华帝', '帅康', '长虹·美菱', 'LG', '方太', '能率'];

function sizeArb(category: TradeInCategory): fc.Arbitrary<number> {
  const q = CATEGORY_DEFS[category].size;
  if (q.onlyOptions) return fc.constantFrom(...q.options);
  if (q.integer) return fc.integer({ min: q.min, max: q.max });
  return fc.integer({ min: q.min * 2, max: q.max * 2 }).map((n) => n / 2);
}

const answersArb: fc.Arbitrary<QuoteAnswers> = fc.constantFrom(...TRADE_IN_CATEGORIES).chain((category) =>
  fc
    .record({
      brand: fc.oneof(fc.constantFrom(...PARTNER_BRANDS), fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s.trim().length > 0)),
      ageYears: fc.integer({ min: 0, max: 40 }),
      condition: fc.constantFrom(...CONDITIONS),
      working: fc.boolean(),
      size: sizeArb(category),
      heaterType: fc.constantFrom('electric' as const, 'gas' as const),
    })
    .map(({ size, heaterType, ...rest }) => {
      const answers: Record<string, unknown> = { category, ...rest, [CATEGORY_DEFS[category].size.id]: size };
      if (category === 'water_heater') answers.heaterType = heaterType;
      return QuoteBody.parse(answers);
    }),
);

const bps = fc.integer({ min: 0, max: 10_000 });
const descending = (n: { minLength: number; maxLength: number }) => fc.array(bps, n).map((xs) => [...xs].sort((a, b) => b - a));

/** Any rule version an admin could publish (it passes the same schema). */
const rulesArb: fc.Arbitrary<TradeInRules> = fc
  .record({
    tiers: fc.array(bps, { minLength: 1, maxLength: 4 }),
    depreciationBps: descending({ minLength: 1, maxLength: 30 }),
    cond: descending({ minLength: 4, maxLength: 4 }),
    notWorkingBps: bps,
    cats: fc.tuple(
      ...TRADE_IN_CATEGORIES.map(() =>
        fc.record({
          cuts: fc.uniqueArray(fc.integer({ min: 1, max: 200 }), { maxLength: 5 }),
          bases: fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 6, maxLength: 6 }),
          floorFen: fc.integer({ min: 0, max: 50_000 }),
          fixedFen: fc.integer({ min: 0, max: 100_000 }),
          rateBps: bps,
          capFen: fc.integer({ min: 0, max: 100_000 }),
          electric: fc.integer({ min: 0, max: 20_000 }),
          gas: fc.integer({ min: 0, max: 20_000 }),
        }),
      ),
    ),
  })
  .map(({ tiers, depreciationBps, cond, notWorkingBps, cats }) =>
    TradeInRules.parse({
      brandTiers: tiers.map((factorBps, i) => ({ tier: `T${i}`, label: `档${i}`, factorBps, brands: i === 0 ? ['格力', 'Gree', '美的'] : i === 1 ? ['海信', 'TCL'] : [] })),
      depreciationBps,
      conditionBps: { excellent: cond[0], good: cond[1], fair: cond[2], poor: cond[3] },
      notWorkingBps,
      categories: Object.fromEntries(
        TRADE_IN_CATEGORIES.map((c, i) => {
          const r = cats[i];
          const max = CATEGORY_DEFS[c].size.max;
          const upTos = [...r.cuts.filter((x) => x < max).sort((a, b) => a - b), max];
          return [c, {
            bands: upTos.map((upTo, k) => ({ upTo, baseFen: r.bases[k] })),
            floorFen: r.floorFen,
            subsidy: { fixedFen: r.fixedFen, rateBps: r.rateBps, capFen: r.capFen },
            ...(c === 'water_heater' ? { variantBps: { electric: r.electric, gas: r.gas } } : {}),
          }];
        }),
      ),
    }),
  );

const rulesOrV1 = fc.oneof(fc.constant(TradeInRules.parse(RULES_V1)), rulesArb);
const worse = { excellent: 0, good: 1, fair: 2, poor: 3 } as const;

describe('trade-in pricing (property tests)', () => {
  it('when any answers are priced under any valid rules, then the quote is a non-negative integer and the breakdown adds up to it', () => {
    fc.assert(
      fc.property(rulesOrV1, answersArb, (rules, a) => {
        const p = priceTradeIn(rules, a);
        for (const v of [p.amountFen, p.subsidyFen, p.totalFen]) expect(Number.isSafeInteger(v) && v >= 0).toBe(true);
        expect(p.totalFen).toBe(p.amountFen + p.subsidyFen);
        expect(p.breakdown.reduce((n, l) => n + l.amountFen, 0)).toBe(p.totalFen);
        expect(p.breakdown.every((l) => Number.isInteger(l.amountFen))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('when the appliance is older, then it never quotes higher', () => {
    fc.assert(
      fc.property(rulesOrV1, answersArb, fc.integer({ min: 0, max: 40 }), (rules, a, extra) => {
        const older = { ...a, ageYears: Math.min(40, a.ageYears + extra) };
        const p = priceTradeIn(rules, a);
        const q = priceTradeIn(rules, older);
        expect(q.amountFen).toBeLessThanOrEqual(p.amountFen);
        expect(q.totalFen).toBeLessThanOrEqual(p.totalFen);
      }),
      { numRuns: 500 },
    );
  });

  it('when the condition is worse, then it never quotes higher', () => {
    fc.assert(
      fc.property(rulesOrV1, answersArb, fc.constantFrom(...CONDITIONS), (rules, a, other) => {
        const [better, worseOne] = worse[a.condition] <= worse[other] ? [a.condition, other] : [other, a.condition];
        const p = priceTradeIn(rules, { ...a, condition: better });
        const q = priceTradeIn(rules, { ...a, condition: worseOne });
        expect(q.totalFen).toBeLessThanOrEqual(p.totalFen);
        expect(q.amountFen).toBeLessThanOrEqual(p.amountFen);
      }),
      { numRuns: 500 },
    );
  });

  it('when it does not work, then it never quotes higher than working', () => {
    fc.assert(
      fc.property(rulesOrV1, answersArb, (rules, a) => {
        expect(priceTradeIn(rules, { ...a, working: false }).totalFen).toBeLessThanOrEqual(priceTradeIn(rules, { ...a, working: true }).totalFen);
      }),
      { numRuns: 500 },
    );
  });

  it('when the same answers are priced again under the same version (even after a JSON round trip), then the quote is identical', () => {
    fc.assert(
      fc.property(rulesOrV1, answersArb, (rules, a) => {
        const again = priceTradeIn(JSON.parse(JSON.stringify(rules)), JSON.parse(JSON.stringify(a)));
        expect(again).toEqual(priceTradeIn(rules, a));
      }),
      { numRuns: 300 },
    );
  });

  it('when the brand is not listed, then it is priced at the lowest tier', () => {
    fc.assert(
      fc.property(rulesOrV1, answersArb, (rules, a) => {
        const lowest = rules.brandTiers.reduce((low, t) => (t.factorBps < low.factorBps ? t : low));
        expect(brandTier(rules, `无名牌-${a.brand}-xyz`)).toBe(lowest);
      }),
    );
  });
});

describe('trade-in pricing (version 1)', () => {
  const v1 = TradeInRules.parse(RULES_V1);

  it('when an 8-year-old working 1.5匹 Gree air conditioner in good condition is priced, then each rule shows what it did', () => {
    const p = priceTradeIn(v1, QuoteBody.parse({ category: 'air_conditioner', brand: '格力', ageYears: 8, condition: 'good', working: true, horsepower: 1.5 }));
    expect(p.breakdown.map((l) => [l.rule, l.amountFen])).toEqual([
      ['base', 80_000], ['brand', 0], ['age', -51_200], ['condition', -4_320], ['working', 0], ['floor', 0], ['subsidy', 24_896],
    ]);
    expect(p).toMatchObject({ amountFen: 24_480, subsidyFen: 24_896, totalFen: 49_376 });
  });

  it('when the brand is written in English or with spaces, then it matches its tier; an unknown brand gets the lowest', () => {
    expect(brandTier(v1, ' gree ').tier).toBe('A');
    expect(brandTier(v1, '长虹 美菱').tier).toBe('B');
    expect(brandTier(v1, '杂牌').tier).toBe('C');
  });

  it('when a very old broken unit is priced, then the floor holds it up', () => {
    const p = priceTradeIn(v1, QuoteBody.parse({ category: 'gas_hob', brand: '杂牌', ageYears: 30, condition: 'poor', working: false, burners: 1 }));
    expect(p.amountFen).toBe(1_000);
    expect(p.breakdown.find((l) => l.rule === 'floor')!.amountFen).toBeGreaterThan(0);
  });

  it('when rules would let an older or worse unit be worth more, then they do not validate', () => {
    const rising = TradeInRules.safeParse({ ...RULES_V1, depreciationBps: [9_000, 9_500] });
    expect(rising.success).toBe(false);
    const cond = TradeInRules.safeParse({ ...RULES_V1, conditionBps: { excellent: 9_000, good: 9_500, fair: 5_000, poor: 1_000 } });
    expect(cond.success).toBe(false);
    const short = TradeInRules.safeParse({ ...RULES_V1, categories: { ...RULES_V1.categories, tv: { ...RULES_V1.categories.tv, bands: [{ upTo: 50, baseFen: 1 }] } } });
    expect(short.success).toBe(false);
  });
});
