import { loginAs, byTestId, open, signOut, switchUser, AT_DEMO_001 } from './helpers/browser';
import { journey } from './helpers/journey';

// The demo store is found the way a villager finds it: by the phone's location.
const j = journey({ geolocation: AT_DEMO_001 });

describe('ordering and picking up at the store', () => {
  it('when demo_villager orders at DEMO-001, demo_owner confirms with the code, then the order shows 已提货; demo_owner2 cannot find the code', async () => {
    const { page } = j.browser;
    await loginAs(page, j.stack.baseUrl, 'demo_villager');

    await open(page, j.stack.baseUrl, 'pages/products/index?category=air_conditioner');
    await byTestId(page, 'product-AC-GREE-1').click();
    await byTestId(page, 'sku-AC-GREE-1-A').click();
    await byTestId(page, 'buy').click();
    await byTestId(page, 'checkout-store-DEMO-001').click();
    await expect(byTestId(page, 'checkout-payable').textContent()).resolves.toBe('¥2999');
    await byTestId(page, 'place-order').click();

    const codeEl = byTestId(page, 'pickup-code');
    await codeEl.waitFor();
    const code = (await codeEl.getAttribute('data-code'))!;
    expect(code).toMatch(/^\d{8}$/);
    await expect(byTestId(page, 'pickup-qr').getAttribute('data-qr')).resolves.toBe(code);
    await expect(byTestId(page, 'order-status').textContent()).resolves.toBe('待提货');
    const orderUrl = page.url();

    // Weak signal: opened again without a network, the order still shows its code from what the phone kept.
    await j.browser.context.setOffline(true);
    await page.goto(`${j.stack.baseUrl}/#/pages/home/index`);
    await page.goto(orderUrl);
    await byTestId(page, 'order-offline').waitFor();
    await expect(byTestId(page, 'pickup-code').getAttribute('data-code')).resolves.toBe(code);
    await j.browser.context.setOffline(false);

    await signOut(page, j.stack.baseUrl);
    await loginAs(page, j.stack.baseUrl, 'demo_owner2');
    await open(page, j.stack.baseUrl, 'pages/store-console/index');
    await byTestId(page, 'console-code').locator('input').fill(code);
    await byTestId(page, 'console-verify').click();
    // Another store's code is "not here", with nothing of the order shown.
    await expect(byTestId(page, 'console-notice').textContent()).resolves.toBe('本店没有这个提货码的待提货订单，请核对提货码');
    expect(await byTestId(page, 'console-order').count()).toBe(0);

    await signOut(page, j.stack.baseUrl);
    await loginAs(page, j.stack.baseUrl, 'demo_owner');
    await open(page, j.stack.baseUrl, 'pages/store-console/index');
    await byTestId(page, 'console-code').locator('input').fill(code);
    await byTestId(page, 'console-verify').click();
    await byTestId(page, 'console-order').waitFor();
    await expect(byTestId(page, 'console-payable').textContent()).resolves.toBe('¥2999');
    await byTestId(page, 'pay-wechat_qr').click();
    await byTestId(page, 'console-confirm').click();
    await expect(byTestId(page, 'console-done').textContent()).resolves.toContain('已提货');
    // The same code again (a relative comes back with it): handed over already, and when.
    await byTestId(page, 'console-code').locator('input').fill(code);
    await byTestId(page, 'console-verify').click();
    await expect(byTestId(page, 'console-notice').textContent()).resolves.toMatch(/^该订单已于 \d+月\d+日 \d\d:\d\d 提货$/);

    await signOut(page, j.stack.baseUrl);
    await loginAs(page, j.stack.baseUrl, 'demo_villager');
    await page.goto(orderUrl);
    await expect(byTestId(page, 'order-status').textContent()).resolves.toBe('已提货');
    expect(await byTestId(page, 'pickup-code').count()).toBe(0);
  });

  it('when a store owner keeps typing codes that are not at the store, then the console says in Chinese how long to wait', async () => {
    const { page } = j.browser;
    await switchUser(page, j.stack.baseUrl, 'demo_owner2');
    await open(page, j.stack.baseUrl, 'pages/store-console/index');
    const notice = byTestId(page, 'console-notice');
    const seen: string[] = [];
    // At most the budget of failed look-ups (10 in a row; the journey above spent one), then the lock.
    for (let i = 0; i < 11 && !seen.some((m) => m.includes('后再试')); i++) {
      await byTestId(page, 'console-code').locator('input').fill(String(20_000_000 + i));
      // Each answer replaces the last: wait for this one's before reading it.
      await Promise.all([page.waitForResponse((r) => r.url().endsWith('/store/pickups/verify')), byTestId(page, 'console-verify').click()]);
      seen.push((await notice.textContent()) ?? '');
    }
    expect(seen.length).toBeGreaterThanOrEqual(10);
    expect(seen.slice(0, -1).every((m) => m === '本店没有这个提货码的待提货订单，请核对提货码')).toBe(true);
    expect(seen[seen.length - 1]).toBe('提货码核验失败次数过多，请 15 分钟后再试');
    await page.setViewportSize({ width: 360, height: 640 });
    await page.screenshot({ path: '.tmp/screenshots/store-console-locked.png' });
  });

  it('when the phone gives no location and no store was chosen, then checkout offers no made-up store and leads to choosing one', async () => {
    const { page, context } = j.browser;
    await switchUser(page, j.stack.baseUrl, 'demo_villager');
    await context.clearPermissions();
    await page.evaluate(() => localStorage.removeItem('xh.myStore'));
    await open(page, j.stack.baseUrl, 'pages/checkout/index?productId=AC-GREE-1&skuId=AC-GREE-1-A&units=1');
    await byTestId(page, 'checkout-no-store').waitFor();
    expect(await page.locator('[data-testid^="checkout-store-"]').count()).toBe(0);
    await byTestId(page, 'checkout-choose-store').click();
    await byTestId(page, 'stores-page').waitFor();
    await context.grantPermissions(['geolocation']);
  });
});
