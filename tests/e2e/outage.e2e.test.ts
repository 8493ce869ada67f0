import { deleteByPrefix } from '../../server/src/lib/redis';
import { startStack } from '../helpers/stack';
import { uniqueName, type TestContext } from '../helpers/context';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy';
import { launchBrowser, loginAs, byTestId, open, type Browser } from './helpers/browser';

/**
 * What happened in the fault suite, as a villager lives it: Redis restarts (sessions are lost),
 * then MariaDB restarts while the villager opens a page. The silent re-login meets a 503: the
 * villager is told the service is busy and stays signed in; when MariaDB is back, the page works.
 */
let proxy: TcpProxy;
let stack: TestContext;
let browser: Browser;
beforeAll(async () => {
  proxy = await startTcpProxy({ host: '127.0.0.1', port: 3306 });
  stack = await startStack({ seed: 'demo', overrides: { databaseUrl: `mysql://root@127.0.0.1:${proxy.port}/${uniqueName('xh_t')}` } });
  browser = await launchBrowser();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await proxy.heal().catch(() => undefined);
  await stack?.stop();
  await proxy?.close();
});

describe('a dependency outage never signs anyone out', () => {
  it('when the session is gone and MariaDB is down, then the page says 服务繁忙 and keeps the villager signed in; once MariaDB is back the page loads', async () => {
    const { page } = browser;
    await loginAs(page, stack.baseUrl, 'demo_villager');
    const token = () => page.evaluate(() => localStorage.getItem('xh.token'));
    expect(await token()).toBeTruthy();

    // Redis restarted and kept nothing: every session is gone. Then MariaDB goes down.
    await deleteByPrefix(stack.config.redisUrl, `${stack.config.redisKeyPrefix}session:`);
    await proxy.cut();
    await open(page, stack.baseUrl, 'pages/orders/index');
    await page.getByText('服务繁忙，请稍后再试').first().waitFor();
    await byTestId(page, 'orders-page').waitFor();
    expect(page.url()).toContain('pages/orders/index');
    expect(await byTestId(page, 'login-page').count()).toBe(0);
    expect(await token()).toBeTruthy();

    await proxy.heal();
    // Back: the next visit signs in again silently and shows the orders.
    const until = Date.now() + 30_000;
    for (;;) {
      await open(page, stack.baseUrl, 'pages/home/index');
      await open(page, stack.baseUrl, 'pages/orders/index');
      const loaded = await byTestId(page, 'orders-page').getByText('还没有订单').waitFor({ timeout: 3000 }).then(() => true, () => false);
      if (loaded) break;
      if (Date.now() > until) throw new Error('the orders page did not load within 30 s of MariaDB coming back');
    }
    expect(await byTestId(page, 'login-page').count()).toBe(0);
  });
});
