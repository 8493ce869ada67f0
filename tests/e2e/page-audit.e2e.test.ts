import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { loginAs, byTestId, open, switchUser, AT_DEMO_001 } from './helpers/browser';
import { journey } from './helpers/journey';
import { auditPage } from './helpers/audit';

/**
 * Every main page as an elderly villager sees it on a small phone (390×844 and 360×640), in normal
 * and in large-text mode (大字模式): nothing wider than the screen, body text at least 14 px (16 px
 * in large text), tab labels at least 12 px, every tap target at least 44×44 px, every image loaded,
 * no console error. Screenshots go to .tmp/screenshots/audit/ to be looked at.
 */
const j = journey({ geolocation: AT_DEMO_001 });
const SHOTS = '.tmp/screenshots/audit';
mkdirSync(SHOTS, { recursive: true });
const VIEWPORTS = [
  { width: 390, height: 844 },
  { width: 360, height: 640 },
];

type Audited = {
  name: string;
  path: () => string;
  /** A CSS selector of what shows once the page has its content (its data has arrived). */
  ready: () => string;
  /** What a person does on the page before it is looked at (fills a form, locates). */
  act?: (page: Page) => Promise<void>;
};

const state = { orderId: '', pickupCode: '' };
const errors: string[] = [];

async function setLargeText(page: Page, on: boolean): Promise<void> {
  // Taro's H5 storage format: what <Page> reads through Taro.getStorageSync('xh.largeText').
  await page.evaluate((v) => localStorage.setItem('xh.largeText', JSON.stringify({ data: v })), on);
}

async function audit(p: Audited): Promise<string[]> {
  const { page } = j.browser;
  const findings: string[] = [];
  for (const large of [false, true]) {
    await page.setViewportSize(VIEWPORTS[0]);
    await setLargeText(page, large);
    errors.length = 0;
    await open(page, j.stack.baseUrl, p.path());
    await page.reload();
    await page.locator(p.ready()).filter({ visible: true }).first().waitFor();
    await p.act?.(page);
    if (large) await page.waitForFunction(() => document.querySelector('.page.large-text') !== null);
    for (const viewport of VIEWPORTS) {
      await page.setViewportSize(viewport);
      // Taro's H5 sizes rem from the screen width on resize: wait until it has.
      const rem = Math.min(40, Math.max(20, (40 * viewport.width) / 750));
      await page.waitForFunction((px) => Math.abs(parseFloat(getComputedStyle(document.documentElement).fontSize) - px) < 0.1, rem);
      const mode = large ? 'large' : 'normal';
      await page.screenshot({ path: `${SHOTS}/${p.name}-${viewport.width}-${mode}.png` });
      const seen = await auditPage(page, { minTextPx: large ? 16 : 14, minTabLabelPx: 12, minTapPx: 44 });
      findings.push(...seen.map((f) => `${viewport.width}×${viewport.height} ${mode}: ${f}`));
      // The whole page at once: the page scrolls inside Taro's container, so the screen is made as tall.
      const tall = await page.evaluate(() => Math.max(...Array.from(document.querySelectorAll('.taro_page, .taro-tabbar__panel')).map((e) => e.scrollHeight)));
      if (tall > viewport.height) {
        await page.setViewportSize({ width: viewport.width, height: Math.min(tall + 60, 6000) });
        await page.screenshot({ path: `${SHOTS}/${p.name}-${viewport.width}-${mode}-full.png` });
      }
    }
    findings.push(...errors.map((e) => `${large ? 'large' : 'normal'}: console error: ${e}`));
  }
  await setLargeText(page, false);
  return [...new Set(findings)];
}

const VILLAGER_PAGES: Audited[] = [
  { name: 'home', path: () => 'pages/home/index', ready: () => '[data-testid="home-new-season"]' },
  { name: 'products', path: () => 'pages/products/index', ready: () => '[data-testid^="product-"]' },
  { name: 'product', path: () => 'pages/product/index?id=TV-KONKA-1', ready: () => '[data-testid="buy"]' },
  {
    name: 'stores',
    path: () => 'pages/stores/index',
    ready: () => '[data-testid="region-option"]',
    act: async (page) => {
      await byTestId(page, 'locate').click();
      await byTestId(page, 'nearby-list').waitFor();
    },
  },
  { name: 'store-detail', path: () => 'pages/store-detail/index?id=DEMO-001', ready: () => '[data-testid="store-title"]' },
  { name: 'orders', path: () => 'pages/orders/index', ready: () => `[data-testid="order-${state.orderId}"]` },
  { name: 'order', path: () => `pages/order/index?id=${state.orderId}`, ready: () => '[data-testid="pickup-code"]' },
  { name: 'me', path: () => 'pages/me/index', ready: () => '[data-testid="me-nickname"]' },
  { name: 'coupons', path: () => 'pages/coupons/index', ready: () => '[data-testid="my-coupon-NSNOW-AC100"]' },
  { name: 'group-buy', path: () => 'pages/group-buy/index', ready: () => '[data-testid^="group-01"]' },
  { name: 'trade-in', path: () => 'pages/trade-in/index', ready: () => '[data-testid="trade-in-category-air_conditioner"]' },
];

beforeAll(async () => {
  const { page } = j.browser;
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text().slice(0, 200));
  });
  page.on('pageerror', (e) => errors.push(e.message.slice(0, 200)));
  page.on('response', (r) => {
    if (r.request().resourceType() === 'image' && r.status() >= 400) errors.push(`image ${r.url()} answered ${r.status()}`);
  });
  page.on('requestfailed', (r) => {
    if (r.resourceType() === 'image') errors.push(`image ${r.url()} failed`);
  });

  // The villager has an order to pick up and a coupon, so the lists have something in them.
  const token = await j.stack.login('demo_villager');
  const auth = { Authorization: `Bearer ${token}` };
  const claim = await j.stack.http.post('/api/v1/coupons/claim').set(auth).send({ templateId: 'NSNOW-AC100' });
  expect(claim.status).toBe(201);
  const order = await j.stack.http.post('/api/v1/orders').set(auth).set('Idempotency-Key', 'audit-order-1').send({ storeId: 'DEMO-001', items: [{ skuId: 'SK-JOYOUNG-1-A', units: 1 }] });
  expect(order.status).toBe(201);
  state.orderId = order.body.id;
  state.pickupCode = order.body.pickupCode;
  await loginAs(page, j.stack.baseUrl, 'demo_villager');
}, 120_000);

describe('every main page, on small phones, in normal and large text', () => {
  it.each(VILLAGER_PAGES.map((p) => [p.name, p] as const))('when a villager opens %s, then nothing overflows, text is readable, targets are big enough', async (_name, p) => {
    expect(await audit(p)).toEqual([]);
  });

  it('when the store owner opens the console and looks up an order, then the same holds', async () => {
    const { page } = j.browser;
    await switchUser(page, j.stack.baseUrl, 'demo_owner');
    const findings = await audit({
      name: 'store-console',
      path: () => 'pages/store-console/index',
      ready: () => '[data-testid="console-code"]',
      act: async (p) => {
        await byTestId(p, 'console-code').locator('input').fill(state.pickupCode);
        await byTestId(p, 'console-verify').click();
        await byTestId(p, 'console-order').waitFor();
      },
    });
    expect(findings).toEqual([]);
  });

  it('when the group leader opens 团长中心, then the same holds', async () => {
    const { page } = j.browser;
    await switchUser(page, j.stack.baseUrl, 'demo_leader');
    expect(await audit({ name: 'leader', path: () => 'pages/leader/index', ready: () => '[data-testid="leader-commission"]' })).toEqual([]);
  });
});
