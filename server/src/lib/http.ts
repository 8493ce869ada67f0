import type Router from '@koa/router';
import type { Context } from 'koa';
import { z, type ZodType } from 'zod';
import { OpenAPIRegistry, extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { validationFailed, unauthenticated, forbidden, AppError } from './errors';
import type { AuthUser, Role } from './auth';

extendZodWithOpenApi(z);

export const API_BASE = '/api/v1';

/**
 * One way to declare a route: its schemas validate the request (unknown keys rejected), feed the
 * OpenAPI document, and the role check happens here, before the handler. A handler returns the
 * body (and optionally a status); it never reads ctx.request directly.
 */
export type Access = 'public' | 'user' | Role[];

export type RouteInput<B, Q, P> = { body: B; query: Q; params: P; user: AuthUser | null; ctx: Context };

export type RouteSpec<B extends ZodType, Q extends ZodType, P extends ZodType> = {
  method: 'get' | 'post' | 'put' | 'delete' | 'patch';
  path: string;
  summary: string;
  tags?: string[];
  access: Access;
  body?: B;
  query?: Q;
  params?: P;
  /** Documented response body of the success status. */
  response?: ZodType;
  status?: number;
  /** Error codes this route can answer besides the common ones, for the OpenAPI document. */
  errors?: { status: number; code: string }[];
  idempotent?: boolean;
  /** A multipart/form-data upload of one file (field `file`), which the handler reads itself. */
  upload?: boolean;
  handler: (input: RouteInput<z.infer<B>, z.infer<Q>, z.infer<P>>) => unknown;
};

/** A handler's answer to a conditional GET whose cached copy is still good (If-None-Match). */
export const NOT_MODIFIED = Symbol('not modified');

export const registry = new OpenAPIRegistry();
const registered = new Set<string>();

registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });

const ErrorBody = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      requestId: z.string(),
      details: z.array(z.object({ path: z.string(), message: z.string() })),
    }),
  })
  .openapi('Error');

export function zodDetails(error: z.ZodError, prefix: string): { path: string; message: string }[] {
  return error.issues.map((i) => {
    if (i.code === 'unrecognized_keys') {
      return { path: [prefix, ...i.path.map(String), i.keys.join(',')].filter(Boolean).join('.'), message: `unknown field(s): ${i.keys.join(', ')}` };
    }
    return { path: [prefix, ...i.path.map(String)].filter(Boolean).join('.'), message: i.message };
  });
}

export function parseOrThrow<T extends ZodType>(schema: T, value: unknown, prefix: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw validationFailed(zodDetails(result.error, prefix));
  return result.data;
}

function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

export function checkAccess(access: Access, user: AuthUser | null): void {
  if (access === 'public') return;
  if (!user) throw unauthenticated();
  if (access === 'user') return;
  if (!access.some((r) => user.roles.includes(r))) throw forbidden();
}

const EMPTY = z.object({}).strict();

