import { mkdirSync } from 'node:fs';
import { loginAs, byTestId, open, switchUser } from './helpers/browser';
import { journey } from './helpers/journey';
import { auth } from '../helpers/after-sales';

/**
 * A ticket nobody answers: on a 3-second clock here (the 24 hours of production), it escalates; the
 * grid manager sees it among the late ones with the store's figures, and the owner's inbox shows it
 * late, plainly.
 */
const j = journey({ overrides: { afterSales: { respondWithinSeconds: 3, escalationSweepMs: 250 } } });
const SHOTS = '.tmp/screenshots';
mkdirSync(SHOTS, { recursive: true });

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, deadlineMs = 30_000): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

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
  await page.setViewportSize({ width: 414, height: 896 });
};

describe('after-sales: the 24-hour clock runs out', () => {
  it('when the store leaves a ticket alone past respondBy, then it escalates and the grid manager and the owner see it late', async () => {
    const { page } = j.browser;
    const villager = await j.stack.login('demo_villager');
    const appliance = await j.stack.http.post('/api/v1/me/appliances').set(auth(villager)).send({ category: 'air_conditioner', brand: '美的', ageYears: 3, storeId: 'DEMO-001' });
    const opened = await j.stack.http.post('/api/v1/tickets').set(auth(villager)).send({ kind: 'repair', applianceId: appliance.body.id, description: '空调滴水，一直没人管' });
    expect(opened.status).toBe(201);
    await until('the escalation', async () => {
      const seen = await j.stack.http.get(`/api/v1/tickets/${opened.body.id}`).set(auth(villager));
      return seen.body.status === 'escalated';
    });

    await loginAs(page, j.stack.baseUrl, 'demo_grid');
    await byTestId(page, 'entry-grid').click();
    const late = byTestId(page, 'grid-ticket').filter({ hasText: '空调滴水' });
    await late.waitFor();
    await expect(late.getAttribute('data-status')).resolves.toBe('escalated');
    await expect(late.textContent()).resolves.toContain('已上报网格经理督办');
    const row = page.locator('[data-testid="grid-store"][data-store="DEMO-001"]').filter({ visible: true });
    await expect(row.locator('[data-testid="grid-store-escalated"]').textContent()).resolves.toBe('1');
    const weeks = async () => {
      await row.click();
      await byTestId(page, 'grid-weeks').waitFor();
    };
    await weeks();
    await shot('grid', 'grid-store', weeks);

    // The villager sees that it went up, the owner sees it late and can still take it on
    await switchUser(page, j.stack.baseUrl, 'demo_owner');
    await open(page, j.stack.baseUrl, 'pages/store-tickets/index');
    const card = byTestId(page, 'store-ticket-card').filter({ hasText: '空调滴水' });
    await card.waitFor();
    await expect(card.textContent()).resolves.toContain('门店超时未答复');
    await shot('store-inbox-late', 'store-ticket-card');
    await byTestId(page, 'store-ticket-card').filter({ hasText: '空调滴水' }).click();
    await byTestId(page, 'store-ticket-accept').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="ticket-status"][data-status="accepted"]') !== null);
  }, 600_000);
});
