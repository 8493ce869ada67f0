import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestContext, type TestContext } from '../helpers/context';

/**
 * The edge of the BFF as anyone on the internet meets it: operational endpoints, what the
 * framework and the static files answer to odd requests, and the headers every response carries.
 */
let t: TestContext;
// Taro's index.html sizes the root font in an inline script: the policy allows it by its hash.
const INLINE = 'document.documentElement.style.fontSize="20px"';

beforeAll(async () => {
  // An H5 folder of its own, so the static files are served as in production.
  const h5Dir = mkdtempSync(path.join(tmpdir(), 'xh-h5-'));
  writeFileSync(path.join(h5Dir, 'index.html'), `<!doctype html><title>perimeter-test</title><script>${INLINE}</script><script defer src="/js/app.js"></script>`);
  t = await createTestContext({ overrides: { h5Dir } });
});
afterAll(() => t.stop());

describe('/metrics', () => {
  it('when it is asked without the token or with a wrong one, then it answers 401 and shows nothing', async () => {
    for (const auth of [undefined, 'Bearer wrong', `Bearer ${t.config.ops.metricsToken}x`, t.config.ops.metricsToken]) {
      const req = t.http.get('/metrics');
      const res = auth === undefined ? await req : await req.set('Authorization', auth);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('UNAUTHENTICATED');
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(res.text).not.toContain('http_requests_total');
    }
  });

  it('when the scraper sends its bearer token, then it reads the metrics', async () => {
    const res = await t.http.get('/metrics').set('Authorization', `Bearer ${t.config.ops.metricsToken}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('http_requests_total');
  });

  it('when no token is configured, then /metrics is not served at all', async () => {
    const token = t.config.ops.metricsToken;
    t.config.ops.metricsToken = '';
    try {
      for (const auth of ['', 'Bearer ', `Bearer ${token}`]) {
        const res = await t.http.get('/metrics').set('Authorization', auth);
        expect(res.status).toBe(404);
        expect(res.text).not.toContain('http_requests_total');
      }
    } finally {
      t.config.ops.metricsToken = token;
    }
  });
});

describe('odd requests at the edge', () => {
  const errorsLogged: unknown[] = [];
  let restore: () => void;
  beforeAll(() => {
    const spy = jest.spyOn(t.deps.logger, 'error').mockImplementation(((...args: unknown[]) => void errorsLogged.push(args)));
    restore = () => spy.mockRestore();
  });
  afterAll(() => restore());

  it.each([
    ['/..%2f..%2fpackage.json', 404, 'NOT_FOUND'],
    ['/..%2f..%2f..%2f..%2fetc%2fpasswd', 404, 'NOT_FOUND'],
    ['/%2e%2e/%2e%2e/package.json', 404, 'NOT_FOUND'],
    ['/..%5c..%5cpackage.json', 404, 'NOT_FOUND'],
    ['/%E0%A4%A', 400, 'BAD_REQUEST'],
    ['/%', 400, 'BAD_REQUEST'],
    ['/index.html%00.js', 400, 'BAD_REQUEST'],
    [`/${'a'.repeat(300)}.js`, 404, 'NOT_FOUND'],
    ['/api/v1/products/%E0%A4%A', 404, 'NOT_FOUND'],
    ['/api/v1/regions/search?q=%E0%A4%A', 200, undefined],
  ])('when GET %s is asked, then it answers %i with a code, never a 5xx or an unhandled error', async (url, status, code) => {
    const res = await t.http.get(url);
    expect(res.status).toBe(status);
    if (code) expect(res.body.error.code).toBe(code);
    expect(res.text).not.toContain('"name"');
    expect(errorsLogged).toEqual([]);
  });

  it('when the H5 files are asked for, then they are served', async () => {
    const res = await t.http.get('/');
    expect(res.status).toBe(200);
    expect(res.text).toContain('perimeter-test');
  });
});

describe('JSON routes take JSON only', () => {
  it.each([
    ['text/plain', JSON.stringify({ code: 'test_someone.x1' })],
    ['application/x-www-form-urlencoded', 'code=test_someone.x2'],
    ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="code"\r\n\r\ntest_someone.x3\r\n--x--\r\n'],
    ['text/plain', 'not json at all'],
  ])('when a body comes as %s, then it is 415 and nothing happens', async (type, body) => {
    const res = await t.http.post('/api/v1/auth/wechat/login').set('Content-Type', type).send(body);
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('when a body comes without any Content-Type, then it is 415', async () => {
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(`${t.baseUrl}/api/v1/auth/wechat/login`, { method: 'POST' }, (r) => {
        let body = '';
        r.on('data', (c: Buffer) => (body += c.toString()));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end(JSON.stringify({ code: 'test_someone.x4' }));
    });
    expect(res.status).toBe(415);
    expect(JSON.parse(res.body).error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('when the body is JSON, with a charset or without, then the route reads it', async () => {
    for (const type of ['application/json', 'application/json; charset=utf-8']) {
      const res = await t.http.post('/api/v1/auth/wechat/login').set('Content-Type', type).send(JSON.stringify({ code: `test_someone.${type.length}` }));
      expect(res.status).toBe(200);
    }
  });
});

describe('security headers', () => {
  const directives = (csp: string) => new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));

  it.each([
    ['the H5 page', '/', 200],
    ['an API answer', '/api/v1/regions', 200],
    ['an API error', '/api/v1/me', 401],
    ['a file that is not there', '/nothing-here.js', 404],
  ])('when %s is served, then it carries a CSP the app runs under, nosniff and no framing', async (_what, url, status) => {
    const res = await t.http.get(url);
    expect(res.status).toBe(status);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    const csp = directives(String(res.headers['content-security-policy']));
    expect(csp.get('default-src')).toEqual(["'self'"]);
    expect(csp.get('script-src')).toEqual(["'self'", `'sha256-${createHash('sha256').update(INLINE).digest('base64')}'`]);
    expect(csp.get('script-src-attr')).toEqual(["'none'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp.get('img-src')).toEqual(["'self'", 'data:', 'blob:']);
    // The API on the same origin; outside production the stand-in cashier's WeChat emulator too.
    expect(csp.get('connect-src')).toEqual(["'self'", 'blob:', new URL(t.emulator.url).origin]);
    expect(csp.has('upgrade-insecure-requests')).toBe(false);
    expect(res.headers['strict-transport-security']).toBeUndefined();
  });
});
