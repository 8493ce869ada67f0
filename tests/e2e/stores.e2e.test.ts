import { startStack } from '../helpers/stack';
import type { TestContext } from '../helpers/context';
import { launchBrowser, open, type Browser } from './helpers/browser';

let stack: TestContext;
let browser: Browser;
beforeAll(async () => {
  stack = await startStack({ seed: 'demo' });
  browser = await launchBrowser({ geolocation: { latitude: 38.8738, longitude: 115.4646 } });
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

// Taro's H5 router keeps earlier pages of the stack in the DOM (hidden): look at the visible ones only.
const byTestId = (page: Browser['page'], id: string, attrs = '') => page.locator(`[data-testid="${id}"]${attrs}:visible`);
let page: Browser['page'];
const shot = (name: string) => (process.env.E2E_SCREENSHOTS ? page.screenshot({ path: `/tmp/xh-${name}.png`, fullPage: true }) : undefined);

// Each journey starts in a fresh tab, as a person opening the mini-program again.
beforeEach(async () => {
  page = await browser.context.newPage();
});
afterEach(async () => {
  await page.close();
});

describe('finding a store (stores journey)', () => {
  it('when the phone stands at DEMO-001 and 用我的位置 is pressed, then DEMO-001 is listed first within a kilometre and its page has hours, services, call and map', async () => {
    await open(page, stack.baseUrl, 'pages/stores/index');
    await byTestId(page, 'locate').waitFor({ timeout: 60_000 }); // the first load of the H5 bundle on a busy machine
    await byTestId(page, 'locate').click();
    const first = byTestId(page, 'store-card').first();
    await first.waitFor();
    expect(await first.getAttribute('data-store-id')).toBe('DEMO-001');
    // The browser gives WGS-84; the page converts it to GCJ-02, a few hundred metres off the demo point.
    expect(await first.locator('[data-testid="store-distance"]').textContent()).toMatch(/^\d+ 米$/);
    await expect(byTestId(page, 'nearby-list').textContent()).resolves.toContain('星火智慧厨房 臧村镇店');
    await shot('stores-nearby');

    await first.click();
    await expect(byTestId(page, 'store-title').textContent()).resolves.toBe('星火家电 清苑镇店');
    await expect(byTestId(page, 'store-hours').textContent()).resolves.toBe('08:00-20:00');
    await expect(byTestId(page, 'store-services').textContent()).resolves.toContain('以旧换新');
    await expect(byTestId(page, 'store-call').textContent()).resolves.toContain('0312-8012001');
    await byTestId(page, 'store-map').waitFor();
    await shot('store-detail');
  });

  it('when picking 河北省 → 保定市 → 清苑区 → 臧村镇 → 臧村, then the village page lists DEMO-002 serving it', async () => {
    await open(page, stack.baseUrl, 'pages/stores/index');
    for (const code of ['13', '1306', '130608', '130608107', '130608107202']) {
      await byTestId(page, 'region-option', `[data-code="${code}"]`).click();
    }
    await expect(byTestId(page, 'village-path').textContent()).resolves.toBe('河北省/保定市/清苑区/臧村镇/臧村村民委员会');
    await page.locator('[data-testid="village-page"]:visible [data-testid="store-card"][data-store-id="DEMO-002"]').waitFor();
    await shot('village');
  });

  it('when searching 臧村, then the village is found with its path and opens its stores', async () => {
    await open(page, stack.baseUrl, 'pages/stores/index');
    await byTestId(page, 'village-search-input').locator('input').fill('臧村');
    await byTestId(page, 'village-search').click();
    const hit = byTestId(page, 'search-result', '[data-code="130608107202"]');
    await expect(hit.textContent()).resolves.toBe('河北省/保定市/清苑区/臧村镇/臧村村民委员会');
    await shot('search');
    await hit.click();
    await page.locator('[data-testid="village-page"]:visible [data-testid="store-card"][data-store-id="DEMO-002"]').waitFor();
  });

  it('when a name matches nothing, then a clear empty state shows', async () => {
    await open(page, stack.baseUrl, 'pages/stores/index');
    await byTestId(page, 'village-search-input').locator('input').fill('不存在的地方');
    await byTestId(page, 'village-search').click();
    await byTestId(page, 'search-empty').waitFor();
  });
});
