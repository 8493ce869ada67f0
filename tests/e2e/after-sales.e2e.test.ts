import { mkdirSync } from 'node:fs';
import sharp from 'sharp';
import { loginAs, byTestId, open, switchUser, AT_DEMO_001 } from './helpers/browser';
import { journey } from './helpers/journey';
import { boughtAndPickedUp } from '../helpers/after-sales';

/**
 * 24小时售后管家 in the browser: a villager adds the old air conditioner to 我的家电 (it is past its
 * typical life: 换新 is offered), reports it broken with a photo; the owner accepts and resolves it;
 * the villager rates it with a photo for the wall; the owner approves; the store page shows it.
 */
const j = journey({ geolocation: AT_DEMO_001 });
const SHOTS = '.tmp/screenshots';
mkdirSync(SHOTS, { recursive: true });

/**
 * The page at 390×844 as it is, then in large-text mode (适老化), then back; the reloads lose what
 * was typed, so `refill` types it again.
 */
const shot = async (name: string, readyTestId: string, refill: () => Promise<void> = async () => {}) => {
  const { page } = j.browser;
  await page.setViewportSize({ width: 390, height: 844 });
  // a toast ("已添加", "已受理") fades by itself: the picture waits for it
  await page.waitForFunction(() => Array.from(document.querySelectorAll('.taro__toast')).every((e) => getComputedStyle(e).display === 'none'));
  await page.screenshot({ path: `${SHOTS}/after-sales-${name}.png`, fullPage: true });
  await page.evaluate(() => localStorage.setItem('xh.largeText', JSON.stringify({ data: true })));
  await page.reload();
  await byTestId(page, readyTestId).first().waitFor();
  await refill();
  await page.screenshot({ path: `${SHOTS}/after-sales-${name}-large.png`, fullPage: true });
  await page.evaluate(() => localStorage.removeItem('xh.largeText'));
  await page.reload();
  await byTestId(page, readyTestId).first().waitFor();
  await refill();
  await page.setViewportSize({ width: 414, height: 896 });
};

/** A photo as a phone takes it: a JPEG of a few hundred kilobytes' worth of pixels. */
const photo = (label: string, colour: string) =>
  sharp({ create: { width: 800, height: 600, channels: 3, background: colour } })
    .composite([{ input: Buffer.from(`<svg width="800" height="600"><rect x="150" y="200" width="500" height="160" rx="30" fill="#fff"/><text x="400" y="470" font-size="60" text-anchor="middle" fill="#fff">${label}</text></svg>`) }])
    .jpeg()
    .toBuffer();

/** Chooses a photo through the page's button: H5 on a phone asks camera or album first, then opens the file picker. */
async function attachPhoto(buttonTestId: string, label: string, colour: string) {
  const { page } = j.browser;
  const chooser = page.waitForEvent('filechooser');
  await byTestId(page, buttonTestId).click();
  const album = page.getByText('从相册选择', { exact: true }).filter({ visible: true });
  const first = await Promise.race([chooser.then(() => 'chooser' as const), album.waitFor().then(() => 'sheet' as const)]);
  if (first === 'sheet') await album.click();
  await (await chooser).setFiles({ name: 'photo.jpg', mimeType: 'image/jpeg', buffer: await photo(label, colour) });
}

const statusIs = (status: string) =>
  j.browser.page.waitForFunction((s) => Array.from(document.querySelectorAll('[data-testid="ticket-status"]')).some((e) => e.getAttribute('data-status') === s), status);

