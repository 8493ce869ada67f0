import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Context, Middleware, Next } from 'koa';
import compress from 'koa-compress';
import serve from 'koa-static';

/**
 * The H5 client as the BFF hands it out, for old phones on weak signal: text compressed (brotli or
 * gzip), files whose names carry their content hash kept by the phone for a year without asking
 * again, and index.html (which names those files) asked for every time but answered 304 while
 * unchanged, so a return visit costs a few hundred bytes.
 */
const HASHED = /\.[0-9a-f]{8,}\.[a-z0-9]+$/i;
const YEAR = 'public, max-age=31536000, immutable';
// Files without a hash in their name (tab icons, favicon): kept an hour, then checked again.
const SHORT = 'public, max-age=3600';

type Page = { mtimeMs: number; size: number; body: Buffer; etag: string };

export function clientDelivery(dir: string): Middleware {
  const files = serve(dir, {
    index: false,
    // Precompressed siblings (app.js.br) are not built; koa-compress compresses on the way out.
    gzip: false,
    brotli: false,
    setHeaders: (res, file) => res.setHeader('Cache-Control', HASHED.test(path.basename(file)) ? YEAR : SHORT),
  });
  const compressText = compress({ threshold: 1024 });
  const index = indexPage(path.join(dir, 'index.html'));
  return async (ctx: Context, next: Next) => {
    await compressText(ctx, async () => {
      if ((ctx.method === 'GET' || ctx.method === 'HEAD') && (ctx.path === '/' || ctx.path === '/index.html')) await index(ctx, next);
      else await files(ctx, next);
    });
  };
}

/** index.html from memory, reread when the file changes (a new build), with a content ETag. */
function indexPage(file: string) {
  let cached: Page | null = null;
  const load = async (): Promise<Page> => {
    const s = await stat(file);
    if (cached && cached.mtimeMs === s.mtimeMs && cached.size === s.size) return cached;
    const body = await readFile(file);
    cached = { mtimeMs: s.mtimeMs, size: s.size, body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
    return cached;
  };
  return async (ctx: Context, next: Next) => {
    const page = await load().catch(() => null);
    if (!page) {
      await next();
      return;
    }
    ctx.status = 200;
    ctx.set('Cache-Control', 'no-cache');
    ctx.type = 'html';
    ctx.etag = page.etag;
    // Koa compares If-None-Match with the ETag (fresh is only defined for a 2xx status).
    if (ctx.fresh) {
      ctx.status = 304;
      return;
    }
    ctx.body = page.body;
  };
}
