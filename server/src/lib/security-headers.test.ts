import Koa from 'koa';
import request from 'supertest';
import { securityHeaders } from './security-headers';

const served = (env: 'production' | 'development') => {
  const app = new Koa();
  app.use(securityHeaders({ env, wechatPay: { apiBase: env === 'production' ? 'https://api.mch.weixin.qq.com' : 'http://127.0.0.1:3100' } as never }));
  app.use((ctx) => {
    ctx.body = 'ok';
  });
  return request(app.callback()).get('/');
};

describe('securityHeaders', () => {
  it('when in production, then the page may call its own origin only, and browsers keep to https', async () => {
    const res = await served('production');
    expect(res.headers['content-security-policy']).toContain("connect-src 'self' blob:;");
    expect(res.headers['content-security-policy']).toContain('upgrade-insecure-requests');
    expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
  });

  it("when in development, then the stand-in cashier may call the WeChat emulator, and nothing is upgraded to https", async () => {
    const res = await served('development');
    expect(res.headers['content-security-policy']).toContain("connect-src 'self' blob: http://127.0.0.1:3100;");
    expect(res.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
    expect(res.headers['strict-transport-security']).toBeUndefined();
  });
});
