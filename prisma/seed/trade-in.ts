import type { SeedStep } from './types';
import { TradeInRules } from '../../server/src/modules/trade-in/rules';

/**
 * Trade-in pricing rules, version 1 (amounts in fen, factors in basis points). The credit cap of
 * each category: at most 30% of the new appliance's price, and a fixed maximum (¥2,000 for an air
 * conditioner, like the national trade-in subsidy's per-item cap), whatever the old unit was quoted. An admin publishes
 * later versions through POST /api/v1/admin/trade-in/rules; quotes keep the version they were made with.
 */
export const RULES_V1: TradeInRules = {
  brandTiers: [
    { tier: 'A', label: '一线品牌', factorBps: 10_000, brands: ['格力', 'Gree', '美的', 'Midea', '海尔', 'Haier', '方太', 'Fotile', '松下', 'Panasonic', '博西家电', 'BSH', '西门子', 'Siemens', '博世', 'Bosch', 'LG', '能率', 'Noritz'] },
    { tier: 'B', label: '二线品牌', factorBps: 8_500, brands: ['海信', 'Hisense', 'TCL', '长虹·美菱', '长虹', '美菱', 'Changhong Meiling', '华帝', 'Vatti', '苏泊尔', 'Supor', '奥克斯', 'AUX', '康佳', 'Konka', '帅康', 'Sacon', '森歌', 'Sengo', '美大', 'Meida', '九阳', 'Joyoung', '科沃斯', 'Ecovacs'] },
    { tier: 'C', label: '其他品牌', factorBps: 7_000, brands: [] },
  ],
  depreciationBps: [10_000, 9_000, 8_000, 7_000, 6_200, 5_500, 4_800, 4_200, 3_600, 3_100, 2_600, 2_200, 1_800, 1_500, 1_200, 1_000],
  conditionBps: { excellent: 10_000, good: 8_500, fair: 6_500, poor: 4_000 },
  notWorkingBps: 3_000,
  categories: {
    air_conditioner: {
      bands: [{ upTo: 1, baseFen: 60_000 }, { upTo: 1.5, baseFen: 80_000 }, { upTo: 2, baseFen: 100_000 }, { upTo: 2.5, baseFen: 120_000 }, { upTo: 3, baseFen: 140_000 }, { upTo: 5, baseFen: 200_000 }],
      floorFen: 5_000,
      subsidy: { fixedFen: 20_000, rateBps: 2_000, capFen: 50_000 },
      creditCap: { maxBpsOfNewItem: 3_000, maxFen: 200_000 },
    },
    refrigerator: {
      bands: [{ upTo: 150, baseFen: 30_000 }, { upTo: 250, baseFen: 45_000 }, { upTo: 400, baseFen: 60_000 }, { upTo: 800, baseFen: 80_000 }],
      floorFen: 3_000,
      subsidy: { fixedFen: 20_000, rateBps: 2_000, capFen: 40_000 },
      creditCap: { maxBpsOfNewItem: 3_000, maxFen: 150_000 },
    },
    washing_machine: {
      bands: [{ upTo: 6, baseFen: 20_000 }, { upTo: 8, baseFen: 28_000 }, { upTo: 10, baseFen: 36_000 }, { upTo: 20, baseFen: 45_000 }],
      floorFen: 2_000,
      subsidy: { fixedFen: 15_000, rateBps: 2_000, capFen: 30_000 },
      creditCap: { maxBpsOfNewItem: 3_000, maxFen: 100_000 },
    },
    tv: {
      bands: [{ upTo: 32, baseFen: 15_000 }, { upTo: 43, baseFen: 25_000 }, { upTo: 55, baseFen: 40_000 }, { upTo: 65, baseFen: 60_000 }, { upTo: 110, baseFen: 90_000 }],
      floorFen: 2_000,
      subsidy: { fixedFen: 15_000, rateBps: 2_000, capFen: 30_000 },
      creditCap: { maxBpsOfNewItem: 3_000, maxFen: 100_000 },
    },
    water_heater: {
      bands: [{ upTo: 20, baseFen: 20_000 }, { upTo: 60, baseFen: 25_000 }, { upTo: 150, baseFen: 30_000 }],
      variantBps: { electric: 10_000, gas: 13_000 },
      floorFen: 2_000,
      subsidy: { fixedFen: 10_000, rateBps: 2_000, capFen: 20_000 },
      creditCap: { maxBpsOfNewItem: 3_000, maxFen: 80_000 },
    },
    range_hood: {
      bands: [{ upTo: 15, baseFen: 15_000 }, { upTo: 20, baseFen: 22_000 }, { upTo: 35, baseFen: 30_000 }],
      floorFen: 2_000,
      subsidy: { fixedFen: 10_000, rateBps: 2_000, capFen: 20_000 },
      creditCap: { maxBpsOfNewItem: 3_000, maxFen: 60_000 },
    },
    gas_hob: {
      bands: [{ upTo: 1, baseFen: 5_000 }, { upTo: 2, baseFen: 10_000 }, { upTo: 5, baseFen: 14_000 }],
      floorFen: 1_000,
      subsidy: { fixedFen: 5_000, rateBps: 2_000, capFen: 10_000 },
      creditCap: { maxBpsOfNewItem: 3_000, maxFen: 40_000 },
    },
  },
};

export const tradeInStep: SeedStep = {
  name: 'trade-in',
  async run({ db, progress }) {
    // INSERT IGNORE: a published version is never rewritten, seeding again changes nothing.
    await db.query('INSERT IGNORE INTO trade_in_rule_versions (version, rules, published_at, published_by) VALUES (1, ?, ?, NULL)', [
      JSON.stringify(TradeInRules.parse(RULES_V1)), new Date(),
    ]);
    progress('trade-in', 1, 1);
  },
};
