import fc from 'fast-check';
import { createTestContext, type TestContext } from '../helpers/context';

/**
 * Walks every operation of /api/v1/openapi.json with generated malformed requests: wrong types,
 * missing and extra fields, huge and negative numbers, long and odd Unicode strings, bad JSON,
 * wrong methods, bad tokens. No answer may be a 5xx, and no rejected request may store anything.
 */
type Schema = { type?: string | string[]; properties?: Record<string, Schema>; required?: string[]; items?: Schema; enum?: unknown[]; anyOf?: Schema[]; oneOf?: Schema[] };
type Operation = {
  parameters?: { name: string; in: 'path' | 'query' | 'header'; schema?: Schema }[];
  requestBody?: { content: { 'application/json'?: { schema: Schema }; 'multipart/form-data'?: { schema: Schema } } };
};

let t: TestContext;
let tokens: (string | null)[];

beforeAll(async () => {
  t = await createTestContext({ seed: true });
  tokens = [null, 'not-a-token', 'A'.repeat(43)];
  for (const openid of ['demo_villager', 'demo_leader', 'demo_owner', 'demo_admin']) tokens.push(await t.login(openid));
  // Shaped like a token (a user id and 43 characters) but with no session behind it.
  tokens.push(`${'0'.repeat(26)}${'A'.repeat(43)}`);
}, 180_000);
afterAll(async () => t?.stop());

const rnd = (seed: number) => {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
};

const ODD_STRINGS = [
  '', ' ', '\u0000', '\u202E\u0645\u0631\u062D\u0628\u0627', '😀'.repeat(50), '\uD800', 'x'.repeat(10_000), '../../etc/passwd', '%00', "' OR 1=1 --",
  '<script>alert(1)</script>', '1e309', 'NaN', '-1', '0x10', '河北省'.repeat(40), '\n\r\t', 'null', '{}', '[]',
];
/** Percent-encodes, sending a lone surrogate as its raw UTF-8 bytes (encodeURIComponent refuses it). */
const enc = (v: string) => {
  try {
    return encodeURIComponent(v);
  } catch {
    return '%ED%A0%80';
  }
};
const ODD_NUMBERS = [-1, 0, -999999999, 1e15, 2 ** 53 + 1, 1.5, -0.0001, 1e308, Number.MIN_SAFE_INTEGER];
const ODD_VALUES: unknown[] = [null, true, false, [], {}, [1, 2], { a: 1 }, ...ODD_NUMBERS, ...ODD_STRINGS];

function wrongValue(schema: Schema | undefined, r: () => number): unknown {
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const type = Array.isArray(schema?.type) ? schema?.type[0] : schema?.type;
  if (type === 'string') return pick([...ODD_NUMBERS, null, [], {}, true, ...ODD_STRINGS.slice(0, 10)]);
  if (type === 'integer' || type === 'number') return pick([...ODD_NUMBERS, '12', 'abc', null, [], {}, true]);
  if (type === 'boolean') return pick(['true', 1, 0, null, 'yes', []]);
  if (type === 'array') return pick(['x', 1, {}, null, [null], Array.from({ length: 2000 }, () => ({}))]);
  if (type === 'object') return pick(['x', 1, [], null]);
  return pick(ODD_VALUES);
}

function malformedBodies(schema: Schema | undefined, seed: number): unknown[] {
  const r = rnd(seed);
  const props = Object.entries(schema?.properties ?? {});
  const required = schema?.required ?? [];
  const skeleton: Record<string, unknown> = {};
  for (const [k, s] of props) skeleton[k] = wrongValue(s, r);
  const out: unknown[] = [null, [], 'string', 42, {}, { ...skeleton, unexpectedField: 1 }, { __proto__: { admin: true } }, { constructor: { prototype: {} } }];
  for (const [k, s] of props) {
    for (let i = 0; i < 2; i++) out.push({ ...skeleton, [k]: wrongValue(s, r) });
    if (required.includes(k)) {
      const rest = { ...skeleton };
      delete rest[k];
      out.push(rest);
    }
  }
  for (const s of fc.sample(fc.string({ unit: 'binary', maxLength: 300 }), { seed, numRuns: 6 })) out.push(Object.fromEntries(props.map(([k]) => [k, s])));
  for (const v of fc.sample(fc.anything({ maxDepth: 3 }), { seed: seed + 1, numRuns: 6 })) out.push(v);
  return out;
}

function fuzzPathValues(seed: number): string[] {
  return ['0', '-1', 'x'.repeat(300), '%00', '..%2F..%2Fetc', '😀', '%E6%B2%B3', 'DEMO-001', '01DEMO0VILLAGER00000000000', "1' OR '1'='1", ...fc.sample(fc.string({ maxLength: 40 }), { seed, numRuns: 6 }).map(enc)];
}

/**
 * Row counts of every table an API route can write. The region tables (250,000 rows) are reference
 * data that only the region loader writes; counting them around each of thousands of requests took
 * most of this test's minutes, so they are left out.
 */