export function defineRoute<B extends ZodType = typeof EMPTY, Q extends ZodType = typeof EMPTY, P extends ZodType = typeof EMPTY>(
  router: Router,
  basePath: string,
  spec: RouteSpec<B, Q, P>,
): void {
  const fullPath = basePath + spec.path;
  const key = `${spec.method} ${fullPath}`;
  if (!registered.has(key)) {
    registered.add(key);
    const responses: Record<string, { description: string; content?: Record<string, { schema: ZodType }> }> = {
      [String(spec.status ?? 200)]: {
        description: 'success',
        ...(spec.response ? { content: { 'application/json': { schema: spec.response } } } : {}),
      },
      '400': { description: 'VALIDATION_FAILED / MALFORMED_JSON', content: { 'application/json': { schema: ErrorBody } } },
    };
    if (spec.access !== 'public') responses['401'] = { description: 'UNAUTHENTICATED', content: { 'application/json': { schema: ErrorBody } } };
    if (Array.isArray(spec.access)) responses['403'] = { description: 'FORBIDDEN', content: { 'application/json': { schema: ErrorBody } } };
    for (const e of spec.errors ?? []) {
      const k = String(e.status);
      const prior = responses[k]?.description;
      responses[k] = { description: prior && prior !== 'success' ? `${prior} / ${e.code}` : e.code, content: { 'application/json': { schema: ErrorBody } } };
    }
    registry.registerPath({
      method: spec.method,
      path: openApiPath(fullPath),
      summary: spec.summary,
      tags: spec.tags,
      security: spec.access === 'public' ? [] : [{ bearer: [] }],
      request: {
        ...(spec.body ? { body: { content: { 'application/json': { schema: spec.body } }, required: true } } : {}),
        ...(spec.query ? { query: spec.query as never } : {}),
        ...(spec.params ? { params: spec.params as never } : {}),
        ...(spec.upload ? { body: { content: { 'multipart/form-data': { schema: z.object({ file: z.string().openapi({ format: 'binary' }) }) } }, required: true } } : {}),
        ...(spec.idempotent ? { headers: z.object({ 'Idempotency-Key': z.string().min(8).max(128).optional() }) } : {}),
      },
      responses,
    });
  }

  const handler = async (ctx: Context) => {
    const user = (ctx.state.user as AuthUser | undefined) ?? null;
    checkAccess(spec.access, user);
    const params = parseOrThrow(spec.params ?? EMPTY, ctx.params ?? {}, 'params') as z.infer<P>;
    const query = parseOrThrow(spec.query ?? EMPTY, ctx.query ?? {}, 'query') as z.infer<Q>;
    const hasBody = spec.method !== 'get' && spec.method !== 'delete';
    const rawBody = (ctx.request as { body?: unknown }).body;
    if (spec.body && hasBody && (rawBody === undefined || rawBody === null || typeof rawBody !== 'object' || Array.isArray(rawBody))) {
      throw validationFailed([{ path: 'body', message: 'a JSON object is required' }]);
    }
    const body = spec.body ? parseOrThrow(spec.body, rawBody, 'body') : (undefined as z.infer<B>);
    const result = await spec.handler({ body, query, params, user, ctx });
    if (result instanceof AppError) throw result;
    if (result === NOT_MODIFIED) {
      ctx.status = 304;
      return;
    }
    ctx.status = spec.status ?? 200;
    if (result === undefined) ctx.status = 204;
    else ctx.body = result;
  };
  router[spec.method](fullPath, handler);
}

/** Query strings arrive as strings: these coerce them with limits. */
export const q = {
  int: (min: number, max: number) => z.coerce.number().int().min(min).max(max),
  num: (min: number, max: number) => z.coerce.number().min(min).max(max),
  str: (min: number, max: number) => z.string().min(min).max(max),
};

/**
 * The list convention (API.md): every list takes `?cursor=&limit=` and answers
 * `{ items, nextCursor }`, nextCursor null on the last page. `limit` is capped at 100; a list
 * without it gives 20.
 */
export const ListQuery = z
  .object({ cursor: z.string().max(200).optional(), limit: q.int(1, 100).optional() })
  .strict();

export const DEFAULT_LIMIT = 20;

/** The response of a list of `item`. */
export const listOf = <T extends ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export type Page<T> = { items: T[]; nextCursor: string | null };

/** Rows read with `LIMIT limit + 1`: the page, and the key of its last row as the cursor when there is more. */
export function pageOf<T>(rows: T[], limit: number, keyOf: (row: T) => string): Page<T> {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? keyOf(items[items.length - 1]) : null };
}

/**
 * Lists ordered by a rank rather than a key (search results, nearest first): the cursor is the
 * position of the next page, opaque to clients ("p40"), and the list ends after `maxItems`.
 */
export const rankCursor = {
  /** The position a cursor stands for; a cursor this list did not make is 400. */
  position(cursor: string | undefined): number {
    if (cursor === undefined) return 0;
    const m = /^p(\d{1,6})$/.exec(cursor);
    if (!m) throw validationFailed([{ path: 'query.cursor', message: 'not a cursor of this list' }]);
    return Number(m[1]);
  },
  /** The page of `ranked` (read up to `position + limit + 1`) that starts at `position`. */
  page<T>(ranked: T[], position: number, limit: number, maxItems: number): Page<T> {
    const end = position + limit;
    return { items: ranked.slice(position, end), nextCursor: ranked.length > end && end < maxItems ? `p${end}` : null };
  },
};

/** A short list the server holds whole (a few dozen at most, in a fixed order), paged by position. */
export function pageInMemory<T>(all: T[], query: { cursor?: string; limit?: number }): Page<T> {
  return rankCursor.page(all, rankCursor.position(query.cursor), query.limit ?? DEFAULT_LIMIT, Number.MAX_SAFE_INTEGER);
}

export { z };
