import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import Koa, { type Context, type Next } from 'koa';
import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import cors from '@koa/cors';
import type { Deps } from './lib/deps';
import { AppError, isDependencyDown } from './lib/errors';
import { authenticate } from './lib/auth';
import { requestContext } from './lib/request-context';
import { trustProxies } from './lib/client-address';
import { clientDelivery } from './lib/client-delivery';
import { modules } from './modules';

import { API_BASE } from './lib/http';
export { API_BASE };
const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** The one error middleware: API.md's error shape for every failure, no internals on a 5xx. */
function errors(deps: Deps) {
  return async (ctx: Context, next: Next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new AppError(404, 'NOT_FOUND', '找不到该资源');
      }
    } catch (err) {
      let e: AppError;
      if (err instanceof AppError) {
        e = err;
      } else if ((err as { type?: string }).type === 'entity.parse.failed' || (err as Error).name === 'SyntaxError') {
        e = new AppError(400, 'MALFORMED_JSON', '请求内容不是合法的 JSON');
      } else if ((err as { status?: number }).status === 413 || (err as { type?: string }).type === 'entity.too.large') {
        e = new AppError(413, 'PAYLOAD_TOO_LARGE', '请求内容太大');
      } else if ((err as { status?: number }).status === 415 || (err as { type?: string }).type === 'charset.unsupported' || (err as { type?: string }).type === 'encoding.unsupported') {
        e = new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', '请求内容格式不支持');
      } else if ((err as { status?: number }).status === 400 || (err as { type?: string }).type === 'request.aborted') {
        e = new AppError(400, 'MALFORMED_JSON', '请求内容无法读取');
      } else if (isDependencyDown(err)) {
        deps.logger.warn({ err: (err as Error).message }, 'dependency unavailable');
        e = new AppError(503, 'DEPENDENCY_UNAVAILABLE', '服务暂时不可用，请稍后再试');
        e.headers['Retry-After'] = '2';
      } else {
        deps.logger.error({ err }, 'unhandled error');
        e = new AppError(503, 'INTERNAL', '服务暂时不可用，请稍后再试');
      }
      ctx.status = e.status;
      for (const [k, v] of Object.entries(e.headers)) ctx.set(k, v);
      ctx.body = { error: { ...e.extra, code: e.code, message: e.message, requestId: ctx.state.requestId as string, details: e.details } };
    }
  };
}

function requestScope(deps: Deps) {
  return async (ctx: Context, next: Next) => {
    const incoming = ctx.get('x-request-id');
    const requestId = REQUEST_ID.test(incoming) ? incoming : randomUUID();
    ctx.state.requestId = requestId;
    ctx.set('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    await requestContext.run({ requestId }, async () => {
      try {
        await next();
      } finally {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        const route = (ctx as unknown as { _matchedRoute?: string })._matchedRoute ?? (ctx.path.startsWith(API_BASE) ? 'unmatched' : 'static');
        const labels = { method: ctx.method, route: String(route), status: String(ctx.status) };
        deps.metrics.httpDuration.observe(labels, seconds);
        deps.metrics.httpRequests.inc(labels);
        if (ctx.status >= 500) deps.logger.warn({ method: ctx.method, route, status: ctx.status, ms: Math.round(seconds * 1000) }, 'request failed');
        else deps.logger.debug({ method: ctx.method, route, status: ctx.status, ms: Math.round(seconds * 1000) }, 'request');
      }
    });
  };
}

/** The Koa app without a port: main.ts listens, tests drive it through supertest or a port. */
export function buildApp(deps: Deps): Koa {
  // Koa's own proxy handling stays off: clientAddress(ctx) applies the trusted-proxy setting.
  const app = new Koa({ proxy: false });
  trustProxies(app, deps.config.trustedProxies);
  app.silent = true;
  app.use(requestScope(deps));
  app.use(errors(deps));
  app.use(cors({ allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id'], exposeHeaders: ['X-Request-Id', 'Retry-After'] }));
  app.use(
    bodyParser({
      enableTypes: ['json'],
      // Photo uploads are multipart: their route reads the stream itself.
      detectJSON: (ctx) => ctx.path.startsWith(API_BASE) && !ctx.is('multipart/form-data'),
      jsonLimit: deps.config.bodyLimitBytes,
      encoding: 'utf-8',
    }),
  );

  const root = new Router();
  const api = new Router();
  api.use(API_BASE, authenticate(deps));
  for (const m of modules) m.register({ root, api, deps });
  app.use(root.routes()).use(root.allowedMethods());
  app.use(api.routes()).use(api.allowedMethods({ throw: true, methodNotAllowed: () => new AppError(405, 'METHOD_NOT_ALLOWED', '不支持该请求方法'), notImplemented: () => new AppError(501, 'NOT_IMPLEMENTED', '不支持该请求方法') }));

  const h5 = path.resolve(__dirname, '../..', deps.config.h5Dir);
  if (existsSync(h5)) {
    const h5Files = clientDelivery(h5);
    app.use(async (ctx, next) => {
      if (ctx.path.startsWith(API_BASE)) await next();
      else await h5Files(ctx, next);
    });
  }
  return app;
}
