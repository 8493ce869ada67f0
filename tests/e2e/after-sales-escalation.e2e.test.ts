import { mkdirSync } from 'node:fs';
import { loginAs, byTestId, open, switchUser } from './helpers/browser';
import { journey } from './helpers/journey';
import { auth } from '../helpers/after-sales';
import { makeDueReminders } from '../../server/src/modules/after-sales/reminders';

/**
 * A ticket nobody answers: on a 3-second clock here (the 24 hours of production), it escalates; the
 * grid manager sees it among the late ones with the store's figures, and the owner's inbox shows it
 * late, plainly. And upkeep falling due: the villager reads the reminder in 我的家电; one WeChat could
 * not remind lands on the owner's call list (回访名单).
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

/** A range hood (upkeep every 6 months) added by hand, its upkeep due yesterday (the clock moved on). */
async function dueHood(openid: string): Promise<void> {
  const token = await j.stack.login(openid);
  const res = await j.stack.http.post('/api/v1/me/appliances').set(auth(token)).send({ category: 'range_hood', brand: '方太', ageYears: 2, storeId: 'DEMO-001' });
  expect(res.status).toBe(201);
  await j.stack.deps.db.query('UPDATE appliances SET installed_at = NOW(3) - INTERVAL 6 MONTH - INTERVAL 1 DAY, next_maintenance_at = NOW(3) - INTERVAL 1 DAY WHERE id = ?', [res.body.id]);
}

describe('after-sales: upkeep reminders and the call list', () => {
  it('when upkeep falls due, then the villager sees the reminder in 我的家电, and one WeChat could not remind is on the call list until the owner marks it called', async () => {
    const { page } = j.browser;
    await dueHood('demo_villager');
    await dueHood('nosub_aunt');
    await makeDueReminders(j.stack.deps);

    await switchUser(page, j.stack.baseUrl, 'demo_villager');
    await byTestId(page, 'entry-appliances').click();
    await expect(byTestId(page, 'appliances-reminders').textContent()).resolves.toContain('方太油烟机该保养了');

    await switchUser(page, j.stack.baseUrl, 'demo_owner');
    await byTestId(page, 'entry-store-tickets').click();
    await byTestId(page, 'store-tab-calls').click();
    const call = byTestId(page, 'store-call').filter({ hasText: '方太油烟机' });
    await call.waitFor();
    await expect(byTestId(page, 'store-call').count()).resolves.toBe(1);
    await shot('store-calls', 'store-tickets-page', () => byTestId(page, 'store-tab-calls').click());
    await byTestId(page, 'store-tab-calls').click();
    await byTestId(page, 'store-call-done').click();
    await byTestId(page, 'store-calls-empty').waitFor();
  }, 600_000);
});
