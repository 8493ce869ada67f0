import { loginAs, byTestId, open } from './helpers/browser';
import { journey } from './helpers/journey';

const j = journey();

describe('团长中心 under the group-buy safeguards', () => {
  it('when demo_leader prices a tier below the floor, adds one neighbour twice and then removes them, then each refusal says in Chinese which field, and the removal empties the group', async () => {
    const { page } = j.browser;
    await loginAs(page, j.stack.baseUrl, 'demo_leader');
    await open(page, j.stack.baseUrl, 'pages/leader/index');
    await byTestId(page, 'leader-sku-AC-GREE-1-B').click();
    await page.waitForFunction(() => document.querySelector<HTMLInputElement>('[data-testid="leader-tier1-price"] input')?.value === '2469');
    await byTestId(page, 'leader-tier1-price').locator('input').fill('1');
    await byTestId(page, 'leader-open').click();
    await expect(byTestId(page, 'leader-open-error').textContent()).resolves.toMatch(/^第1档团购价不能低于 ¥\d+\.\d{2}（原价的 70%）$/);
    await page.screenshot({ path: `${process.env.E2E_SCREENSHOT_DIR ?? '/tmp'}/leader-price-floor.png` });

    await byTestId(page, 'leader-tier1-price').locator('input').fill('2469');
    await byTestId(page, 'leader-open').click();
    await byTestId(page, 'share-link').waitFor();
    await open(page, j.stack.baseUrl, 'pages/leader/index');
    await page.reload();
    const group = page.locator('[data-testid^="leader-group-"]').filter({ visible: true }).first();
    await group.getByText('代没有智能手机的邻居参团').click();
    const addNeighbour = async () => {
      await group.locator('input').nth(0).fill('孙奶奶');
      await group.locator('input').nth(1).fill('13712345678');
      await group.locator('input').nth(2).fill('1');
      await byTestId(page, 'leader-add-neighbour').click();
    };
    await addNeighbour();
    await group.getByText('孙奶奶（137****5678） 1 台').waitFor();
    await group.getByText('代没有智能手机的邻居参团').click();
    await addNeighbour();
    await expect(byTestId(page, 'leader-neighbour-error').textContent()).resolves.toBe('这位邻居（同一手机号）已经在这个团里了');

    await page.setViewportSize({ width: 360, height: 640 });
    await group.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${process.env.E2E_SCREENSHOT_DIR ?? '/tmp'}/leader-neighbour-360.png` });
    const remove = group.locator('[data-testid^="leader-remove-"]');
    await remove.click();
    await page.locator('.taro__modal').getByText('移出', { exact: true }).click();
    await group.getByText('孙奶奶（137****5678） 1 台').waitFor({ state: 'detached' });
    await expect(group.textContent()).resolves.toContain('已拼 0 台 · 0 户');
    await page.screenshot({ path: `${process.env.E2E_SCREENSHOT_DIR ?? '/tmp'}/leader-removed.png` });
  });
});
