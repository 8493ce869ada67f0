import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/**
 * Debian's Chromium driven by playwright-core (NOTES.md: `npx playwright install` cannot work
 * here). A fresh profile per browser; the flags keep Chromium off the closed network.
 */
/** A phone standing at the demo store DEMO-001 (清苑区): its nearest stores come first in checkout. */
export const AT_DEMO_001 = { latitude: 38.8738, longitude: 115.4646 };

export type Browser = {
  context: BrowserContext;
  page: Page;
  /** What Chromium refused under the site's Content-Security-Policy (console errors), page by page. */
  cspViolations: string[];
  /** Closes the browser; fails when the app ran into its own Content-Security-Policy. */
  close: () => Promise<void>;
};

export async function launchBrowser(options: { geolocation?: { latitude: number; longitude: number } } = {}): Promise<Browser> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'xh-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    viewport: { width: 414, height: 896 },
    deviceScaleFactor: 1,
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    geolocation: options.geolocation,
    permissions: options.geolocation ? ['geolocation'] : [],
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  context.setDefaultTimeout(30_000);
  const cspViolations: string[] = [];
  context.on('console', (message) => {
    if (message.type() === 'error' && /Content.Security.Policy/i.test(message.text())) cspViolations.push(`${message.page()?.url() ?? ''}: ${message.text()}`);
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    cspViolations,
    close: async () => {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
      if (cspViolations.length) throw new Error(`the app broke its Content-Security-Policy:\n${cspViolations.slice(0, 10).join('\n')}`);
    },
  };
}

/** Taro's H5 router keeps earlier pages of the stack in the DOM, hidden: only what is shown counts. */
export const byTestId = (page: Page, id: string) => page.locator(`[data-testid="${id}"]`).filter({ visible: true });

/** Signs in through the H5 development sign-in page, as a person would. */
export async function loginAs(page: Page, baseUrl: string, openid: string): Promise<void> {
  await page.goto(`${baseUrl}/#/pages/login/index`);
  const demo = byTestId(page, `login-${openid}`);
  if (await demo.count()) {
    await demo.click();
  } else {
    await byTestId(page, 'login-openid').locator('input').fill(openid);
    await byTestId(page, 'login-custom').click();
  }
  await byTestId(page, 'me-nickname').waitFor();
}

/** Opens a page of the H5 build by its path (hash router). */
export async function open(page: Page, baseUrl: string, pagePath: string): Promise<void> {
  await page.goto(`${baseUrl}/#/${pagePath.replace(/^\//, '')}`);
}

/** Signs out from 我的, as a person would, and waits for the sign-in page. */
export async function signOut(page: Page, baseUrl: string): Promise<void> {
  await open(page, baseUrl, 'pages/me/index');
  await byTestId(page, 'logout').click();
  await byTestId(page, 'login-page').waitFor();
}

export async function switchUser(page: Page, baseUrl: string, openid: string): Promise<void> {
  await signOut(page, baseUrl);
  await loginAs(page, baseUrl, openid);
}
