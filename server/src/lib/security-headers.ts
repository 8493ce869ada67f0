import { createHash } from 'node:crypto';
import helmet from 'koa-helmet';
import type { Middleware } from 'koa';
import type { Config } from './config';

/**
 * Security headers on every answer (helmet): a Content-Security-Policy the H5 build runs under,
 * nosniff, no framing by other sites, no referrer sent elsewhere.
 *
 * What the H5 build (client/dist-h5) needs, read from it: its scripts and styles are files of its
 * own origin, but for one inline script in index.html (Taro's root font size), allowed by its hash;
 * Taro's components put `<style>` elements and style attributes in the page
 * (style-src 'unsafe-inline'); pictures are the API's own (`/api/v1/images`, signed photo URLs),
 * `data:` URIs in its CSS and `blob:` previews of a photo being chosen; it calls the API on the
 * same origin. Outside production the stand-in WeChat cashier page calls the WeChat emulator.
 */
export function securityHeaders(config: Pick<Config, 'env' | 'wechatPay'>, inlineScriptHashes: string[] = []): Middleware {
  const production = config.env === 'production';
  // blob: the H5 photo upload (Taro.uploadFile) reads the picked image's blob: URL before sending it.
  const connect = ["'self'", 'blob:', ...(production ? [] : [new URL(config.wechatPay.apiBase).origin])];
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        baseUri: ["'self'"],
        scriptSrc: ["'self'", ...inlineScriptHashes],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: connect,
        mediaSrc: ["'self'", 'blob:'],
        workerSrc: ["'self'", 'blob:'],
        objectSrc: ["'none'"],
        frameSrc: ["'none'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
        // Behind the balancer's TLS in production; development serves plain http on loopback.
        ...(production ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    // Nothing cross-origin is embedded, so no embedder policy is needed; the API is open to other
    // origins (CORS: the H5 dev server, tools), so are its pictures.
    crossOriginEmbedderPolicy: false,
    crossOriginResourcePolicy: { policy: 'cross-origin' },
    // HSTS only where the site is https (the balancer); on plain http it means nothing.
    strictTransportSecurity: production ? { maxAge: 15_552_000, includeSubDomains: false } : false,
  });
}

/** The CSP hashes ('sha256-…') of the inline scripts of an HTML page (the H5 build's index.html). */
export function inlineScriptHashes(html: string): string[] {
  const hashes: string[] = [];
  for (const m of html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi)) {
    if (m[1].trim()) hashes.push(`'sha256-${createHash('sha256').update(m[1], 'utf8').digest('base64')}'`);
  }
  return hashes;
}
