import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Deps } from '../../../lib/deps';
import type { AuthUser } from '../../../lib/auth';
import { API_BASE } from '../../../lib/http';
import { notFound } from '../../../lib/errors';
import { newId } from '../../../lib/ids';
import { reencodePhoto } from './images';
import { createPhotoStore, type PhotoStore } from './storage';
import * as repo from './repository';

/**
 * Photos of tickets and ratings. Uploads are re-encoded without metadata (images.ts) and kept in
 * the photo store; they are served by signed URLs, because a mini-program <image> cannot send
 * the user's token: the URL itself is the permission, valid until `exp`, and the same for a whole
 * day so phones and proxies can cache it. A photo's bytes never change, hence immutable caching.
 */
const stores = new WeakMap<Deps, PhotoStore>();
export function photoStore(deps: Deps): PhotoStore {
  let s = stores.get(deps);
  if (!s) stores.set(deps, (s = createPhotoStore(deps.config)));
  return s;
}

const DAY_S = 86_400;

function signature(deps: Deps, id: string, exp: number): string {
  return createHmac('sha256', Buffer.from(deps.config.afterSales.photos.urlKeyHex, 'hex')).update(`photo:${id}:${exp}`).digest('base64url').slice(0, 32);
}

/** A URL good for at least urlTtlSeconds, identical all day (so it caches). */
export function photoUrl(deps: Deps, id: string, now = Date.now()): string {
  const exp = Math.ceil((now / 1000 + deps.config.afterSales.photos.urlTtlSeconds) / DAY_S) * DAY_S;
  return `${API_BASE}/photos/${id}.jpg?exp=${exp}&sig=${signature(deps, id, exp)}`;
}

export function presentPhoto(deps: Deps, p: Pick<repo.PhotoRow, 'id' | 'width' | 'height'>) {
  return { id: p.id, url: photoUrl(deps, p.id), width: p.width, height: p.height };
}

export async function uploadPhoto(deps: Deps, user: AuthUser, file: Buffer) {
  const { maxPixels, maxEdge } = deps.config.afterSales.photos;
  const image = await reencodePhoto(file, { maxPixels, maxEdge });
  const id = newId();
  const now = new Date();
  const storageKey = `${now.getUTCFullYear()}/${String(now.getUTCMonth() + 1).padStart(2, '0')}/${id}.jpg`;
  await photoStore(deps).put(storageKey, image.body, 'image/jpeg');
  const row = { id, userId: user.id, storageKey, sha256: createHash('sha256').update(image.body).digest('hex'), bytes: image.body.length, width: image.width, height: image.height };
  await repo.insertPhoto(deps.db, row);
  return { ...presentPhoto(deps, row), bytes: row.bytes };
}

/** The bytes behind a signed URL; a bad or expired signature is a plain 404 (nothing to learn). */
export async function servePhoto(deps: Deps, id: string, exp: number, sig: string, now = Date.now()) {
  const expected = Buffer.from(signature(deps, id, exp));
  const given = Buffer.from(sig);
  if (exp * 1000 < now || expected.length !== given.length || !timingSafeEqual(expected, given)) throw notFound('图片不存在或链接已过期');
  const photo = await repo.findPhoto(deps.db, id);
  if (!photo) throw notFound('图片不存在或链接已过期');
  const body = await photoStore(deps).get(photo.storageKey);
  if (!body) throw notFound('图片不存在或链接已过期');
  return { body, etag: `"${photo.sha256}"`, maxAgeSeconds: Math.max(0, Math.min(exp - Math.floor(now / 1000), 7 * DAY_S)) };
}
