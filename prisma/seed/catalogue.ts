import type { SeedStep } from './types';
import { imageUrlFor } from '../../server/src/modules/catalogue/images';
import type { Category } from '../../server/src/modules/catalogue/categories';

/** The partners' demo catalogue: deterministic ids, so seeding again changes nothing. */
const BRANDS: Record<string, string> = {
  HAIER: '海尔', MIDEA: '美的', MEILING: '长虹·美菱', HISENSE: '海信', TCL: 'TCL', KONKA: '康佳', PANASONIC: '松下', SUPOR: '苏泊尔',
  AUX: '奥克斯', BSH: '博西家电', VATTI: '华帝', SACON: '帅康', ECOVACS: '科沃斯', JOYOUNG: '九阳', LG: 'LG', GREE: '格力',
  FOTILE: '方太', SENGO: '森歌', MEIDA: '美大', NORITZ: '能率',
};

type Spec = { spec: string; priceFen: number };
type Def = { id: string; brand: keyof typeof BRANDS; category: Category; name: string; specs: Spec[]; newSeason?: boolean };

const p = (id: string, brand: keyof typeof BRANDS, category: Category, name: string, specs: Spec[], newSeason = false): Def => ({ id, brand, category, name, specs, newSeason });

export const PRODUCTS: Def[] = [
  p('AC-GREE-1', 'GREE', 'air_conditioner', '格力 云佳 新一级能效 变频挂机', [{ spec: '1.5匹 挂机', priceFen: 299900 }, { spec: '1匹 挂机', priceFen: 259900 }], true),
  p('AC-MIDEA-1', 'MIDEA', 'air_conditioner', '美的 酷省电 新一级能效 变频挂机', [{ spec: '1.5匹 挂机', priceFen: 279900 }, { spec: '2匹 挂机', priceFen: 359900 }], true),
  p('AC-HAIER-1', 'HAIER', 'air_conditioner', '海尔 静悦 变频冷暖 柜机', [{ spec: '3匹 柜机', priceFen: 729900 }, { spec: '2匹 柜机', priceFen: 569900 }], true),
  p('AC-AUX-1', 'AUX', 'air_conditioner', '奥克斯 京裕 变频挂机', [{ spec: '1.5匹 挂机', priceFen: 219900 }], true),
  p('AC-TCL-1', 'TCL', 'air_conditioner', 'TCL 小蓝翼 变频挂机', [{ spec: '1.5匹 挂机', priceFen: 229900 }]),
  p('AC-HISENSE-1', 'HISENSE', 'air_conditioner', '海信 速冷热 变频挂机', [{ spec: '1匹 挂机', priceFen: 199900 }, { spec: '1.5匹 挂机', priceFen: 239900 }]),
  p('RF-HAIER-1', 'HAIER', 'refrigerator', '海尔 十字对开门 冰箱', [{ spec: '500升', priceFen: 399900 }, { spec: '405升', priceFen: 329900 }]),
  p('RF-MEILING-1', 'MEILING', 'refrigerator', '美菱 风冷无霜 三门冰箱', [{ spec: '253升', priceFen: 189900 }]),
  p('RF-MIDEA-1', 'MIDEA', 'refrigerator', '美的 法式多门 冰箱', [{ spec: '508升', priceFen: 429900 }]),
  p('RF-PANASONIC-1', 'PANASONIC', 'refrigerator', '松下 大冷冻 冰箱', [{ spec: '450升', priceFen: 499900 }]),
  p('WM-HAIER-1', 'HAIER', 'washing_machine', '海尔 滚筒洗衣机 洗烘一体', [{ spec: '10公斤', priceFen: 269900 }]),
  p('WM-LG-1', 'LG', 'washing_machine', 'LG 直驱变频 滚筒洗衣机', [{ spec: '10公斤', priceFen: 329900 }]),
  p('WM-MIDEA-1', 'MIDEA', 'washing_machine', '美的 波轮洗衣机', [{ spec: '8公斤', priceFen: 99900 }, { spec: '10公斤', priceFen: 129900 }]),
  p('TV-HISENSE-1', 'HISENSE', 'tv', '海信 E5 全面屏 电视', [{ spec: '65英寸', priceFen: 329900 }, { spec: '55英寸', priceFen: 219900 }]),
  p('TV-TCL-1', 'TCL', 'tv', 'TCL Q9 QLED 电视', [{ spec: '75英寸', priceFen: 499900 }]),
  p('TV-KONKA-1', 'KONKA', 'tv', '康佳 智能 液晶电视', [{ spec: '43英寸', priceFen: 119900 }, { spec: '55英寸', priceFen: 169900 }]),
  p('WH-NORITZ-1', 'NORITZ', 'water_heater', '能率 恒温 燃气热水器', [{ spec: '13升 燃气', priceFen: 329900 }, { spec: '16升 燃气', priceFen: 399900 }], true),
  p('WH-HAIER-1', 'HAIER', 'water_heater', '海尔 一级能效 电热水器', [{ spec: '60升 电', priceFen: 129900 }], true),
  p('WH-VATTI-1', 'VATTI', 'water_heater', '华帝 零冷水 燃气热水器', [{ spec: '16升 燃气', priceFen: 359900 }], true),
  p('RH-FOTILE-1', 'FOTILE', 'range_hood', '方太 侧吸式 油烟机', [{ spec: '23立方', priceFen: 399900 }], true),
  p('RH-SACON-1', 'SACON', 'range_hood', '帅康 顶吸式 油烟机', [{ spec: '20立方', priceFen: 199900 }], true),
  p('RH-VATTI-1', 'VATTI', 'range_hood', '华帝 近吸式 油烟机', [{ spec: '22立方', priceFen: 259900 }], true),
  p('GH-FOTILE-1', 'FOTILE', 'gas_hob', '方太 嵌入式 燃气灶', [{ spec: '5.2kW 天然气', priceFen: 199900 }], true),
  p('GH-SUPOR-1', 'SUPOR', 'gas_hob', '苏泊尔 台嵌两用 燃气灶', [{ spec: '4.5kW 液化气', priceFen: 79900 }], true),
  p('IS-SENGO-1', 'SENGO', 'integrated_stove', '森歌 集成灶 蒸烤一体', [{ spec: '蒸烤一体 90cm', priceFen: 1199900 }], true),
  p('IS-MEIDA-1', 'MEIDA', 'integrated_stove', '美大 集成灶', [{ spec: '消毒柜款 90cm', priceFen: 899900 }], true),
  p('DW-BSH-1', 'BSH', 'dishwasher', '博西 嵌入式 洗碗机', [{ spec: '13套', priceFen: 599900 }], true),
  p('DW-MIDEA-1', 'MIDEA', 'dishwasher', '美的 台式 洗碗机', [{ spec: '6套', priceFen: 199900 }], true),
  p('RV-ECOVACS-1', 'ECOVACS', 'robot_vacuum', '科沃斯 扫拖一体 机器人', [{ spec: '自动集尘', priceFen: 299900 }]),
  p('SK-JOYOUNG-1', 'JOYOUNG', 'small_kitchen', '九阳 破壁豆浆机', [{ spec: '1.2升', priceFen: 39900 }]),
  p('SK-SUPOR-1', 'SUPOR', 'small_kitchen', '苏泊尔 球釜电饭煲', [{ spec: '4升', priceFen: 29900 }]),
  p('SK-MIDEA-1', 'MIDEA', 'small_kitchen', '美的 微波炉', [{ spec: '20升', priceFen: 49900 }]),
];

