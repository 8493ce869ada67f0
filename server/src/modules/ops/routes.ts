import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';
import type { Module } from '../index';
import { API_BASE, openApiDocument } from '../../lib/http';
import { AppError, notFound } from '../../lib/errors';

async function checkDependencies(deps: Parameters<Module['register']>[0]['deps']) {
  const timeout = <T>(p: Promise<T>) => Promise.race([p, new Promise<never>((_, rej) => setTimeout(() => rej(new Error('timeout')), 1500).unref())]);
  const [mysql, redis] = await Promise.allSettled([timeout(deps.db.query('SELECT 1')), timeout(deps.redis.ping())]);
  return { mysql: mysql.status === 'fulfilled' ? 'up' : 'down', redis: redis.status === 'fulfilled' ? 'up' : 'down' };
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * /metrics names every route, its traffic and the process's internals: only the scraper that
 * holds `ops.metricsToken` reads it, and with no token set it is not served at all.
 */
function assertMetricsReader(ctx: Context, token: string): void {
  if (!token) throw notFound();
  const given = /^Bearer (.+)$/.exec(ctx.get('authorization'))?.[1] ?? '';
  if (!timingSafeEqual(digest(given), digest(token))) {
    throw new AppError(401, 'UNAUTHENTICATED', '需要监控令牌', [], { 'WWW-Authenticate': 'Bearer realm="metrics"' });
  }
}

/** /healthz, /readyz, /metrics and the OpenAPI document of every registered route. */
export const opsModule: Module = {
  name: 'ops',
  register({ root, api, deps }) {
    root.get('/healthz', (ctx) => {
      ctx.body = { status: 'ok' };
    });
    root.get('/readyz', async (ctx) => {
      const checks = await checkDependencies(deps);
      const ready = checks.mysql === 'up' && checks.redis === 'up';
      ctx.status = ready ? 200 : 503;
      ctx.body = ready ? { status: 'ready', checks } : { error: { code: 'DEPENDENCY_UNAVAILABLE', message: '依赖服务不可用', requestId: ctx.state.requestId as string, details: [] }, checks };
    });
    root.get('/metrics', async (ctx) => {
      assertMetricsReader(ctx, deps.config.ops.metricsToken);
      ctx.type = deps.metrics.registry.contentType;
      ctx.body = await deps.metrics.registry.metrics();
    });
    api.get(`${API_BASE}/openapi.json`, (ctx) => {
      ctx.body = openApiDocument();
    });
  },
};
