import Koa from 'koa';
import request from 'supertest';
import { scanResponses } from '../helpers/context';

// The scanner every suite runs over its responses (tests/helpers/context.ts) must catch leaks.
describe('the response scanner', () => {
  it('when a response carries a session key, a full phone number or another user\'s token, then it is reported', async () => {
    const app = new Koa();
    const leaks = scanResponses(app);
    app.use((ctx) => {
      if (ctx.path === '/auth/wechat/login') ctx.body = { token: `tok_${String(ctx.query.who)}_abcdefghijklmnopqrstuvwxyz` };
      else if (ctx.path === '/phone') ctx.body = { phone: '13812345678' };
      else if (ctx.path === '/masked') ctx.body = { phone: '138****5678', village: '130608107202' };
      // Prometheus's numbers (bytes of virtual memory), read only with the scraper's token.
      else if (ctx.path === '/metrics') ctx.body = 'process_virtual_memory_bytes 13352439808\n';
      else if (ctx.path === '/key') ctx.body = { session_key: 'x' };
      else ctx.body = { echo: 'tok_a_abcdefghijklmnopqrstuvwxyz' };
    });
    const http = request(app.callback());
    await http.get('/auth/wechat/login?who=a');
    await http.get('/masked');
    await http.get('/metrics');
    expect(leaks).toEqual([]);
    await http.get('/phone');
    await http.get('/key');
    await http.get('/other').set('Authorization', 'Bearer tok_b');
    expect(leaks).toEqual([
      expect.stringContaining('unmasked phone'),
      expect.stringContaining('session key'),
      expect.stringContaining("another session's token"),
    ]);
  });
});
