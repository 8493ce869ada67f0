import { loginAs, byTestId, open, switchUser } from './helpers/browser';
import { journey } from './helpers/journey';

const j = journey();

async function joinFromLink(link: string, units: number) {
  const { page } = j.browser;
  await page.goto(link);
  await page.reload();
  await byTestId(page, 'group-join').waitFor();
  for (let i = 1; i < units; i++) await byTestId(page, 'group-plus').click();
  await byTestId(page, 'group-join').click();
  await page.waitForFunction((u) => document.querySelector('[data-testid="group-units"]')?.textContent?.includes(`已拼 ${u}`), null, { timeout: 10_000 }).catch(() => undefined);
}

async function waitForSuccess(link: string) {
  const { page } = j.browser;
  const until = Date.now() + 40_000;
  while (Date.now() < until) {
    await page.goto(link);
    await page.reload();
    await byTestId(page, 'group-status').waitFor();
    if ((await byTestId(page, 'group-status').textContent()) === '拼团成功') return;
    await page.waitForTimeout(1500);
  }
  throw new Error('the group did not settle');
}

describe('a group-buy from opening to pickup codes', () => {
  it('when demo_leader opens a short group and two villagers join from the shared link, then it settles and each sees an order with a pickup code at the tier price', async () => {
    const { page } = j.browser;
    await loginAs(page, j.stack.baseUrl, 'demo_leader');
    await open(page, j.stack.baseUrl, 'pages/leader/index');
    await byTestId(page, 'leader-sku-AC-GREE-1-B').click();
    await page.waitForFunction(() => document.querySelector<HTMLInputElement>('[data-testid="leader-tier1-price"] input')?.value === '2469');
    await byTestId(page, 'leader-minutes').locator('input').fill('0.35');
    await byTestId(page, 'leader-open').click();
    const link = (await byTestId(page, 'share-link').textContent())!;
    expect(link).toMatch(/#\/pages\/group-buy-detail\/index\?code=[A-Z0-9]{8}$/);

    await switchUser(j.browser.page, j.stack.baseUrl, 'demo_villager');
    await joinFromLink(link, 2);
    await switchUser(j.browser.page, j.stack.baseUrl, 'e2e_neighbour');
    await joinFromLink(link, 2);
    await expect(byTestId(page, 'group-units').textContent()).resolves.toContain('已拼 4 台');
    await expect(byTestId(page, 'group-price').textContent()).resolves.toBe('¥2469');

    await waitForSuccess(link);
    await expect(byTestId(page, 'group-pickup-code').textContent()).resolves.toMatch(/^\d{8}$/);
    await byTestId(page, 'group-my-order').click({ force: true });
    await expect(byTestId(page, 'order-payable').textContent()).resolves.toBe('¥4938');

    await switchUser(j.browser.page, j.stack.baseUrl, 'demo_villager');
    // The other member's view, read again until it shows the code (a loaded machine answers slowly).
    const until = Date.now() + 60_000;
    for (;;) {
      await page.goto(link);
      await page.reload();
      if (await byTestId(page, 'group-pickup-code').waitFor({ timeout: 10_000 }).then(() => true, () => false)) break;
      if (Date.now() > until) throw new Error("demo_villager's view of the settled group shows no pickup code");
    }
    await expect(byTestId(page, 'group-price').textContent()).resolves.toBe('¥2469');
  });
});
