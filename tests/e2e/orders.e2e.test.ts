import { loginAs, byTestId, open, signOut } from './helpers/browser';
import { journey } from './helpers/journey';

const j = journey();

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
    await page.waitForTimeout(800);
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

    await signOut(page, j.stack.baseUrl);
    await loginAs(page, j.stack.baseUrl, 'demo_villager');
    await page.goto(orderUrl);
    await expect(byTestId(page, 'order-status').textContent()).resolves.toBe('已提货');
    expect(await byTestId(page, 'pickup-code').count()).toBe(0);
  });
});
