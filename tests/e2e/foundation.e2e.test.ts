import { loginAs, byTestId } from './helpers/browser';
import { journey } from './helpers/journey';

const j = journey();

// In rem: Taro's H5 sets the root font size from the viewport, which may settle differently after a reload.
const fontSize = (el: import('playwright-core').Locator) =>
  el.evaluate((n) => parseFloat(getComputedStyle(n).fontSize) / parseFloat(getComputedStyle(document.documentElement).fontSize));

describe('signing in and large text (foundation journey)', () => {
  it('when demo_villager signs in, switches large text on and reloads, then 我的 shows the name in larger text, still', async () => {
    const { page } = j.browser;
    await loginAs(page, j.stack.baseUrl, 'demo_villager');
    const name = byTestId(page, 'me-nickname');
    await expect(name.textContent()).resolves.toBe('王大妈');
    await expect(byTestId(page, 'me-roles').textContent()).resolves.toContain('村民');
    const before = await fontSize(name);

    await byTestId(page, 'large-text-switch').click();
    await page.waitForFunction(() => document.querySelector('.page')?.classList.contains('large-text'));
    const after = await fontSize(name);
    expect(after).toBeGreaterThan(before * 1.2);

    await page.reload();
    await byTestId(page, 'me-nickname').waitFor();
    expect(await fontSize(byTestId(page, 'me-nickname'))).toBeCloseTo(after, 2);
  });

  it('when demo_owner signs in, then 我的 shows the 店主 role and the store DEMO-001 by its name', async () => {
    const { page } = j.browser;
    await byTestId(page, 'logout').click();
    await loginAs(page, j.stack.baseUrl, 'demo_owner');
    await expect(byTestId(page, 'me-roles').textContent()).resolves.toContain('店主');
    await page.waitForFunction(() => document.querySelector('[data-testid="me-stores"]')?.textContent?.includes('星火家电 清苑镇店'));
    await expect(byTestId(page, 'me-stores').textContent()).resolves.not.toContain('DEMO-001');
  });
});
