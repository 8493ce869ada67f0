import { CATEGORIES } from '../catalogue/categories';

/**
 * What a villager is asked about an old appliance. Every category asks brand, age, condition and
 * whether it works, plus one size question of its own (water heaters also: electric or gas).
 * The questions are fixed here; the prices they lead to live in the database (rules.ts).
 */
export const TRADE_IN_CATEGORIES = ['air_conditioner', 'refrigerator', 'washing_machine', 'tv', 'water_heater', 'range_hood', 'gas_hob'] as const;
export type TradeInCategory = (typeof TRADE_IN_CATEGORIES)[number];

export const CONDITIONS = ['excellent', 'good', 'fair', 'poor'] as const;
export type Condition = (typeof CONDITIONS)[number];

export const CONDITION_LABELS: Record<Condition, { label: string; hint: string }> = {
  excellent: { label: '很新', hint: '几乎没有划痕，外观干净' },
  good: { label: '良好', hint: '有少量划痕，正常使用痕迹' },
  fair: { label: '一般', hint: '划痕、发黄或小磕碰较多' },
  poor: { label: '较差', hint: '破损、缺件或锈蚀明显' },
};

export const MAX_AGE_YEARS = 40;

export type SizeQuestion = { id: string; label: string; unit: string; min: number; max: number; integer: boolean; options: number[]; onlyOptions: boolean };
export type VariantQuestion = { id: 'heaterType'; label: string; options: { value: 'electric' | 'gas'; label: string }[] };
export type CategoryDef = { size: SizeQuestion; variant?: VariantQuestion; brands: string[] };

const size = (id: string, label: string, unit: string, min: number, max: number, options: number[], opts: { integer?: boolean; onlyOptions?: boolean } = {}): SizeQuestion => ({
  id, label, unit, min, max, options, integer: opts.integer ?? false, onlyOptions: opts.onlyOptions ?? false,
});

/** Brands offered as big buttons per category (the stores' partners); any other brand can be typed. */
export const CATEGORY_DEFS: Record<TradeInCategory, CategoryDef> = {
  air_conditioner: { size: size('horsepower', '空调是几匹的？', '匹', 1, 5, [1, 1.5, 2, 2.5, 3, 5], { onlyOptions: true }), brands: ['格力', '美的', '海尔', '奥克斯', '海信', 'TCL', '松下', '长虹·美菱'] },
  refrigerator: { size: size('litres', '冰箱多大容量？', '升', 50, 800, [100, 150, 200, 250, 300, 400, 500, 600], { integer: true }), brands: ['海尔', '美的', '长虹·美菱', '海信', '松下', '博西家电', 'TCL', '康佳'] },
  washing_machine: { size: size('kg', '洗衣机能洗几公斤？', '公斤', 2, 20, [5, 6, 7, 8, 9, 10, 12]), brands: ['海尔', '美的', 'LG', '松下', '博西家电', '海信', 'TCL', '长虹·美菱'] },
  tv: { size: size('inches', '电视多少英寸？', '英寸', 14, 110, [24, 32, 40, 43, 50, 55, 65, 75], { integer: true }), brands: ['海信', 'TCL', '康佳', '长虹·美菱', '海尔', 'LG', '松下'] },
  water_heater: {
    size: size('litres', '热水器多少升？（燃气的看每分钟出水升数）', '升', 5, 150, [10, 13, 16, 40, 50, 60, 80, 100], { integer: true }),
    variant: { id: 'heaterType', label: '是电热水器还是燃气热水器？', options: [{ value: 'electric', label: '电热水器' }, { value: 'gas', label: '燃气热水器' }] },
    brands: ['海尔', '美的', '能率', '华帝', '方太', '帅康', '美大', '苏泊尔'],
  },
  range_hood: { size: size('airflow', '油烟机排风量多少立方？', '立方', 8, 35, [12, 15, 17, 20, 23, 26], { integer: true }), brands: ['方太', '华帝', '帅康', '森歌', '美大', '美的', '海尔', '苏泊尔'] },
  gas_hob: { size: size('burners', '燃气灶有几个灶眼？', '眼', 1, 5, [1, 2, 3], { integer: true }), brands: ['方太', '华帝', '苏泊尔', '帅康', '美的', '海尔', '森歌', '美大'] },
};

export const categoryName = (c: TradeInCategory) => CATEGORIES[c];

export type Question = {
  id: string;
  label: string;
  type: 'brand' | 'number' | 'choice' | 'boolean';
  options: { value: string | number | boolean; label: string; hint?: string }[];
  min?: number;
  max?: number;
  unit?: string;
};

/** GET /trade-in/categories: the client builds its wizard from these, one question a screen. */
export function describeCategories(): { category: TradeInCategory; name: string; questions: Question[] }[] {
  return TRADE_IN_CATEGORIES.map((category) => {
    const def = CATEGORY_DEFS[category];
    const questions: Question[] = [
      { id: 'brand', label: `${categoryName(category)}是什么牌子？`, type: 'brand', options: [...def.brands.map((b) => ({ value: b, label: b })), { value: '其他', label: '其他 / 不记得' }] },
    ];
    if (def.variant) questions.push({ id: def.variant.id, label: def.variant.label, type: 'choice', options: def.variant.options });
    questions.push(
      {
        id: def.size.id, label: def.size.label, type: 'number', unit: def.size.unit, min: def.size.min, max: def.size.max,
        options: def.size.options.map((v) => ({ value: v, label: `${v}${def.size.unit}` })),
      },
      { id: 'ageYears', label: '用了几年了？', type: 'number', unit: '年', min: 0, max: MAX_AGE_YEARS, options: [1, 2, 3, 5, 8, 10, 12, 15].map((v) => ({ value: v, label: `${v}年` })) },
      { id: 'condition', label: '外观成色怎么样？', type: 'choice', options: CONDITIONS.map((c) => ({ value: c, ...CONDITION_LABELS[c] })) },
      { id: 'working', label: '现在还能正常用吗？', type: 'boolean', options: [{ value: true, label: '能正常用' }, { value: false, label: '坏了 / 不能用' }] },
    );
    return { category, name: categoryName(category), questions };
  });
}
