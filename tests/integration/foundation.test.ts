import { createTestContext, type TestContext } from '../helpers/context';

let t: TestContext;
beforeAll(async () => {
  t = await createTestContext({ seed: true });
});
afterAll(async () => t.stop());

const expectError = (res: { status: number; body: { error?: { code: string; requestId: string } } }, status: number, code: string) => {
  expect(res.status).toBe(status);
  expect(res.body.error?.code).toBe(code);
  expect(res.body.error?.requestId).toBeTruthy();
};

describe('login through the WeChat emulator', () => {
  it('when a demo account logs in, then it gets a token and its roles and stores', async () => {
    const res = await t.http.post('/api/v1/auth/wechat/login').send({ code: 'test_demo_owner.n1' });
    expect(res.status).toBe(200);
    expect(res.body.token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(res.body.user).toEqual({ id: expect.any(String), nickname: '张店长', roles: ['villager', 'store_owner'], storeIds: ['DEMO-001'] });
    expect(JSON.stringify(res.body)).not.toMatch(/session_key|sessionKey/);
    const me = await t.http.get('/api/v1/me').set('Authorization', `Bearer ${res.body.token}`);
    expect(me.status).toBe(200);
    expect(me.body.nickname).toBe('张店长');
  });

  it('when a new openid logs in, then a villager is created once, even for two logins at once', async () => {
    const [a, b] = await Promise.all([
      t.http.post('/api/v1/auth/wechat/login').send({ code: 'test_newcomer_1.a' }),
      t.http.post('/api/v1/auth/wechat/login').send({ code: 'test_newcomer_1.b' }),
    ]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(a.body.user.id).toBe(b.body.user.id);
    expect(a.body.user.roles).toEqual(['villager']);
    const [rows] = await t.deps.db.query("SELECT COUNT(*) AS n FROM users WHERE openid = 'newcomer_1'");
    expect(Number((rows as { n: number }[])[0].n)).toBe(1);
  });

  it('when a code is used twice, then the second login is 401 WECHAT_CODE_INVALID', async () => {
    expect((await t.http.post('/api/v1/auth/wechat/login').send({ code: 'test_demo_villager.once' })).status).toBe(200);
    expectError(await t.http.post('/api/v1/auth/wechat/login').send({ code: 'test_demo_villager.once' }), 401, 'WECHAT_CODE_INVALID');
    expectError(await t.http.post('/api/v1/auth/wechat/login').send({ code: 'invalid' }), 401, 'WECHAT_CODE_INVALID');
  });

  it('when WeChat does not answer, then login is 502 UPSTREAM_UNAVAILABLE', async () => {
    t.emulator.settings.down = true;
    try {
      expectError(await t.http.post('/api/v1/auth/wechat/login').send({ code: 'test_demo_villager.down' }), 502, 'UPSTREAM_UNAVAILABLE');
    } finally {
      t.emulator.settings.down = false;
    }
  });

  it('when a user logs out, then the token no longer works', async () => {
    const token = await t.login('demo_villager');
    expect((await t.http.post('/api/v1/auth/logout').set('Authorization', `Bearer ${token}`)).status).toBe(204);
    expectError(await t.http.get('/api/v1/me').set('Authorization', `Bearer ${token}`), 401, 'UNAUTHENTICATED');
  });
});

describe('bad requests get their 4xx code and never a 500', () => {
  it('when the token is missing or bad, then 401', async () => {
    expectError(await t.http.get('/api/v1/me'), 401, 'UNAUTHENTICATED');
    expectError(await t.http.get('/api/v1/me').set('Authorization', 'Bearer nope'), 401, 'UNAUTHENTICATED');
    expectError(await t.http.get('/api/v1/me').set('Authorization', `Bearer ${'x'.repeat(43)}`), 401, 'UNAUTHENTICATED');
    expectError(await t.http.get('/api/v1/me').set('Authorization', 'Basic abc'), 401, 'UNAUTHENTICATED');
  });

  it('when the body is not JSON, then 400 MALFORMED_JSON', async () => {
    for (const body of ['{"code":', '{code: 1}', '\u0000', '"just a string"']) {
      const res = await t.http.post('/api/v1/auth/wechat/login').set('Content-Type', 'application/json').send(body);
      expect([400]).toContain(res.status);
      expect(['MALFORMED_JSON', 'VALIDATION_FAILED']).toContain(res.body.error.code);
    }
    expectError(await t.http.post('/api/v1/auth/wechat/login').set('Content-Type', 'application/json').send('{"code":'), 400, 'MALFORMED_JSON');
  });

  it('when the body has unknown or missing fields, then 400 VALIDATION_FAILED with each field named', async () => {
    const res = await t.http.post('/api/v1/auth/wechat/login').send({ code: 'test_x.y', admin: true });
    expectError(res, 400, 'VALIDATION_FAILED');
    expect(res.body.error.details).toEqual([expect.objectContaining({ path: expect.stringContaining('admin') })]);
    const missing = await t.http.post('/api/v1/auth/wechat/login').send({});
    expectError(missing, 400, 'VALIDATION_FAILED');
    expect(missing.body.error.details[0].path).toBe('body.code');
    const wrongType = await t.http.post('/api/v1/auth/wechat/login').send({ code: 12 });
    expect(wrongType.body.error.details[0].path).toBe('body.code');
    expectError(await t.http.post('/api/v1/auth/wechat/login').send([1, 2]), 400, 'VALIDATION_FAILED');
  });

  it('when the body is over the limit, then 413 PAYLOAD_TOO_LARGE', async () => {
    expectError(await t.http.post('/api/v1/auth/wechat/login').send({ code: 'x'.repeat(200_000) }), 413, 'PAYLOAD_TOO_LARGE');
  });

  it('when the path or method does not exist, then 404 or 405 in the error shape', async () => {
    expectError(await t.http.get('/api/v1/nothing-here'), 404, 'NOT_FOUND');
    expectError(await t.http.put('/api/v1/me'), 405, 'METHOD_NOT_ALLOWED');
  });
});

describe('operations', () => {
  it('when MySQL and Redis answer, then /healthz and /readyz are 200', async () => {
    expect((await t.http.get('/healthz')).status).toBe(200);
    const ready = await t.http.get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toEqual({ mysql: 'up', redis: 'up' });
  });

  it('when requests were served, then /metrics counts them per route and status', async () => {
    await t.http.get('/api/v1/me');
    const res = await t.http.get('/metrics').set('Authorization', `Bearer ${t.config.ops.metricsToken}`);
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/http_requests_total\{method="GET",route="\/api\/v1\/me",status="401"\} \d+/);
    expect(res.text).toContain('http_request_duration_seconds_bucket');
  });

  it('when the OpenAPI document is asked for, then it lists the routes with their schemas', async () => {
    const res = await t.http.get('/api/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    expect(res.body.paths['/api/v1/auth/wechat/login'].post.requestBody.content['application/json'].schema).toBeDefined();
    expect(res.body.paths['/api/v1/me'].get).toBeDefined();
  });

  it('when every response carries a request id, then X-Request-Id is echoed or made', async () => {
    const res = await t.http.get('/healthz').set('X-Request-Id', 'abc-123');
    expect(res.headers['x-request-id']).toBe('abc-123');
    expect((await t.http.get('/healthz')).headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('the MySQL pools', () => {
  it('when a query carries a second statement, then the shared pool refuses it; only the batch pool made for order placement runs batches', async () => {
    await expect(t.deps.db.query('SELECT 1; SELECT 2')).rejects.toMatchObject({ code: 'ER_PARSE_ERROR' });
    const [results] = await t.deps.batchDb.query('SELECT 1 AS a; SELECT 2 AS b');
    expect(results).toEqual([[{ a: 1 }], [{ b: 2 }]]);
  });
});

describe('deleting an account (PIPL)', () => {
  it('when a user deletes their account, then their personal data is gone, their tokens stop working, and logging in again makes a new account', async () => {
    const token = await t.login('leaving_user');
    const me = await t.http.get('/api/v1/me').set('Authorization', `Bearer ${token}`);
    const other = await t.login('leaving_user');
    expect((await t.http.delete('/api/v1/me').set('Authorization', `Bearer ${token}`)).status).toBe(204);
    const [rows] = await t.deps.db.query('SELECT openid, nickname, phone_enc, deleted_at FROM users WHERE id = ?', [me.body.id]);
    expect((rows as unknown[])[0]).toEqual({ openid: null, nickname: '已注销用户', phone_enc: null, deleted_at: expect.any(Date) });
    expect((await t.http.get('/api/v1/me').set('Authorization', `Bearer ${other}`)).status).toBe(401);
    const again = await t.http.post('/api/v1/auth/wechat/login').send({ code: 'test_leaving_user.again' });
    expect(again.body.user.id).not.toBe(me.body.id);
  });
});

describe('sessions and the cached user', () => {
  it("when a token's user id is swapped for another user's, then it is 401", async () => {
    const a = await t.login('swap_a');
    const b = await t.login('swap_b');
    expect((await t.http.get('/api/v1/me').set('Authorization', `Bearer ${a}`)).status).toBe(200);
    // A token is <session id><user id><signature>: another user's id under this signature.
    const forged = `${a.slice(0, 26)}${b.slice(26, 52)}${a.slice(52)}`;
    expectError(await t.http.get('/api/v1/me').set('Authorization', `Bearer ${forged}`), 401, 'UNAUTHENTICATED');
  });

  it("when a user's roles change and the user is forgotten, then the very next request sees the new roles", async () => {
    const token = await t.login('cache_race');
    const id = (await t.http.get('/api/v1/me').set('Authorization', `Bearer ${token}`)).body.id as string;
    // The role changes and the user is forgotten while this process still holds the old copy...
    await t.deps.db.query("INSERT INTO user_roles (user_id, role) VALUES (?, 'admin')", [id]);
    const { forgetUser } = await import('../../server/src/lib/auth');
    await forgetUser(t.deps.redis, id);
    // ...so the very next request reads the user again.
    expect((await t.http.get('/api/v1/me').set('Authorization', `Bearer ${token}`)).body.roles).toEqual(['villager', 'admin']);
  });
});