let countQuery: string | null = null;
async function storedRows(): Promise<string> {
  if (!countQuery) {
    const [tables] = await t.deps.db.query("SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME <> '_prisma_migrations' AND TABLE_NAME NOT LIKE 'region%' ORDER BY TABLE_NAME");
    const names = (tables as { t: string }[]).map((x) => x.t);
    expect(names).toEqual(expect.arrayContaining(['users', 'orders', 'coupons', 'group_buy_members', 'trade_in_quotes']));
    countQuery = names.map((n) => `SELECT '${n}' AS t, COUNT(*) AS n FROM \`${n}\``).join(' UNION ALL ');
  }
  const [rows] = await t.deps.db.query(countQuery);
  return JSON.stringify(rows);
}

describe('fuzzing every operation of the OpenAPI document', () => {
  it('when thousands of malformed requests arrive, then none gets a 5xx and no rejected request stores anything', async () => {
    const doc = (await t.http.get('/api/v1/openapi.json')).body as { paths: Record<string, Record<string, Operation>> };
    const tried: Record<string, number> = {};
    const failures: string[] = [];
    let seed = 1;
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const key = `${method.toUpperCase()} ${path}`;
        tried[key] = 0;
        const pathParams = (op.parameters ?? []).filter((p) => p.in === 'path');
        const queryParams = (op.parameters ?? []).filter((p) => p.in === 'query');
        const r = rnd(seed++);
        const values = fuzzPathValues(seed);
        const urls = pathParams.length
          ? values.map((v) => path.replace(/\{[^}]+\}/g, v))
          : [path];
        const queries: string[] = [''];
        for (const q of queryParams) {
          for (const v of [...ODD_STRINGS.slice(0, 12), '-5', '99999999999', '1.5', 'abc']) queries.push(`${q.name}=${enc(String(v))}`);
        }
        queries.push('unknownParam=1', 'limit=-1&cursor=%00', 'limit=100000');
        // An upload (multipart) is sent JSON it does not take, as a client that got it wrong would.
        const bodies = op.requestBody ? malformedBodies(op.requestBody.content['application/json']?.schema ?? { type: 'object', properties: {} }, seed) : [undefined];
        const mutating = method !== 'get';

        const requests: { url: string; body: unknown; raw?: string; token: string | null; method: string }[] = [];
        // Each odd path under two of the callers, picked at random (every caller on every path took most of the run's time).
        for (const url of urls) for (let i = 0; i < 2; i++) requests.push({ url, body: bodies[Math.floor(r() * bodies.length)], token: tokens[Math.floor(r() * tokens.length)], method });
        for (const body of bodies) for (const token of tokens.slice(3)) requests.push({ url: urls[Math.floor(r() * urls.length)], body, token, method });
        for (const q of queries) requests.push({ url: `${urls[0]}?${q}`, body: bodies[0], token: tokens[3 + Math.floor(r() * 4)], method });
        for (const raw of ['{"a":', '{"a":1,}', '\u0000\u0001', '[', '{"a":"\\ud800"}', '{'.repeat(5000)]) requests.push({ url: urls[0], body: undefined, raw, token: tokens[3], method: mutating ? method : 'post' });
        for (const wrong of ['put', 'patch', 'delete', 'post'].filter((m) => !ops[m])) requests.push({ url: urls[0], body: {}, token: tokens[3], method: wrong });

        // Operations that take no input and end the caller's session or account are only sent bad tokens.
        const sessionEnding = ['DELETE /api/v1/me', 'POST /api/v1/auth/logout'].includes(key);
        for (const req of requests) {
          if (sessionEnding && req.token && req.token.length > 43) continue;
          const before = req.method !== 'get' ? await storedRows() : '';
          let call = (t.http as unknown as Record<string, (u: string) => import('supertest').Test>)[req.method](req.url);
          if (req.token) call = call.set('Authorization', `Bearer ${req.token}`);
          if (req.raw !== undefined) call = call.set('Content-Type', 'application/json').send(req.raw);
          else if (req.body !== undefined && req.method !== 'get') call = call.set('Content-Type', 'application/json').send(JSON.stringify(req.body));
          const res = await call;
          tried[key]++;
          if (res.status >= 500) failures.push(`${req.method.toUpperCase()} ${req.url.slice(0, 120)} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
          else if (res.status >= 400 && (!res.body?.error?.code || !res.body?.error?.requestId)) failures.push(`${req.method.toUpperCase()} ${req.url.slice(0, 80)} → ${res.status} without the error shape`);
          if (req.method !== 'get' && res.status >= 400) {
            const after = await storedRows();
            if (after !== before) failures.push(`${req.method.toUpperCase()} ${req.url.slice(0, 80)} → ${res.status} yet rows changed: ${before} → ${after}`);
          }
        }
      }
    }
    const total = Object.values(tried).reduce((a, b) => a + b, 0);
    console.log(`fuzz: ${total} requests over ${Object.keys(tried).length} operations\n${Object.entries(tried).map(([k, n]) => `  ${String(n).padStart(5)}  ${k}`).join('\n')}`);
    expect(failures.slice(0, 20)).toEqual([]);
    expect(total).toBeGreaterThan(Object.keys(tried).length * 30);
  }, 600_000);
});
