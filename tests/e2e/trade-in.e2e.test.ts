import { loginAs, byTestId, open, signOut, AT_DEMO_001 } from './helpers/browser';
import { journey } from './helpers/journey';

// The demo store is found the way a villager finds it: by the phone's location.
const j = journey({ geolocation: AT_DEMO_001 });

const SHOTS = process.env.E2E_SCREENSHOTS;
const shot = async (name: string) => {
  if (!SHOTS) return;
  await j.browser.page.waitForTimeout(700); // let the page's slide-in finish
  await j.browser.page.screenshot({ path: `${SHOTS}/trade-in-${name}.png`, fullPage: true });
};

describe('trade-in, from the quote to the store', () => {
  it('when demo_villager quotes an 8-year-old working 1.5匹 Gree AC in good condition and orders a new AC with it, then the credit is on the order; demo_owner records fair at pickup and the villager sees the adjusted amount', async () => {
    const { page } = j.browser;
    await loginAs(page, j.stack.baseUrl, 'demo_villager');

    // Both 我的 and 首页 lead to the wizard; the journey starts from 首页.
    await open(page, j.stack.baseUrl, 'pages/me/index');
    await byTestId(page, 'entry-trade-in').waitFor();
    await open(page, j.stack.baseUrl, 'pages/home/index');
    await byTestId(page, 'home-trade-in').click();
    await byTestId(page, 'trade-in-category-air_conditioner').click();
    await shot('1-brand');
    await byTestId(page, 'trade-in-option-brand-格力').click();
    await byTestId(page, 'trade-in-option-horsepower-1.5').click();
    await byTestId(page, 'trade-in-option-ageYears-8').click();
    await byTestId(page, 'trade-in-option-condition-good').click();
    await byTestId(page, 'trade-in-option-working-true').click();

    await byTestId(page, 'trade-in-result-page').waitFor();
    await expect(byTestId(page, 'trade-in-total').textContent()).resolves.toBe('¥493.76');
    await expect(byTestId(page, 'trade-in-subsidy').textContent()).resolves.toBe('¥248.96');
    await expect(byTestId(page, 'trade-in-breakdown').textContent()).resolves.toContain('使用8年折旧');
    await shot('2-result');

    await byTestId(page, 'trade-in-use').click();
    await byTestId(page, 'product-AC-GREE-1').click();
    await byTestId(page, 'sku-AC-GREE-1-A').click();
    await byTestId(page, 'buy').click();
    await byTestId(page, 'checkout-store-DEMO-001').click();
    await byTestId(page, 'checkout-trade-in').waitFor();
    await expect(byTestId(page, 'checkout-payable').textContent()).resolves.toBe('¥2505.24');
    await shot('3-checkout');
    await byTestId(page, 'place-order').click();

    const codeEl = byTestId(page, 'pickup-code');
    await codeEl.waitFor();
    const code = (await codeEl.getAttribute('data-code'))!;
    await expect(byTestId(page, 'order-trade-in-fen').textContent()).resolves.toBe('-¥493.76');
    await expect(byTestId(page, 'order-payable').textContent()).resolves.toBe('¥2505.24');
    const orderUrl = page.url();
    await shot('4-order');

    await signOut(j.browser.page, j.stack.baseUrl);
    await loginAs(page, j.stack.baseUrl, 'demo_owner');
    await open(page, j.stack.baseUrl, 'pages/store-console/index');
    await byTestId(page, 'console-code').locator('input').fill(code);
    await byTestId(page, 'console-verify').click();
    await byTestId(page, 'console-trade-in').waitFor();
    await byTestId(page, 'inspect-fair').click();
    await shot('5-console');
    await byTestId(page, 'console-confirm').click();
    await expect(byTestId(page, 'console-done').textContent()).resolves.toContain('已提货');

    await signOut(j.browser.page, j.stack.baseUrl);
    await loginAs(page, j.stack.baseUrl, 'demo_villager');
    await page.goto(orderUrl);
    await expect(byTestId(page, 'order-trade-in-fen').textContent()).resolves.toBe('-¥424.64');
    await expect(byTestId(page, 'order-payable').textContent()).resolves.toBe('¥2574.36');
    await byTestId(page, 'order-trade-in-link').click();
    await byTestId(page, 'trade-in-inspection').waitFor();
    await expect(byTestId(page, 'trade-in-final').textContent()).resolves.toBe('¥424.64');
    await shot('6-inspected');
  });
});
