import type Koa from 'koa';
import type { Context } from 'koa';
import OpenAPIBackend, { type Operation } from 'openapi-backend';
import addFormats from 'ajv-formats';
import { openApiDocument } from '../../server/src/lib/http';

/**
 * The contract test: every request and response that passes through a test's BFF is checked
 * against the published OpenAPI document by openapi-backend (OpenAPI 3.1, Ajv underneath; it
 * matches the operation and validates request, response body and response headers in process). A
 * response whose status, header or body (a field included) the document does not describe is a
 * violation, named by operation, status and field, so whoever adds a route sees what to document.
 */
type Schema = {
  $ref?: string; type?: string | string[]; properties?: Record<string, Schema>; items?: Schema; required?: string[];
  allOf?: Schema[]; anyOf?: Schema[]; oneOf?: Schema[]; additionalProperties?: boolean | Schema;
};
type Doc = ReturnType<typeof openApiDocument> & { components?: { schemas?: Record<string, Schema> } };
type DocumentedResponse = { headers?: Record<string, unknown>; content?: Record<string, { schema?: Schema }> };

/** Headers of the transport and of the whole site (CORS, caching, security, compression), not of one operation. */
const SITE_HEADERS = /^(content-type|content-length|date|connection|keep-alive|transfer-encoding|vary|etag|last-modified|cache-control|content-encoding|access-control-.*|content-security-policy.*|x-content-type-options|x-frame-options|strict-transport-security|referrer-policy|cross-origin-.*|origin-agent-cluster|x-dns-prefetch-control|x-download-options|x-permitted-cross-domain-policies|x-xss-protection|permissions-policy)$/;

let backend: Promise<OpenAPIBackend> | null = null;

function openApi(): Promise<OpenAPIBackend> {
  backend ??= (async () => {
    // quick: validators are compiled per operation when first needed (and the document is not
    // checked against the 3.0 meta-schema, which refuses 3.1's JSON Schema forms).
    const api = new OpenAPIBackend({
      definition: structuredClone(openApiDocument()) as never, quick: true, validate: true, strict: false, ajvOpts: { strict: false },
      // date-time, uri and the other formats zod-to-openapi writes are checked too.
      customizeAjv: (ajv) => addFormats(ajv),
    });
    await api.init();
    return api;
  })();
  return backend;
}

export function checkContract(app: Koa): string[] {
  const violations: string[] = [];
  app.middleware.unshift(async (ctx, next) => {
    await next();
    // The parsed JSON body (the body parser ran inside next()).
    const body = structuredCloneSafe((ctx.request as { body?: unknown }).body);
    const api = await openApi();
    const op = api.router.matchOperation({ method: ctx.method, path: ctx.path, query: ctx.query as never, headers: ctx.headers as never });
    // Not an operation of the document (health checks, the H5 files, a path no route has).
    if (!op) return;
    violations.push(...checkExchange(api, op, ctx, body));
  });
  return violations;
}

function structuredCloneSafe(v: unknown): unknown {
  try {
    return v === undefined ? undefined : structuredClone(v);
  } catch {
    return undefined;
  }
}

