import type { SeedStep } from './types';

/**
 * The Super New Product Season (超级新品季暨空调厨卫节): the real one opens on the next 21 February at
 * 00:00 Asia/Shanghai; a copy runs from now so the flow can be tried today.
 */
export function nextFebruary21(now = new Date()): Date {
  // 21 February 00:00 in Asia/Shanghai (UTC+8, no daylight saving) is 20 February 16:00 UTC.
  const year = now.getUTCFullYear();
  const opens = new Date(Date.UTC(year, 1, 20, 16, 0, 0));
  return opens.getTime() > now.getTime() ? opens : new Date(Date.UTC(year + 1, 1, 20, 16, 0, 0));
}

const KITCHEN_BATH = 'range_hood,gas_hob,integrated_stove,water_heater,dishwasher';

const templates = (prefix: string, scale: 'full' | 'test' | 'chain') => [
  { id: `${prefix}-AC300`, title: '空调 满3000减300', kind: 'threshold', thresholdFen: 300000, discountFen: 30000, categories: 'air_conditioner', total: scale === 'test' ? 50 : 1000, perUserLimit: 1, validDays: 30 },
  { id: `${prefix}-KB200`, title: '厨卫 满2000减200', kind: 'threshold', thresholdFen: 200000, discountFen: 20000, categories: KITCHEN_BATH, total: scale === 'test' ? 50 : 2000, perUserLimit: 2, validDays: 30 },
  { id: `${prefix}-AC100`, title: '空调 立减100', kind: 'direct', thresholdFen: 0, discountFen: 10000, categories: 'air_conditioner', total: scale === 'test' ? 50 : 500, perUserLimit: 1, validDays: 15 },
];

export const campaignsStep: SeedStep = {
  name: 'campaigns',
  async run({ db, progress, scale }) {
    const now = new Date();
    const opens = nextFebruary21(now);
    const campaigns = [
      { id: `NS-${opens.getUTCFullYear()}`, name: '超级新品季暨空调厨卫节', startsAt: opens, endsAt: new Date(opens.getTime() + 15 * 86_400_000), prefix: `NS${opens.getUTCFullYear()}` },
      { id: 'NS-NOW', name: '超级新品季暨空调厨卫节（体验场）', startsAt: new Date(now.getTime() - 3_600_000), endsAt: new Date(now.getTime() + 30 * 86_400_000), prefix: 'NSNOW' },
    ];
    let done = 0;
    for (const c of campaigns) {
      // INSERT IGNORE: seeding again keeps the dates and stock the campaign already has.
      await db.query('INSERT IGNORE INTO campaigns (id, name, starts_at, ends_at) VALUES (?, ?, ?, ?)', [c.id, c.name, c.startsAt, c.endsAt]);
      await db.query(
        'INSERT IGNORE INTO coupon_templates (id, campaign_id, title, kind, threshold_fen, discount_fen, categories, total, per_user_limit, valid_days) VALUES ?',
        [templates(c.prefix, scale).map((t) => [t.id, c.id, t.title, t.kind, t.thresholdFen, t.discountFen, t.categories, t.total, t.perUserLimit, t.validDays])],
      );
      progress('campaigns', ++done, campaigns.length);
    }
  },
};
