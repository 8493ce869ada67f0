import { mkdirSync } from 'node:fs';
import { loginAs, byTestId, open, switchUser, AT_DEMO_001 } from './helpers/browser';
import { journey } from './helpers/journey';

/**
 * Paying online (微信支付) beside paying at the store: the villager pays in WeChat's cashier (the
 * H5 build's stand-in, paying at the emulator), the order shows 已付款 once WeChat Pay has told the
 * server; the owner sees it as paid at the handover and collects nothing; a cancelled paid order
 * shows its refund.
 */
const j = journey({ geolocation: AT_DEMO_001 });
const SHOTS = '.tmp/screenshots';
mkdirSync(SHOTS, { recursive: true });

const shot = async (name: string) => {
  const { page } = j.browser;
  for (const [w, h] of [[390, 844], [360, 640]]) {
    await page.setViewportSize({ width: w, height: h });
    await page.screenshot({ path: `${SHOTS}/payments-${name}-${w}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 414, height: 896 });
};

/** Waits for an element to say `text` (the order's payment line changes as the page polls the server). */
const shows = (testId: string, text: string, timeout = 30_000) =>
  j.browser.page.waitForFunction(([id, t]) => Array.from(document.querySelectorAll(`[data-testid="${id}"]`)).some((e) => e.textContent === t), [testId, text], { timeout });
const paymentShows = (text: string, timeout: number) => shows('order-payment-status', text, timeout);

async function buyOnline(productId: string, skuId: string): Promise<string> {
  const { page } = j.browser;
  await open(page, j.stack.baseUrl, `pages/product/index?id=${productId}`);
  await byTestId(page, `sku-${skuId}`).click();
  await byTestId(page, 'buy').click();
  await byTestId(page, 'checkout-store-DEMO-001').click();
  await byTestId(page, 'checkout-pay-online').click();
  await expect(byTestId(page, 'place-order').textContent()).resolves.toBe('提交订单，微信支付');
  await byTestId(page, 'place-order').click();
  await byTestId(page, 'cashier-page').waitFor();
  return page.url();
}

describe('paying online with WeChat Pay', () => {
  it('when a villager pays online, then the order shows 已付款, and the owner hands it over as paid without collecting', async () => {
    const { page } = j.browser;
    await loginAs(page, j.stack.baseUrl, 'demo_villager');
    await open(page, j.stack.baseUrl, 'pages/product/index?id=TV-KONKA-1');
    await byTestId(page, 'sku-TV-KONKA-1-A').click();
    await byTestId(page, 'buy').click();
    await byTestId(page, 'checkout-store-DEMO-001').click();
    await byTestId(page, 'checkout-pay-online').waitFor();
    await byTestId(page, 'checkout-pay-online').click();
    await shot('checkout');
    await byTestId(page, 'place-order').click();

    await byTestId(page, 'cashier-page').waitFor();
    const amount = await byTestId(page, 'cashier-amount').textContent();
    expect(amount).toMatch(/^¥\d+/);
    await shot('cashier');
    await byTestId(page, 'cashier-pay').click();

    await byTestId(page, 'order-page').waitFor();
    await paymentShows('已付款', 30_000);
    await expect(byTestId(page, 'order-payable').textContent()).resolves.toBe(amount);
    const code = (await byTestId(page, 'pickup-code').getAttribute('data-code'))!;
    await shot('order-paid');

    await switchUser(page, j.stack.baseUrl, 'demo_owner');
    await open(page, j.stack.baseUrl, 'pages/store-console/index');
    await byTestId(page, 'console-code').locator('input').fill(code);
    await byTestId(page, 'console-verify').click();
    await byTestId(page, 'console-prepaid').waitFor();
    expect(await byTestId(page, 'pay-cash').count()).toBe(0);
    await shot('console-prepaid');
    await byTestId(page, 'console-confirm').click();
    await expect(byTestId(page, 'console-done').textContent()).resolves.toContain('已提货，已在线付款');
  });

  it('when a villager cancels an order paid online, then the order shows the refund until the money is back', async () => {
    const { page } = j.browser;
    await switchUser(page, j.stack.baseUrl, 'demo_villager');
    await buyOnline('SK-JOYOUNG-1', 'SK-JOYOUNG-1-A');
    await byTestId(page, 'cashier-pay').click();
    await paymentShows('已付款', 30_000);

    await byTestId(page, 'cancel-order').click();
    await page.getByText('确定', { exact: true }).filter({ visible: true }).click();
    await shows('order-status', '已取消');
    await paymentShows('已退款', 60_000);
    await expect(byTestId(page, 'order-refund').textContent()).resolves.toContain('已退');
    await shot('order-refunded');
  });

  it('when the villager leaves the cashier without paying, then the order waits with a button to pay, which pays', async () => {
    const { page } = j.browser;
    await buyOnline('SK-JOYOUNG-1', 'SK-JOYOUNG-1-A');
    await byTestId(page, 'cashier-cancel').click();
    await byTestId(page, 'order-page').waitFor();
    await paymentShows('待付款', 30_000);
    await shot('order-unpaid');
    await byTestId(page, 'order-pay').click();
    await byTestId(page, 'cashier-pay').click();
    await paymentShows('已付款', 30_000);
  });
});
