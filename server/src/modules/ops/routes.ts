import type { Module } from '../index';
import { API_BASE, openApiDocument } from '../../lib/http';

async function checkDependencies(deps: Parameters<Module['register']>[0]['deps']) {
  const timeout = <T>(p: Promise<T>) => Promise.race([p, new Promise<never>((_, rej) => setTimeout(() => rej(new Error('timeout')), 1500).unref())]);
  const [mysql, redis] = await Promise.allSettled([timeout(deps.db.query('SELECT 1')), timeout(deps.redis.ping())]);
  return { mysql: mysql.status === 'fulfilled' ? 'up' : 'down', redis: redis.status === 'fulfilled' ? 'up' : 'down' };
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
      ctx.type = deps.metrics.registry.contentType;
      ctx.body = await deps.metrics.registry.metrics();
    });
    api.get(`${API_BASE}/openapi.json`, (ctx) => {
      ctx.body = openApiDocument();
    });
  },
};
