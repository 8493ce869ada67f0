import { loginAs, byTestId, open, AT_DEMO_001 } from './helpers/browser';
import { journey } from './helpers/journey';

// The demo store is found the way a villager finds it: by the phone's location.
const j = journey({ geolocation: AT_DEMO_001 });

describe('the Super New Product Season on 首页', () => {
  it('when demo_villager claims at the running campaign, then it shows 已领取, is in 我的优惠券, and lowers the price of an order', async () => {
    const { page } = j.browser;
    await loginAs(page, j.stack.baseUrl, 'demo_villager');
    await open(page, j.stack.baseUrl, 'pages/home/index');
    const button = byTestId(page, 'claim-NSNOW-AC100');
    await expect(button.textContent()).resolves.toBe('立即领取');
    const before = Number(await byTestId(page, 'remaining-NSNOW-AC100').textContent());
    await button.click();
    await page.waitForFunction(() => document.querySelector('[data-testid="claim-NSNOW-AC100"]')?.textContent === '已领取');
    await expect(byTestId(page, 'remaining-NSNOW-AC100').textContent()).resolves.toBe(String(before - 1));

    await open(page, j.stack.baseUrl, 'pages/coupons/index');
    await byTestId(page, 'my-coupon-NSNOW-AC100').waitFor();

    await open(page, j.stack.baseUrl, 'pages/product/index?id=AC-GREE-1');
    await byTestId(page, 'sku-AC-GREE-1-A').click();
    await byTestId(page, 'buy').click();
    await byTestId(page, 'checkout-coupon-NSNOW-AC100').waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid="checkout-payable"]')?.textContent === '¥2899');
    await byTestId(page, 'place-order').click();
    await byTestId(page, 'pickup-code').waitFor();
    await expect(byTestId(page, 'order-coupon-fen').textContent()).resolves.toBe('-¥100');
    await expect(byTestId(page, 'order-payable').textContent()).resolves.toBe('¥2899');
  });

  it('when a campaign opens within the hour, then 首页 counts down to it with the server clock and its coupons say 未开始', async () => {
    const admin = await j.stack.login('demo_admin');
    const startsAt = new Date(Date.now() + 3_600_000 - 5_000).toISOString();
    const res = await j.stack.http.post('/api/v1/admin/campaigns').set('Authorization', `Bearer ${admin}`).send({
      name: '超级新品季暨空调厨卫节', startsAt, endsAt: new Date(Date.now() + 7_200_000).toISOString(),
      coupons: [{ title: '厨卫 满2000减200', kind: 'threshold', thresholdFen: 200000, discountFen: 20000, categories: ['range_hood', 'gas_hob'], total: 10, perUserLimit: 1, validDays: 30 }],
    });
    const { page } = j.browser;
    await open(page, j.stack.baseUrl, 'pages/home/index');
    await page.reload();
    const countdown = byTestId(page, `countdown-${res.body.id}`);
    await countdown.waitFor();
    expect(await countdown.textContent()).toMatch(/^距开抢 00:59:\d\d$/);
    await expect(byTestId(page, `claim-${res.body.coupons[0].templateId}`).textContent()).resolves.toBe('未开始');
  });

  it('when 首页 is hidden behind another page, then it stops asking for campaigns, and asks again once shown', async () => {
    const { page } = j.browser;
    // The page's own clock, driven by the test: 10 s polls pass in no time and nothing waits on luck.
    await page.clock.install();
    await page.addInitScript(() => {
      const w = window as unknown as { campaignRequests: number };
      w.campaignRequests = 0;
      const original = window.fetch.bind(window);
      window.fetch = (input, init) => {
        if (String(input instanceof Request ? input.url : input).includes('/campaigns/active')) w.campaignRequests += 1;
        return original(input, init);
      };
    });
    await open(page, j.stack.baseUrl, 'pages/home/index');
    await page.reload();
    await byTestId(page, 'home-new-season').waitFor();
    const asked = () => page.evaluate(() => (window as unknown as { campaignRequests: number }).campaignRequests);
    const askedAtLeast = (n: number) => page.waitForFunction((k) => (window as unknown as { campaignRequests: number }).campaignRequests >= k, n, { polling: 100 });

    const shown = await asked();
    await page.clock.runFor(21_000);
    await askedAtLeast(shown + 2);

    await byTestId(page, 'home-new-season').click();
    await byTestId(page, 'products-page').waitFor();
    const hidden = await asked();
    await page.clock.runFor(60_000);
    expect(await asked()).toBe(hidden);

    await page.goBack();
    await byTestId(page, 'home-page').waitFor();
    await askedAtLeast(hidden + 1);
    const back = await asked();
    await page.clock.runFor(21_000);
    await askedAtLeast(back + 2);
  });
});
