/** Category ids used everywhere (products, coupons, trade-in), with their Chinese names. */
export const CATEGORIES = {
  air_conditioner: '空调',
  refrigerator: '冰箱',
  washing_machine: '洗衣机',
  tv: '电视',
  water_heater: '热水器',
  range_hood: '油烟机',
  gas_hob: '燃气灶',
  integrated_stove: '集成灶',
  dishwasher: '洗碗机',
  robot_vacuum: '扫地机器人',
  small_kitchen: '厨房小电',
} as const;

export type Category = keyof typeof CATEGORIES;
export const CATEGORY_IDS = Object.keys(CATEGORIES) as [Category, ...Category[]];