describe('after-sales: report, answer, rate, the photo wall', () => {
  it('when a villager reports a broken air conditioner from 我的家电, then the owner accepts and resolves it, the rating photo goes on the store wall once approved', async () => {
    const { page } = j.browser;
    await loginAs(page, j.stack.baseUrl, 'demo_villager');
    await byTestId(page, 'entry-appliances').click();
    await byTestId(page, 'appliances-empty').waitFor();
    await shot('appliances-empty', 'appliances-page');

    // An old air conditioner bought elsewhere, looked after by DEMO-001
    const fillForm = async () => {
      await byTestId(page, 'appliance-add').click();
      await byTestId(page, 'appliance-category-air_conditioner').click();
      await byTestId(page, 'appliance-brand').locator('input').fill('格力');
      await byTestId(page, 'appliance-age').locator('input').fill('12');
      await byTestId(page, 'appliance-store-DEMO-001').click();
    };
    await fillForm();
    await shot('appliance-form', 'appliances-page', fillForm);
    await byTestId(page, 'appliance-save').click();
    const card = byTestId(page, 'appliance-card').filter({ hasText: '格力空调' });
    await card.waitFor();
    await expect(card.textContent()).resolves.toContain('用了 12 年');
    await expect(card.locator('[data-testid="appliance-trade-in"]').count()).resolves.toBe(1);
    await shot('appliances', 'appliance-card');

    // 换新 opens the trade-in wizard past the brand and the age
    await card.locator('[data-testid="appliance-trade-in"]').click();
    await byTestId(page, 'trade-in-page').waitFor();
    await expect(byTestId(page, 'trade-in-question-brand').count()).resolves.toBe(0);
    await expect(byTestId(page, 'trade-in-question-ageYears').count()).resolves.toBe(0);
    await open(page, j.stack.baseUrl, 'pages/appliances/index');

    // 报修 with a photo
    await byTestId(page, 'appliance-card').filter({ hasText: '格力空调' }).locator('[data-testid="appliance-report"]').click();
    await byTestId(page, 'ticket-new-page').waitFor();
    await expect(byTestId(page, 'ticket-new-subject').textContent()).resolves.toBe('格力空调');
    const report = async () => {
      await byTestId(page, 'ticket-kind-repair').click();
      await byTestId(page, 'ticket-description').locator('textarea').fill('空调开了不制冷，外机有响声');
      await attachPhoto('ticket-add-photo', '外机', '#6b7b8c');
      await byTestId(page, 'ticket-photo').waitFor();
    };
    await report();
    await shot('ticket-new', 'ticket-new-page', report);
    await byTestId(page, 'ticket-submit').click();
    await byTestId(page, 'ticket-page').waitFor();
    await statusIs('submitted');
    await expect(byTestId(page, 'ticket-answer-by').textContent()).resolves.toMatch(/前答复您还剩(23|24)小时/);
    await expect(byTestId(page, 'ticket-event').count()).resolves.toBe(1);
    await shot('ticket-submitted', 'ticket-page');

    // The owner: the inbox, accept, resolve
    await switchUser(page, j.stack.baseUrl, 'demo_owner');
    await byTestId(page, 'entry-store-tickets').click();
    const inboxCard = byTestId(page, 'store-ticket-card').filter({ hasText: '空调开了不制冷' });
    await inboxCard.waitFor();
    await shot('store-inbox', 'store-ticket-card');
    await byTestId(page, 'store-ticket-card').filter({ hasText: '空调开了不制冷' }).click();
    await byTestId(page, 'store-ticket-accept').click();
    await statusIs('accepted');
    await shot('store-ticket-accepted', 'store-ticket-page');
    await byTestId(page, 'store-ticket-resolve').click();
    await statusIs('resolved');
    await expect(byTestId(page, 'ticket-event').count()).resolves.toBe(3);

    // The villager rates it with a photo for the wall
    await switchUser(page, j.stack.baseUrl, 'demo_villager');
    await byTestId(page, 'entry-tickets').click();
    await byTestId(page, 'ticket-card').filter({ hasText: '格力空调' }).click();
    await statusIs('resolved');
    const rate = async () => {
      await byTestId(page, 'stars-4').click();
      await byTestId(page, 'ticket-rate-comment').locator('textarea').fill('师傅来得快，修好了');
      await attachPhoto('ticket-rate-add-photo', '修好了', '#3d8c5a');
      await byTestId(page, 'ticket-rate-photo').waitFor();
    };
    await rate();
    await shot('ticket-rate', 'ticket-page', rate);
    await byTestId(page, 'ticket-rate-submit').click();
    await statusIs('closed');
    await expect(byTestId(page, 'ticket-wall-status').textContent()).resolves.toContain('等店主同意');
    await expect(byTestId(page, 'ticket-event').count()).resolves.toBe(4);
    await shot('ticket-closed', 'ticket-page');

    // The store's wall is empty until the owner approves
    await open(page, j.stack.baseUrl, 'pages/store-detail/index?id=DEMO-001');
    await byTestId(page, 'store-title').waitFor();
    await expect(byTestId(page, 'store-wall').count()).resolves.toBe(0);

    await switchUser(page, j.stack.baseUrl, 'demo_owner');
    await open(page, j.stack.baseUrl, 'pages/store-tickets/index?tab=wall');
    await byTestId(page, 'store-wall-item').waitFor();
    await shot('store-wall-review', 'store-wall-item');
    await byTestId(page, 'store-wall-approve').click();
    await byTestId(page, 'store-wall-empty').waitFor();

    await open(page, j.stack.baseUrl, 'pages/store-detail/index?id=DEMO-001');
    const onWall = byTestId(page, 'store-wall-photo');
    await onWall.waitFor();
    await expect(onWall.textContent()).resolves.toContain('师傅来得快，修好了');
    // the photo itself loads (signed URL, same origin)
    await page.waitForFunction(() => Array.from(document.querySelectorAll('[data-testid="store-wall-photo"] img')).some((i) => (i as HTMLImageElement).naturalWidth > 0));
    await shot('store-wall', 'store-wall');
  }, 600_000);

  it('when a villager asks to return an order from the order page, then the owner refunds it at the counter and the villager sees the refund', async () => {
    const { page } = j.browser;
    const [villager, owner] = await Promise.all([j.stack.login('demo_villager'), j.stack.login('demo_owner')]);
    const orderId = await boughtAndPickedUp(j.stack, villager, owner, 'AC-GREE-1-A');

    await switchUser(page, j.stack.baseUrl, 'demo_villager');
    await open(page, j.stack.baseUrl, `pages/order/index?id=${orderId}`);
    await byTestId(page, 'order-after-sales').click();
    await byTestId(page, 'ticket-new-page').waitFor();
    await byTestId(page, 'ticket-kind-return').click();
    await byTestId(page, 'ticket-description').locator('textarea').fill('买大了，房间放不下，想退');
    await byTestId(page, 'ticket-submit').click();
    await statusIs('submitted');

    await switchUser(page, j.stack.baseUrl, 'demo_owner');
    await open(page, j.stack.baseUrl, 'pages/store-tickets/index');
    await byTestId(page, 'store-ticket-card').filter({ hasText: '房间放不下' }).click();
    // a return is refunded, never "resolved"
    await byTestId(page, 'store-ticket-accept').click();
    await statusIs('accepted');
    await expect(byTestId(page, 'store-ticket-resolve').count()).resolves.toBe(0);
    const refund = async () => {
      await byTestId(page, 'store-ticket-refund-yuan').locator('input').fill('100');
      await byTestId(page, 'store-ticket-refund-cash').click();
    };
    await refund();
    await shot('store-refund', 'store-ticket-refund-form', refund);
    await byTestId(page, 'store-ticket-refund').click();
    await statusIs('refunded');

    await switchUser(page, j.stack.baseUrl, 'demo_villager');
    await open(page, j.stack.baseUrl, 'pages/tickets/index');
    await byTestId(page, 'ticket-card').filter({ hasText: '退货' }).click();
    await statusIs('refunded');
    await expect(byTestId(page, 'ticket-refund').textContent()).resolves.toContain('¥100（现金）');
    await byTestId(page, 'ticket-rate').waitFor();
    await open(page, j.stack.baseUrl, 'pages/tickets/index');
    await byTestId(page, 'ticket-card').first().waitFor();
    await shot('tickets', 'tickets-page');
  }, 600_000);
});
