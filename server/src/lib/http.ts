import type Router from '@koa/router';
import type { Context } from 'koa';
import { z, type ZodType } from 'zod';
import { OpenAPIRegistry, OpenApiGeneratorV31, extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
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
  /** The body of the success status, documented; without one, declare `status: 204`. */
  response?: ZodType;
  /** A success body that is not JSON (a picture): its media type and schema. */
  content?: { type: string; schema: ZodType };
  status?: number;
  /** Error codes this route can answer besides the common ones, for the OpenAPI document. */
  errors?: { status: number; code: string }[];
  /** Takes an Idempotency-Key header: documented optional (true), or required and checked here ('required'). */
  idempotent?: boolean | 'required';
  /** A multipart/form-data upload of one file (field `file`), which the handler reads itself. */
  upload?: boolean;
  /**
   * A public route answers anonymous callers within the per-address budget (`rateLimits.publicPerAddress`,
   * 429 past it); false for routes with budgets of their own (sign-in) or called by WeChat's servers.
   * Files (pictures, photos) are not counted.
   */
  anonymousBudget?: false;
  handler: (input: RouteInput<z.infer<B>, z.infer<Q>, z.infer<P>>) => unknown;
};

/** Takes one request of an anonymous caller from its address's budget (set per app by app.ts); throws 429 past it. */
export type AnonymousBudget = (ctx: Context) => Promise<void>;
const countsAnonymously = (spec: { access: Access; content?: unknown; anonymousBudget?: false }) => spec.access === 'public' && !spec.content && spec.anonymousBudget !== false;

/** A handler's answer to a conditional GET whose cached copy is still good (If-None-Match). */
export const NOT_MODIFIED = Symbol('not modified');

export const registry = new OpenAPIRegistry();
const registered = new Set<string>();

registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });

let document: ReturnType<OpenApiGeneratorV31['generateDocument']> | undefined;

/** The published contract (GET /api/v1/openapi.json), made once every module has registered its routes. */
export function openApiDocument() {
  document ??= new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: { title: 'Xinghuo BFF', version: '1.0.0', description: 'The contract between the 星火 mini-program and its BFF (shared/API.md).' },
    servers: [{ url: '/' }],
  });
  return document;
}

const ErrorBody = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      requestId: z.string(),
      details: z.array(z.object({ path: z.string(), message: z.string() })),
      pickedUpAt: z.string().nullable().optional().describe('ALREADY_PICKED_UP: when the goods were handed over'),
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

/** get /api/v1/store/pickups/:orderId/confirm → postStorePickupsByOrderIdConfirm: stable, unique per route, for clients and validators. */
export function operationIdOf(method: string, path: string): string {
  const words = path.replace(API_BASE, '').split(/[/_-]/).filter(Boolean).map((w) => (w.startsWith(':') ? `By${w[1].toUpperCase()}${w.slice(2)}` : w));
  return method + words.map((w) => w[0].toUpperCase() + w.slice(1)).join('');
}

export function checkAccess(access: Access, user: AuthUser | null): void {
  if (access === 'public') return;
  if (!user) throw unauthenticated();
  if (access === 'user') return;
  if (!access.some((r) => user.roles.includes(r))) throw forbidden();
}

const EMPTY = z.object({}).strict();

/** The key a client sends so a retried POST is answered, not done, again. */
const IdempotencyKey = z.string().regex(/^[A-Za-z0-9_.:-]{8,128}$/, '8–128 letters, digits, _ . : -');

/** Every response carries the request id (the one sent, or one made); logs carry it too. */
const REQUEST_ID_HEADER = { 'X-Request-Id': { description: 'the request id, echoed or made', schema: { type: 'string' as const } } };
const RETRY_AFTER_HEADER = { 'Retry-After': { description: 'seconds to wait before trying again', schema: { type: 'string' as const } } };

type DocumentedResponse = { description: string; headers?: Record<string, { description: string; schema: { type: 'string' } }>; content?: Record<string, { schema: ZodType }> };

/**
 * What a route can answer, as the server behaves, so a new route is documented right by default:
 * its success (the body schema, or 204 without one); 400 (any request can be malformed); 401 (a
 * presented token that is not valid is refused on public routes too); 403 for role-restricted
 * routes; 404 for routes with a path parameter; 413/415 for routes that take a body; 429 where
 * declared and on public routes (the anonymous per-address budget); 503 DEPENDENCY_UNAVAILABLE (MySQL or Redis down) everywhere; plus the route's own
 * `errors`. Every response documents X-Request-Id; 429 and 503 document Retry-After.
 */