function checkExchange(api: OpenAPIBackend, op: Operation, ctx: Context, requestBody: unknown): string[] {
  const name = `${op.method.toUpperCase()} ${op.path}`;
  const status = ctx.status;
  const out: string[] = [];
  const errorCode = (ctx.body as { error?: { code?: string } } | undefined)?.error?.code;
  const at = `${name} → ${status}${errorCode ? ` ${errorCode}` : ''}`;
  const responses = op.responses as Record<string, DocumentedResponse> | undefined;
  const documented = responses?.[String(status)] ?? responses?.[`${String(status)[0]}XX`] ?? responses?.default;
  if (!documented) return [`${at}: status ${status} is not documented`];

  // Headers the operation sets must be documented for this status.
  const named = new Set(Object.keys(documented.headers ?? {}).map((h) => h.toLowerCase()));
  for (const h of Object.keys(ctx.response.headers)) {
    if (!SITE_HEADERS.test(h) && !named.has(h)) out.push(`${at}: header ${h} is not documented`);
  }

  const hasBody = ctx.body !== undefined && ctx.body !== null && status !== 204;
  const content = documented.content ?? {};
  if (hasBody && !Object.keys(content).length) out.push(`${at}: a body is answered but none is documented`);
  if (!hasBody && Object.keys(content).length && status !== 204) out.push(`${at}: no body is answered but one is documented`);
  if (hasBody && content['application/json'] === undefined && Object.keys(content).length) {
    const type = ctx.response.type;
    if (!content[type]) out.push(`${at}: answers ${type}, documented ${Object.keys(content).join(', ')}`);
  } else if (hasBody && content['application/json']) {
    const json = JSON.parse(JSON.stringify(ctx.body)) as unknown;
    const result = api.validateResponse(json, op, status);
    for (const e of result.errors ?? []) out.push(`${at}: body${e.instancePath.replace(/\//g, '.')} ${e.message}${'allowedValues' in e.params ? ` ${JSON.stringify(e.params.allowedValues)}` : ''}`);
    const schema = content['application/json'].schema;
    if (schema) for (const field of undocumentedFields(json, schema, api.document as Doc, 'body')) out.push(`${at}: ${field} is not documented`);
  }

  // The request, seen from the document: what the server accepted must be allowed, and what the
  // server requires must not be documented as optional.
  const request = { method: ctx.method, path: ctx.path, query: ctx.query as never, headers: ctx.headers as never, body: requestBody };
  if (status >= 200 && status < 300) {
    const checked = api.validateRequest(request, op);
    for (const e of checked.errors ?? []) out.push(`${name}: the server accepted a request the document refuses: ${e.instancePath || ''} ${e.message ?? ''}`.trim());
  }
  if (status === 400 && errorCode === 'VALIDATION_FAILED') {
    for (const d of (ctx.body as { error: { details: { path: string; message: string }[] } }).error.details) {
      const missing = missingButOptional(op, d.path, ctx, requestBody);
      if (missing) out.push(`${name}: ${missing} is documented as optional, but the server requires it`);
    }
  }
  return out;
}

/** `query.lat` / `headers.Idempotency-Key` / `body.storeId` that the request lacked and the document marks optional. */
function missingButOptional(op: Operation, path: string, ctx: Context, body: unknown): string | null {
  const [where, field] = path.split('.');
  if (!field) return null;
  const params = (op.parameters ?? []) as { name: string; in: string; required?: boolean }[];
  if (where === 'query' || where === 'headers') {
    const place = where === 'query' ? 'query' : 'header';
    const present = where === 'query' ? (ctx.query as Record<string, unknown>)[field] !== undefined : ctx.get(field) !== '';
    const p = params.find((x) => x.in === place && x.name.toLowerCase() === field.toLowerCase());
    return !present && p && !p.required ? `${place} ${p.name}` : null;
  }
  if (where === 'body' && body && typeof body === 'object' && !(field in body)) {
    const schema = (op.requestBody as { content?: Record<string, { schema?: Schema }> } | undefined)?.content?.['application/json']?.schema;
    const property = schema?.properties?.[field] as { description?: string } | undefined;
    // A field the document says is required under a condition ("required when …") may be refused when missing.
    if (property?.description && /^required (when|if|for)\b/i.test(property.description)) return null;
    if (schema && !(schema.required ?? []).includes(field) && property) return `body field ${field}`;
  }
  return null;
}

function resolve(schema: Schema, doc: Doc): Schema {
  let s = schema;
  while (s.$ref) s = doc.components!.schemas![s.$ref.split('/').pop()!];
  return s;
}

/** Fields of a value that its schema does not name (JSON Schema lets them through by default; the contract does not). */
function undocumentedFields(value: unknown, schema: Schema, doc: Doc, path: string): string[] {
  const s = resolve(schema, doc);
  if (value === null || value === undefined) return [];
  const variants = [...(s.anyOf ?? []), ...(s.oneOf ?? [])];
  if (variants.length) {
    const found = variants.map((v) => undocumentedFields(value, v, doc, path));
    return found.find((f) => f.length === 0) ?? found[0];
  }
  if (Array.isArray(value)) return s.items ? value.flatMap((v, i) => undocumentedFields(v, s.items!, doc, `${path}.${i}`)) : [];
  if (typeof value !== 'object') return [];
  const parts = [s, ...(s.allOf ?? []).map((p) => resolve(p, doc))];
  if (parts.some((p) => p.additionalProperties === true || typeof p.additionalProperties === 'object')) return [];
  const properties: Record<string, Schema> = Object.assign({}, ...parts.map((p) => p.properties ?? {}));
  if (!Object.keys(properties).length) return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) =>
    properties[k] ? undocumentedFields(v, properties[k], doc, `${path}.${k}`) : [`field ${path}.${k}`],
  );
}
