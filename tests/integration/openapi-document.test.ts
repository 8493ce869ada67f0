import Koa from 'koa';
import request from 'supertest';
import { createTestContext, type TestContext } from '../helpers/context';
import { checkContract } from '../helpers/contract';

/**
 * The published document says what the server does (issue 12's list), and the contract checker
 * that every integration suite runs (tests/helpers/contract.ts) names what it does not.
 */
let t: TestContext;
type Op = { operationId?: string; parameters?: { name: string; in: string; required?: boolean }[]; responses: Record<string, { content?: Record<string, { schema?: unknown }>; headers?: Record<string, unknown> }> };
let paths: Record<string, Record<string, Op>>;
beforeAll(async () => {
  t = await createTestContext();
  paths = (await t.http.get('/api/v1/openapi.json')).body.paths;
});
afterAll(async () => t.stop());

const ops = () => Object.entries(paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, path, op })));

describe('the OpenAPI document', () => {
  it('when an operation has a path parameter, then its 404 is documented', () => {
    const missing = ops().filter((o) => o.path.includes('{') && !o.op.responses['404']).map((o) => o.name);
    expect(missing).toEqual([]);
  });

  it('when an operation succeeds, then its body schema is documented, or it is a 204 without one', () => {
    const bare = ops().filter(({ op }) => {
      const [status, ok] = Object.entries(op.responses).find(([s]) => s.startsWith('2'))!;
      return status !== '204' && !Object.values(ok.content ?? {}).some((c) => c.schema);
    });
    expect(bare.map((o) => o.name)).toEqual([]);
    expect(Object.keys(paths['/api/v1/auth/logout'].post.responses)).toContain('204');
    expect(Object.keys(paths['/api/v1/me'].delete.responses)).toContain('204');
    expect(paths['/api/v1/images/{name}'].get.responses['200'].content).toHaveProperty(['image/svg+xml']);
  });

  it('when a parameter is required by the server, then the document requires it: lat and lng of /stores/nearby, Idempotency-Key of POST /orders', () => {
    const param = (path: string, method: string, name: string) => paths[path][method].parameters!.find((p) => p.name === name)!;
    expect(param('/api/v1/stores/nearby', 'get', 'lat').required).toBe(true);
    expect(param('/api/v1/stores/nearby', 'get', 'lng').required).toBe(true);
    expect(param('/api/v1/orders', 'post', 'Idempotency-Key')).toMatchObject({ in: 'header', required: true });
  });

  it('when any response is answered, then X-Request-Id is documented on it, and Retry-After on 429 and 503', () => {
    const gaps = ops().flatMap(({ name, op }) =>
      Object.entries(op.responses).flatMap(([status, r]) => [
        ...(r.headers?.['X-Request-Id'] ? [] : [`${name} ${status}: X-Request-Id`]),
        ...((status === '429' || status === '503') && !r.headers?.['Retry-After'] ? [`${name} ${status}: Retry-After`] : []),
      ]),
    );
    expect(gaps).toEqual([]);
    expect(new Set(ops().map((o) => o.op.operationId)).size).toBe(ops().length);
  });
});

describe('the contract checker', () => {
  it('when a response has an undocumented status, header or field, or the server requires what the document calls optional, then it names operation, status and field', async () => {
    const app = new Koa();
    const violations = checkContract(app);
    app.use((ctx) => {
      if (ctx.path === '/api/v1/regions') {
        ctx.status = 418;
        ctx.body = {};
      } else if (ctx.path === '/api/v1/regions/13') {
        ctx.set('X-Secret-Flag', '1');
        ctx.body = { code: '13', name: '河北省', level: 'province', parentCode: null, path: '河北省', population: 7 };
      } else {
        ctx.status = 400;
        ctx.body = { error: { code: 'VALIDATION_FAILED', message: 'x', requestId: 'r', details: [{ path: 'query.radiusKm', message: 'Required' }] } };
      }
    });
    const http = request(app.callback());
    await http.get('/api/v1/regions');
    await http.get('/api/v1/regions/13');
    await http.get('/api/v1/stores/nearby?lat=1&lng=2');
    expect(violations).toEqual([
      'GET /api/v1/regions → 418: status 418 is not documented',
      'GET /api/v1/regions/{code} → 200: header x-secret-flag is not documented',
      'GET /api/v1/regions/{code} → 200: field body.population is not documented',
      'GET /api/v1/stores/nearby: query radiusKm is documented as optional, but the server requires it',
    ]);
  });
});
