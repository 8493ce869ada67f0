import fc from 'fast-check';
import { nextTier, reachedTier, tierProblems } from './tiers';

const tiers = [
  { minUnits: 3, priceFen: 280000 },
  { minUnits: 5, priceFen: 260000 },
  { minUnits: 10, priceFen: 240000 },
];

describe('group-buy tiers', () => {
  it('when tiers ascend and prices fall below the SKU price, then there is no problem', () => {
    expect(tierProblems(tiers, 299900, 20, 1)).toEqual([]);
  });
  it('when a tier is out of order, dearer than the one before or above the SKU price, then its field is named', () => {
    expect(tierProblems([{ minUnits: 5, priceFen: 290000 }, { minUnits: 3, priceFen: 300000 }], 299900, 20, 1).map((p) => p.path)).toEqual([
      'body.tiers.1.priceFen', 'body.tiers.1.minUnits', 'body.tiers.1.priceFen',
    ]);
    expect(tierProblems([{ minUnits: 30, priceFen: 1 }], 10, 20, 1)[0].path).toBe('body.tiers.0.minUnits');
  });
  it('when a tier is priced below the floor, then its price is named; at the floor it is accepted', () => {
    expect(tierProblems([{ minUnits: 1, priceFen: 1 }], 299900, 20, 209930)).toEqual([{ path: 'body.tiers.0.priceFen', message: 'must not be below the price floor (209930)' }]);
    expect(tierProblems([{ minUnits: 1, priceFen: 209930 }], 299900, 20, 209930)).toEqual([]);
  });
  it('when units grow, then the reached tier never gets dearer', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 50 }), (a, b) => {
      const [lo, hi] = a <= b ? [a, b] : [b, a];
      const pl = reachedTier(tiers, lo)?.priceFen ?? Infinity;
      const ph = reachedTier(tiers, hi)?.priceFen ?? Infinity;
      return ph <= pl;
    }));
  });
  it('when below the lowest tier, then nothing is reached and the next tier is the lowest', () => {
    expect(reachedTier(tiers, 2)).toBeNull();
    expect(nextTier(tiers, 2)).toEqual(tiers[0]);
    expect(reachedTier(tiers, 7)).toEqual(tiers[1]);
    expect(nextTier(tiers, 10)).toBeNull();
  });
});
