import { createTestContext, type TestContext } from '../helpers/context';

/**
 * The list convention of API.md, everywhere: every list takes `?limit=&cursor=` and answers
 * `{ items, nextCursor }`; following nextCursor walks the whole list once. The first test walks
 * the published document, so a list added later without the convention fails here by name.
 */
let t: TestContext;
beforeAll(async () => {
  t = await createTestContext({ seed: true });
});
afterAll(async () => t.stop());

type Schema = { $ref?: string; type?: string | string[]; properties?: Record<string, Schema>; allOf?: Schema[] };
type Operation = { parameters?: { name: string; in: string }[]; responses: Record<string, { content?: Record<string, { schema: Schema }> }> };

const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

/** Follows every nextCursor from `first`; the items of all pages, in order. */
async function walk(first: string, token?: string, max = 50): Promise<{ pages: number; items: Record<string, unknown>[] }> {
  const items: Record<string, unknown>[] = [];
  let url: string | null = first;
  let pages = 0;
  while (url && pages < max) {
    const req = t.http.get(url);
    const r = await (token ? req.set(auth(token)) : req);
    expect(r.status).toBe(200);
    items.push(...(r.body.items as Record<string, unknown>[]));
    pages++;
    const next = r.body.nextCursor as string | null;
    url = next ? `${first}${first.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(next)}` : null;
  }
  return { pages, items };
}

describe('the list convention', () => {
  it('when the published document is read, then every operation that answers items takes limit and cursor and answers nextCursor', async () => {
    const doc = (await t.http.get('/api/v1/openapi.json')).body as { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } };
    const resolve = (s: Schema): Schema => (s.$ref ? resolve(doc.components.schemas[s.$ref.split('/').pop()!]) : s);
    const propertiesOf = (s: Schema): Record<string, Schema> => {
      const r = resolve(s);
      return { ...(r.properties ?? {}), ...Object.assign({}, ...(r.allOf ?? []).map(propertiesOf)) } as Record<string, Schema>;
    };
    const lists: string[] = [];
    const broken: string[] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        // One resource (an order with its item lines) is not a list.
        if (method !== 'get' || path.endsWith('}')) continue;
        const ok = Object.entries(op.responses).find(([status]) => status.startsWith('2'))?.[1];
        const schema = ok?.content?.['application/json']?.schema;
        if (!schema) continue;
        const props = propertiesOf(schema);
        const items = props.items ? resolve(props.items) : undefined;
        if (items?.type !== 'array') continue;
        const name = `${method.toUpperCase()} ${path}`;
        lists.push(name);
        const params = new Set((op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name));
        for (const p of ['limit', 'cursor']) if (!params.has(p)) broken.push(`${name}: no ?${p}=`);
        if (!props.nextCursor) broken.push(`${name}: no nextCursor in its response`);
      }
    }
    expect(broken).toEqual([]);
    // The lists API.md names, and the ones this test was written against, are all seen.
    for (const l of ['GET /api/v1/regions', 'GET /api/v1/regions/search', 'GET /api/v1/stores/nearby', 'GET /api/v1/stores', 'GET /api/v1/me/coupons', 'GET /api/v1/campaigns/active', 'GET /api/v1/orders', 'GET /api/v1/products', 'GET /api/v1/store/leaders', 'GET /api/v1/leaders/me']) {
      expect(lists).toContain(l);
    }
  });

  it('when a city\'s counties and a town\'s villages are walked with limit, then every region comes once, in code order', async () => {
    const counties = await walk('/api/v1/regions?parent=1306&limit=4');
    expect(counties.pages).toBeGreaterThan(1);
    const codes = counties.items.map((r) => r.code as string);
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes).toEqual([...codes].sort());
    const all = await t.http.get('/api/v1/regions?parent=1306&limit=100');
    expect(codes).toEqual(all.body.items.map((r: { code: string }) => r.code));
    expect(all.body.nextCursor).toBeNull();
    const villages = await walk('/api/v1/regions?parent=130608107&limit=3');
    expect(villages.items.length).toBeGreaterThan(3);
    expect(villages.items.every((v) => v.parentCode === '130608107')).toBe(true);
  });

  it('when my coupons are walked one at a time, then each comes once, newest first', async () => {
    const villager = await t.login('list_walker');
    const campaigns = await t.http.get('/api/v1/campaigns/active?limit=1');
    expect(campaigns.status).toBe(200);
    const all = await walk('/api/v1/campaigns/active?limit=1');
    const templates = all.items.flatMap((c) => (c.coupons as { templateId: string; remaining: number }[]).filter((x) => x.remaining > 0).map((x) => x.templateId)).slice(0, 3);
    expect(templates.length).toBeGreaterThanOrEqual(2);
    for (const templateId of templates) expect((await t.http.post('/api/v1/coupons/claim').set(auth(villager)).send({ templateId })).status).toBe(201);
    const mine = await walk('/api/v1/me/coupons?limit=1', villager);
    expect(mine.pages).toBe(templates.length);
    expect(mine.items.map((c) => c.templateId).sort()).toEqual([...templates].sort());
    expect((await t.http.get('/api/v1/me/coupons?limit=0').set(auth(villager))).status).toBe(400);
  });

  it('when ranked lists (nearest stores, region search) are walked, then pages neither repeat nor skip, and a made-up cursor is 400', async () => {
    const near = await walk('/api/v1/stores/nearby?lat=38.8738&lng=115.4646&radiusKm=100&limit=2');
    const whole = await t.http.get('/api/v1/stores/nearby?lat=38.8738&lng=115.4646&radiusKm=100&limit=50');
    expect(near.items.map((s) => s.id).slice(0, 50)).toEqual(whole.body.items.map((s: { id: string }) => s.id));
    expect(new Set(near.items.map((s) => s.id)).size).toBe(near.items.length);
    expect(near.pages).toBeGreaterThan(1);
    const search = await walk(`/api/v1/regions/search?q=${encodeURIComponent('村民')}&limit=2`);
    const oneGo = await t.http.get(`/api/v1/regions/search?q=${encodeURIComponent('村民')}&limit=50`);
    expect(search.pages).toBeGreaterThan(2);
    expect(search.items.map((r) => r.code)).toEqual(oneGo.body.items.map((r: { code: string }) => r.code));
    const bad = await t.http.get('/api/v1/stores/nearby?lat=38.8&lng=115.4&cursor=DEMO-001');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('query.cursor');
  });
});
