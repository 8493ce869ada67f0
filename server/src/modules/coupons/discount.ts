/** The discount a coupon gives on an order's lines: only lines in its categories count. */
export function couponDiscount(c: { kind: string; thresholdFen: number; discountFen: number; categories: string }, lines: { category: string; units: number; unitPriceFen: number }[]): number | null {
  const scope = new Set(c.categories.split(','));
  const inScope = lines.filter((l) => scope.has(l.category)).reduce((n, l) => n + l.units * l.unitPriceFen, 0);
  if (inScope === 0) return null;
  if (c.kind === 'threshold' && inScope < c.thresholdFen) return null;
  return Math.min(c.discountFen, inScope);
}
