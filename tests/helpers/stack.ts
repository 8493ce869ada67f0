import { createTestContext, type TestContext } from './context';

/**
 * The running product for end-to-end tests: demo data in a fresh database, the WeChat emulator,
 * the BFF with its jobs, serving the H5 build (client/dist-h5) at baseUrl and the API under it.
 */
export async function startStack(options: { seed?: 'demo' | 'none'; overrides?: Record<string, unknown> } = {}): Promise<TestContext> {
  return createTestContext({ seed: options.seed !== 'none', jobs: true, overrides: options.overrides });
}
