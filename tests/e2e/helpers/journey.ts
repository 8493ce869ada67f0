import { startStack } from '../../helpers/stack';
import type { TestContext } from '../../helpers/context';
import { launchBrowser, type Browser } from './browser';

/**
 * A journey's world: the running product with demo data and a Chromium, made before the file's
 * tests and taken down after them. Read `j.stack` and `j.browser` inside tests. `overrides` change the
 * stack's configuration (a short after-sales clock, say).
 */
export function journey(
  options: Parameters<typeof launchBrowser>[0] & { overrides?: Record<string, unknown> } = {},
): { stack: TestContext; browser: Browser } {
  const j = {} as { stack: TestContext; browser: Browser };
  const { overrides, ...browserOptions } = options;
  beforeAll(async () => {
    j.stack = await startStack({ seed: 'demo', overrides });
    j.browser = await launchBrowser(browserOptions);
  }, 180_000);
  afterAll(async () => {
    await j.browser?.close();
    await j.stack?.stop();
  });
  return j;
}
