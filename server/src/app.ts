import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Koa, { type Context, type Next } from 'koa';
import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import cors from '@koa/cors';
import type { Deps } from './lib/deps';
import { AppError, isDependencyDown } from './lib/errors';
import { authenticate } from './lib/auth';
import { requestContext } from './lib/request-context';
import { clientAddress, trustProxies } from './lib/client-address';
import { clientDelivery } from './lib/client-delivery';
import { consumeRateLimit } from './lib/rate-limit';
import { inlineScriptHashes, securityHeaders } from './lib/security-headers';
import { modules } from './modules';

import { API_BASE, type AnonymousBudget } from './lib/http';
export { API_BASE };
const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** The body parser's own failures (raw-body): a body that could not be read as sent. */
const isBodyReadError = (err: unknown) => {
  const type = (err as { type?: string }).type;
  return typeof type === 'string' && (err as { status?: number }).status === 400 && /^(request\.|stream\.)/.test(type);
};

/**
 * A 4xx that the framework or a library meant for the client (http-errors with `expose`: a path
 * that climbs out of the H5 folder, a URL that does not decode, a range it cannot serve).
 */
function clientErrorStatus(err: unknown): number | null {
  const e = err as { status?: unknown; statusCode?: unknown; expose?: unknown };
  const status = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : null;
  return status !== null && status >= 400 && status < 500 && e.expose !== false ? status : null;
}

const FRAMEWORK_ERRORS: Record<number, [string, string]> = {
  400: ['BAD_REQUEST', '请求地址或内容有误'],
  401: ['UNAUTHENTICATED', '请先登录'],
  // A file outside the H5 folder (`/..%2fpackage.json`) is not served and not confirmed to exist.
  403: ['NOT_FOUND', '找不到该资源'],
  404: ['NOT_FOUND', '找不到该资源'],
  405: ['METHOD_NOT_ALLOWED', '不支持该请求方法'],
  406: ['NOT_ACCEPTABLE', '不支持该内容格式'],
  413: ['PAYLOAD_TOO_LARGE', '请求内容太大'],
  414: ['URI_TOO_LONG', '请求地址太长'],
  415: ['UNSUPPORTED_MEDIA_TYPE', '请求内容格式不支持'],
  416: ['RANGE_NOT_SATISFIABLE', '请求的范围无效'],
};

function frameworkClientError(status: number): AppError {
  const [code, message] = FRAMEWORK_ERRORS[status] ?? ['BAD_REQUEST', '请求有误'];
  return new AppError(status === 403 ? 404 : status, code, message);
}

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
      } else if ((err as { type?: string }).type === 'request.aborted' || isBodyReadError(err)) {
        e = new AppError(400, 'MALFORMED_JSON', '请求内容无法读取');
      } else if (clientErrorStatus(err)) {
        e = frameworkClientError(clientErrorStatus(err)!);
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
  const h5 = path.resolve(__dirname, '../..', deps.config.h5Dir);
  const h5Index = path.join(h5, 'index.html');
  app.use(securityHeaders(deps.config, existsSync(h5Index) ? inlineScriptHashes(readFileSync(h5Index, 'utf8')) : []));
  app.use(errors(deps));
  app.use(cors({ allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id'], exposeHeaders: ['X-Request-Id', 'Retry-After'] }));
  app.use(
    bodyParser({
      // JSON only when sent as JSON: a JSON route answers anything else 415 (lib/http.ts); photo
      // uploads are multipart and their route reads the stream itself.
      enableTypes: ['json'],
      jsonLimit: deps.config.bodyLimitBytes,
      encoding: 'utf-8',
    }),
  );

  // Public routes take an anonymous caller's request from its address's budget (lib/http.ts).
  app.use(async (ctx, next) => {
    ctx.state.anonymousBudget = ((c) => consumeRateLimit(deps, 'publicPerAddress', clientAddress(c))) satisfies AnonymousBudget;
    await next();
  });

  const root = new Router();
  const api = new Router();
  api.use(API_BASE, authenticate(deps));
  for (const m of modules) m.register({ root, api, deps });
  app.use(root.routes()).use(root.allowedMethods());
  app.use(api.routes()).use(api.allowedMethods({ throw: true, methodNotAllowed: () => new AppError(405, 'METHOD_NOT_ALLOWED', '不支持该请求方法'), notImplemented: () => new AppError(501, 'NOT_IMPLEMENTED', '不支持该请求方法') }));

  if (existsSync(h5)) {
    const h5Files = clientDelivery(h5);
    app.use(async (ctx, next) => {
      if (ctx.path.startsWith(API_BASE)) await next();
      else await h5Files(ctx, next);
    });
  }
  return app;
}