export const skuId = (productId: string, index: number) => `${productId}-${String.fromCharCode(65 + index)}`;

export const catalogueStep: SeedStep = {
  name: 'catalogue',
  async run({ db, progress, scale }) {
    const stock = scale === 'test' ? 100 : 1000;
    let done = 0;
    for (const d of PRODUCTS) {
      const brandName = BRANDS[d.brand];
      await db.query(
        `INSERT INTO products (id, name, brand, category, description, image_url, tags, price_fen) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON DUPLICATE KEY UPDATE name = VALUES(name), brand = VALUES(brand), category = VALUES(category), description = VALUES(description),
           image_url = VALUES(image_url), tags = VALUES(tags), price_fen = VALUES(price_fen)`,
        [d.id, d.name, brandName, d.category, `${brandName} ${d.name}，门店自提，到店付款，可预约送装。`, imageUrlFor(d.category), d.newSeason ? 'new_season' : '', Math.min(...d.specs.map((s) => s.priceFen))],
      );
      // Availability is only set when the SKU is new: seeding again never refills what orders took.
      await db.query('INSERT INTO skus (id, product_id, spec, price_fen, available) VALUES ? ON DUPLICATE KEY UPDATE spec = VALUES(spec), price_fen = VALUES(price_fen)', [
        d.specs.map((s, i) => [skuId(d.id, i), d.id, s.spec, s.priceFen, stock]),
      ]);
      progress('catalogue', ++done, PRODUCTS.length);
    }
  },
};
