import { createTestContext, type TestContext } from '../helpers/context';
import { startBffProcess, type BffProcess } from '../helpers/processes';

/**
 * A benchmark's own product: a fresh database (test-scale demo data) and Redis prefix, the WeChat
 * emulator, and the BFF as a process of its own, so the load generator and the server each get a core.
 */
export async function startBenchProduct(env: Record<string, string> | ((t: TestContext) => Record<string, string>) = {}): Promise<{ t: TestContext; bff: BffProcess; tokens: (n: number, prefix: string) => Promise<string[]>; stop: () => Promise<void> }> {
  const t = await createTestContext({ seed: true, overrides: { logLevel: 'silent' } });
  const bff = await startBffProcess({
    DATABASE_URL: t.config.databaseUrl,
    REDIS_KEY_PREFIX: t.config.redisKeyPrefix,
    WECHAT_API_BASE: t.emulator.url,
    JOBS_ENABLED: 'true',
    DB_POOL_SIZE: '30',
    LOG_LEVEL: 'silent',
    ...(typeof env === 'function' ? env(t) : env),
  });
  const tokens = async (n: number, prefix: string) => {
    const out: string[] = [];
    for (let i = 0; i < n; i += 20) out.push(...(await Promise.all(Array.from({ length: Math.min(20, n - i) }, (_, k) => t.login(`${prefix}_${i + k}`)))));
    return out;
  };
  return {
    t,
    bff,
    tokens,
    stop: async () => {
      await bff.kill('SIGTERM');
      await t.stop();
    },
  };
}