function documentedResponses(spec: { access: Access; anonymousBudget?: false; params?: ZodType; body?: ZodType; response?: ZodType; content?: { type: string; schema: ZodType }; status?: number; errors?: { status: number; code: string }[] }) {
  const error = (codes: string[], headers = {}): DocumentedResponse => ({
    description: codes.join(' / '),
    headers: { ...REQUEST_ID_HEADER, ...headers },
    content: { 'application/json': { schema: ErrorBody } },
  });
  const status = spec.status ?? 200;
  const success: DocumentedResponse = { description: status === 204 ? 'done, no body' : 'success', headers: REQUEST_ID_HEADER };
  if (spec.response) success.content = { 'application/json': { schema: spec.response } };
  if (spec.content) success.content = { [spec.content.type]: { schema: spec.content.schema } };
  const codes: Record<string, string[]> = { '400': ['VALIDATION_FAILED', 'MALFORMED_JSON'], '401': ['UNAUTHENTICATED'], '503': ['DEPENDENCY_UNAVAILABLE'] };
  if (Array.isArray(spec.access)) codes['403'] = ['FORBIDDEN'];
  if (spec.params) codes['404'] = ['NOT_FOUND'];
  if (spec.body) Object.assign(codes, { '413': ['PAYLOAD_TOO_LARGE'], '415': ['UNSUPPORTED_MEDIA_TYPE'] });
  if (countsAnonymously(spec)) codes['429'] = ['RATE_LIMITED'];
  for (const e of spec.errors ?? []) {
    const k = String(e.status);
    codes[k] = [...new Set([...(codes[k] ?? []), e.code])];
  }
  const responses: Record<string, DocumentedResponse> = { [String(status)]: success };
  // Files (pictures, photos) answer If-None-Match with 304 when the phone's copy is current.
  if (spec.content) responses['304'] = { description: 'not modified: the copy the client holds (If-None-Match) is current', headers: REQUEST_ID_HEADER };
  for (const [k, list] of Object.entries(codes)) responses[k] = error(list, k === '429' || k === '503' ? RETRY_AFTER_HEADER : {});
  return responses;
}

export function defineRoute<B extends ZodType = typeof EMPTY, Q extends ZodType = typeof EMPTY, P extends ZodType = typeof EMPTY>(
  router: Router,
  basePath: string,
  spec: RouteSpec<B, Q, P>,
): void {
  const fullPath = basePath + spec.path;
  const key = `${spec.method} ${fullPath}`;
  if (!registered.has(key)) {
    registered.add(key);
    registry.registerPath({
      method: spec.method,
      path: openApiPath(fullPath),
      operationId: operationIdOf(spec.method, fullPath),
      summary: spec.summary,
      tags: spec.tags,
      security: spec.access === 'public' ? [] : [{ bearer: [] }],
      request: {
        ...(spec.body ? { body: { content: { 'application/json': { schema: spec.body } }, required: true } } : {}),
        ...(spec.query ? { query: spec.query as never } : {}),
        ...(spec.params ? { params: spec.params as never } : {}),
        ...(spec.upload ? { body: { content: { 'multipart/form-data': { schema: z.object({ file: z.string().openapi({ format: 'binary' }) }) } }, required: true } } : {}),
        ...(spec.idempotent ? { headers: z.object({ 'Idempotency-Key': spec.idempotent === 'required' ? IdempotencyKey : IdempotencyKey.optional() }) } : {}),
      },
      responses: documentedResponses(spec),
    });
  }

  const handler = async (ctx: Context) => {
    const user = (ctx.state.user as AuthUser | undefined) ?? null;
    checkAccess(spec.access, user);
    if (countsAnonymously(spec) && !user) await (ctx.state.anonymousBudget as AnonymousBudget | undefined)?.(ctx);
    const params = parseOrThrow(spec.params ?? EMPTY, ctx.params ?? {}, 'params') as z.infer<P>;
    const query = parseOrThrow(spec.query ?? EMPTY, ctx.query ?? {}, 'query') as z.infer<Q>;
    const hasBody = spec.method !== 'get' && spec.method !== 'delete';
    // A JSON route takes JSON only: a body sent as text/plain or a form (what a page on another
    // site may post without asking CORS first) is refused, whatever it holds.
    if (spec.body && hasBody && ctx.is('json') === false) throw new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', '请求内容须为 JSON（Content-Type: application/json）');
    const rawBody = (ctx.request as { body?: unknown }).body;
    if (spec.body && hasBody && (rawBody === undefined || rawBody === null || typeof rawBody !== 'object' || Array.isArray(rawBody))) {
      throw validationFailed([{ path: 'body', message: 'a JSON object is required' }]);
    }
    const body = spec.body ? parseOrThrow(spec.body, rawBody, 'body') : (undefined as z.infer<B>);
    if (spec.idempotent === 'required' && !IdempotencyKey.safeParse(ctx.get('idempotency-key')).success) {
      throw validationFailed([{ path: 'headers.Idempotency-Key', message: 'required: 8–128 letters, digits, _ . : -' }]);
    }
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

/**
 * Query strings arrive as strings: these turn a number's text into the number, with limits. Not
 * z.coerce: that reads a missing or empty value as 0, and the document then calls the parameter
 * optional and nullable.
 */
const fromText = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? Number(v) : v);
export const q = {
  int: (min: number, max: number) => z.preprocess(fromText, z.number().int().min(min).max(max)),
  num: (min: number, max: number) => z.preprocess(fromText, z.number().min(min).max(max)),
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
