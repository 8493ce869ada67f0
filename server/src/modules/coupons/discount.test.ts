import fc from 'fast-check';
import { couponDiscount } from './discount';

const ac300 = { kind: 'threshold', thresholdFen: 300000, discountFen: 30000, categories: 'air_conditioner' };
const line = (category: string, unitPriceFen: number, units = 1) => ({ category, unitPriceFen, units });

describe('couponDiscount', () => {
  it('when the lines in scope reach the threshold, then the coupon takes its discount; below it, or out of scope, it does not apply', () => {
    expect(couponDiscount(ac300, [line('air_conditioner', 299900)])).toBeNull();
    expect(couponDiscount(ac300, [line('air_conditioner', 299900), line('tv', 499900)])).toBeNull();
    expect(couponDiscount(ac300, [line('air_conditioner', 150000, 2)])).toBe(30000);
    expect(couponDiscount(ac300, [line('tv', 900000)])).toBeNull();
  });

  it('when a direct coupon is worth more than the lines in scope, then it takes only what they cost', () => {
    expect(couponDiscount({ kind: 'direct', thresholdFen: 0, discountFen: 10000, categories: 'small_kitchen' }, [line('small_kitchen', 5900), line('tv', 99900)])).toBe(5900);
  });

  it('for any lines, the discount is null or between 1 fen and both the face value and the in-scope amount', () => {
    const categories = ['air_conditioner', 'tv', 'range_hood'];
    fc.assert(
      fc.property(
        fc.record({ kind: fc.constantFrom('threshold', 'direct'), thresholdFen: fc.integer({ min: 0, max: 1_000_000 }), discountFen: fc.integer({ min: 1, max: 100_000 }), categories: fc.subarray(categories, { minLength: 1 }).map((c) => c.join(',')) }),
        fc.array(fc.record({ category: fc.constantFrom(...categories), units: fc.integer({ min: 1, max: 5 }), unitPriceFen: fc.integer({ min: 1, max: 2_000_000 }) }), { maxLength: 5 }),
        (coupon, lines) => {
          const d = couponDiscount(coupon, lines);
          const inScope = lines.filter((l) => coupon.categories.split(',').includes(l.category)).reduce((n, l) => n + l.units * l.unitPriceFen, 0);
          if (d === null) return inScope === 0 || (coupon.kind === 'threshold' && inScope < coupon.thresholdFen);
          return Number.isInteger(d) && d >= 1 && d <= coupon.discountFen && d <= inScope;
        },
      ),
    );
  });
});
