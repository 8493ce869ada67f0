import { randomBytes } from 'node:crypto';
import type Koa from 'koa';
import { createTestContext, type TestContext } from '../helpers/context';
import { deepMerge } from '../../server/src/lib/config';

/**
 * The abuse suite's running product: demo data, jobs on (settlement and the outbox run as in
 * production), and a recorder of every answer, so a scenario can assert that the attack got no
 * 5xx anywhere, not only on the requests it looked at.
 */
export type AbuseContext = TestContext & {
  /** Every 5xx the product answered since the start, as "METHOD path → status". */
  serverErrors: string[];
  auth: (token: string) => { Authorization: string };
  idem: () => string;
  /** Polls `probe` until it returns something truthy, or fails after `ms`. */
  eventually: <T>(probe: () => Promise<T>, ms?: number) => Promise<T>;
  count: (sql: string, args?: unknown[]) => Promise<number>;
};

function recordServerErrors(app: Koa, into: string[]): void {
  app.middleware.unshift(async (ctx, next) => {
    await next();
    if (ctx.status >= 500) into.push(`${ctx.method} ${ctx.path} → ${ctx.status}`);
  });
}

export async function startAbuseContext(overrides: Record<string, unknown> = {}): Promise<AbuseContext> {
  const serverErrors: string[] = [];
  // The expiry sweep runs often, so a scenario waits seconds, not a minute, for it.
  const t = await createTestContext({ seed: true, jobs: true, overrides: deepMerge({ orders: { sweepIntervalMs: 300 } }, overrides), beforeListen: (app) => recordServerErrors(app, serverErrors) });
  return {
    ...t,
    serverErrors,
    auth: (token) => ({ Authorization: `Bearer ${token}` }),
    idem: () => `abuse-${randomBytes(8).toString('hex')}`,
    eventually: async (probe, ms = 20_000) => {
      const deadline = Date.now() + ms;
      for (;;) {
        const value = await probe();
        if (value) return value;
        if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${probe.toString().slice(0, 200)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    count: async (sql, args = []) => Number(((await t.deps.db.query(sql, args))[0] as { n: number | string }[])[0].n),
  };
}
