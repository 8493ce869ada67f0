/** Price tiers of a group-buy: the more units joined, the lower the price. Pure rules, unit-tested. */
export type Tier = { minUnits: number; priceFen: number };

export type TierProblem = { path: string; message: string };

/**
 * Ascending minUnits, strictly falling prices, none above the SKU's price or below the floor (a
 * share of it, per category, so a group cannot hand a SKU out for 1 fen), none above maxUnits.
 */
export function tierProblems(tiers: Tier[], skuPriceFen: number, maxUnits: number, floorFen: number): TierProblem[] {
  const problems: TierProblem[] = [];
  tiers.forEach((t, i) => {
    if (t.priceFen > skuPriceFen) problems.push({ path: `body.tiers.${i}.priceFen`, message: `must not be above the SKU's price (${skuPriceFen})` });
    if (t.priceFen < floorFen) problems.push({ path: `body.tiers.${i}.priceFen`, message: `must not be below the price floor (${floorFen})` });
    if (t.minUnits > maxUnits) problems.push({ path: `body.tiers.${i}.minUnits`, message: 'must not be above maxUnits' });
    if (i > 0) {
      if (t.minUnits <= tiers[i - 1].minUnits) problems.push({ path: `body.tiers.${i}.minUnits`, message: 'tiers must have ascending minUnits' });
      if (t.priceFen >= tiers[i - 1].priceFen) problems.push({ path: `body.tiers.${i}.priceFen`, message: 'each tier must be cheaper than the one before' });
    }
  });
  return problems;
}

/** The tier the units reach (the highest whose minUnits they meet), or null below the lowest. */
export function reachedTier(tiers: Tier[], units: number): Tier | null {
  let reached: Tier | null = null;
  for (const t of tiers) if (units >= t.minUnits) reached = t;
  return reached;
}

export function nextTier(tiers: Tier[], units: number): Tier | null {
  return tiers.find((t) => t.minUnits > units) ?? null;
}
