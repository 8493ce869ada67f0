import { createHash, createHmac } from 'node:crypto';

/**
 * AWS Signature Version 4 for S3-compatible object stores (AWS S3, MinIO, Tencent COS, Aliyun OSS in
 * S3 mode): the Authorization header of one request. Written against the published algorithm and
 * checked with AWS's own example (sigv4.test.ts), so no SDK is pulled in for two calls.
 */
export type SigningKey = { accessKeyId: string; secretAccessKey: string; region: string; service?: string };

const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

/** RFC 3986 encoding as SigV4 wants it (everything but A-Z a-z 0-9 - _ . ~). */
export function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function amzDate(at: Date): string {
  return at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/**
 * Signs `method url` with the given headers (host is taken from the URL) and payload hash. Returns
 * the headers to send: the caller's, x-amz-date, x-amz-content-sha256 and Authorization.
 */
export function signRequest(
  key: SigningKey,
  req: { method: string; url: URL; headers?: Record<string, string>; payloadSha256: string; at?: Date },
): Record<string, string> {
  const at = req.at ?? new Date();
  const stamp = amzDate(at);
  const day = stamp.slice(0, 8);
  const service = key.service ?? 's3';
  const headers: Record<string, string> = { ...lower(req.headers ?? {}), host: req.url.host, 'x-amz-date': stamp, 'x-amz-content-sha256': req.payloadSha256 };
  const names = Object.keys(headers).sort();
  const canonicalHeaders = names.map((n) => `${n}:${headers[n].trim().replace(/\s+/g, ' ')}\n`).join('');
  const query = [...req.url.searchParams.entries()]
    .map(([k, v]) => [uriEncode(k), uriEncode(v)])
    .sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : 1) : a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const path = req.url.pathname.split('/').map((seg) => uriEncode(decodeURIComponent(seg))).join('/');
  const canonical = [req.method, path, query, canonicalHeaders, names.join(';'), req.payloadSha256].join('\n');
  const scope = `${day}/${key.region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', stamp, scope, sha256Hex(canonical)].join('\n');
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${key.secretAccessKey}`, day), key.region), service), 'aws4_request');
  const signature = createHmac('sha256', signingKey).update(toSign).digest('hex');
  // fetch sets Host from the URL itself.
  const send = Object.fromEntries(Object.entries(headers).filter(([n]) => n !== 'host'));
  return { ...send, authorization: `AWS4-HMAC-SHA256 Credential=${key.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}` };
}

function lower(h: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
}

export { sha256Hex };
