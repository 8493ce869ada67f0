import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { createTestContext, type TestContext } from '../helpers/context';

/**
 * How the BFF hands the H5 client to an old phone on weak signal, through HTTP: text compressed,
 * hashed files cached for a year, index.html revalidated and answered 304 while unchanged.
 */
const dir = mkdtempSync(path.join(os.tmpdir(), 'xh-h5-'));
const SCRIPT = `/* the app */\n${Array.from({ length: 2000 }, (_, i) => `export function page${i}(){return "星火家电 ${i}"}`).join('\n')}\n`;
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
const indexHtml = (script: string) => `<!DOCTYPE html><html><head><meta charset="utf-8"><title>星火</title></head><body><div id="app"></div><script src="/js/${script}"></script></body></html>`;

let t: TestContext;
beforeAll(async () => {
  mkdirSync(path.join(dir, 'js'));
  mkdirSync(path.join(dir, 'static/images'), { recursive: true });
  writeFileSync(path.join(dir, 'index.html'), indexHtml('app.1a2b3c4d.js'));
  writeFileSync(path.join(dir, 'js/app.1a2b3c4d.js'), SCRIPT);
  writeFileSync(path.join(dir, 'static/images/dot.5e6f7a8b.png'), PNG);
  writeFileSync(path.join(dir, 'favicon.png'), PNG);
  t = await createTestContext({ overrides: { h5Dir: dir } });
});
afterAll(async () => {
  await t?.stop();
  rmSync(dir, { recursive: true, force: true });
});

type Raw = { status: number; headers: http.IncomingHttpHeaders; body: Buffer };
/** The bytes as they cross the wire (supertest and fetch would decompress them). */
function get(pathname: string, headers: Record<string, string> = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    http
      .get(`${t.baseUrl}${pathname}`, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

describe('delivering the H5 client', () => {
  it('when a phone that takes brotli asks for a hashed script, then it gets it compressed, smaller, and cached for a year', async () => {
    const res = await get('/js/app.1a2b3c4d.js', { 'Accept-Encoding': 'gzip, deflate, br' });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.headers.vary).toMatch(/Accept-Encoding/i);
    expect(res.body.length).toBeLessThan(Buffer.byteLength(SCRIPT) / 4);
    expect(brotliDecompressSync(res.body).toString()).toBe(SCRIPT);
  });

  it('when a phone takes only gzip, then it gets gzip; when it takes neither, then the plain file', async () => {
    const gz = await get('/js/app.1a2b3c4d.js', { 'Accept-Encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.body.length).toBeLessThan(Buffer.byteLength(SCRIPT) / 4);
    expect(gunzipSync(gz.body).toString()).toBe(SCRIPT);

    const plain = await get('/js/app.1a2b3c4d.js', { 'Accept-Encoding': 'identity' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(SCRIPT);
  });

  it('when a phone asks for images, then they come as they are: hashed ones for a year, others for an hour', async () => {
    const hashed = await get('/static/images/dot.5e6f7a8b.png', { 'Accept-Encoding': 'gzip, br' });
    expect(hashed.status).toBe(200);
    expect(hashed.headers['content-encoding']).toBeUndefined();
    expect(hashed.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(hashed.body.equals(PNG)).toBe(true);

    const plain = await get('/favicon.png');
    expect(plain.headers['cache-control']).toBe('public, max-age=3600');
  });

  it('when a phone opens the app, then index.html is revalidated every time and answered 304 while unchanged', async () => {
    for (const pathname of ['/', '/index.html']) {
      const first = await get(pathname, { 'Accept-Encoding': 'gzip, br' });
      expect(first.status).toBe(200);
      expect(first.headers['content-type']).toMatch(/^text\/html/);
      expect(first.headers['cache-control']).toBe('no-cache');
      const etag = first.headers.etag!;
      expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);

      const again = await get(pathname, { 'Accept-Encoding': 'gzip, br', 'If-None-Match': etag });
      expect(again.status).toBe(304);
      expect(again.body.length).toBe(0);
      expect(again.headers.etag).toBe(etag);
    }
  });

  it('when a new build replaces index.html, then the old ETag gets the new page', async () => {
    const old = (await get('/')).headers.etag!;
    writeFileSync(path.join(dir, 'index.html'), indexHtml('app.9f8e7d6c5b.js'));
    const res = await get('/', { 'If-None-Match': old });
    expect(res.status).toBe(200);
    expect(res.headers.etag).not.toBe(old);
    expect(res.body.toString()).toContain('app.9f8e7d6c5b.js');
  });

  it('when a file is missing, then the answer is the usual 404 and the API is untouched', async () => {
    const missing = await get('/js/nothing.12345678.js');
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body.toString()).error.code).toBe('NOT_FOUND');
    const health = await t.http.get('/healthz');
    expect(health.headers['cache-control'] ?? '').not.toContain('immutable');
  });
});
