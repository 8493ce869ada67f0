import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../../../lib/config';
import { signRequest, sha256Hex } from './sigv4';

/**
 * Where photo files live: a small interface with a filesystem implementation (one BFF machine, or
 * a shared volume) and an S3-compatible one for production with several machines
 * (docs/photos.md). Keys are opaque paths such as `2026/12/<id>.jpg`; content never changes.
 */
export interface PhotoStore {
  put(key: string, body: Buffer, contentType: string): Promise<void>;
  /** The stored bytes, or null when there is no such key. */
  get(key: string): Promise<Buffer | null>;
}

export class FilesystemPhotoStore implements PhotoStore {
  constructor(private readonly root: string) {}

  private file(key: string): string {
    const file = path.resolve(this.root, key);
    // Keys are made by the server; this only guards against a bug making one escape the root.
    if (!file.startsWith(path.resolve(this.root) + path.sep)) throw new Error(`photo key outside the store: ${key}`);
    return file;
  }

  async put(key: string, body: Buffer): Promise<void> {
    const file = this.file(key);
    await mkdir(path.dirname(file), { recursive: true });
    // Written aside and renamed: a reader never sees half a file.
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, body);
    await rename(tmp, file);
  }

  async get(key: string): Promise<Buffer | null> {
    try {
      return await readFile(this.file(key));
    } catch (err) {
      if ((err as { code?: string }).code === 'ENOENT') return null;
      throw err;
    }
  }
}

/** S3-compatible object storage (AWS S3, MinIO, Tencent COS, Aliyun OSS), path-style URLs, SigV4. */
export class S3PhotoStore implements PhotoStore {
  constructor(private readonly s: Config['afterSales']['photos']['s3'], private readonly timeoutMs = 10_000) {}

  private url(key: string): URL {
    return new URL(`${this.s.endpoint.replace(/\/$/, '')}/${this.s.bucket}/${key}`);
  }

  private sign(method: string, url: URL, payload: Buffer, headers: Record<string, string> = {}) {
    return signRequest({ accessKeyId: this.s.accessKeyId, secretAccessKey: this.s.secretAccessKey, region: this.s.region }, { method, url, headers, payloadSha256: sha256Hex(payload) });
  }

  async put(key: string, body: Buffer, contentType: string): Promise<void> {
    const url = this.url(key);
    const res = await fetch(url, { method: 'PUT', body: new Uint8Array(body), headers: this.sign('PUT', url, body, { 'content-type': contentType }), signal: AbortSignal.timeout(this.timeoutMs) });
    if (!res.ok) throw new Error(`S3 PUT ${key}: ${res.status}`);
  }

  async get(key: string): Promise<Buffer | null> {
    const url = this.url(key);
    const res = await fetch(url, { headers: this.sign('GET', url, Buffer.alloc(0)), signal: AbortSignal.timeout(this.timeoutMs) });
    if (res.status === 404) return null;
    if (!res.ok) throw new Error(`S3 GET ${key}: ${res.status}`);
    return Buffer.from(await res.arrayBuffer());
  }
}

const REPO_ROOT = path.resolve(__dirname, '../../../../..');

export function createPhotoStore(config: Config): PhotoStore {
  const p = config.afterSales.photos;
  return p.storage === 's3' ? new S3PhotoStore(p.s3) : new FilesystemPhotoStore(path.resolve(REPO_ROOT, p.dir));
}
