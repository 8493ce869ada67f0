import type Router from '@koa/router';
import type { Deps } from '../../../lib/deps';
import { API_BASE, defineRoute, NOT_MODIFIED, q, z } from '../../../lib/http';
import { readUploadedFile } from './upload';
import { servePhoto, uploadPhoto } from './service';

export const UploadedPhoto = z.object({ id: z.string(), url: z.string(), width: z.number().int(), height: z.number().int(), bytes: z.number().int() }).openapi('UploadedPhoto');

export function registerPhotoRoutes(api: Router, deps: Deps): void {
  defineRoute(api, API_BASE, {
    method: 'post', path: '/photos',
    summary: 'Upload a photo for a ticket or a rating (multipart field `file`; JPG, PNG or WebP up to afterSales.photos.maxBytes): re-encoded as JPEG without metadata; attach it by id',
    tags: ['after-sales'], access: 'user', upload: true, response: UploadedPhoto, status: 201,
    errors: [{ status: 400, code: 'IMAGE_UNREADABLE' }, { status: 413, code: 'PAYLOAD_TOO_LARGE' }, { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' }],
    handler: async ({ user, ctx }) => uploadPhoto(deps, user!, await readUploadedFile(ctx, deps.config.afterSales.photos.maxBytes)),
  });
  defineRoute(api, API_BASE, {
    method: 'get', path: '/photos/:file',
    summary: 'A photo by its signed URL (as given in tickets, ratings and the wall); cached by phones and proxies until it expires',
    tags: ['after-sales'], access: 'public',
    params: z.object({ file: z.string().regex(/^[0-9A-Z]{26}\.jpg$/, 'a photo file name') }).strict(),
    query: z.object({ exp: q.int(0, 9_999_999_999), sig: z.string().regex(/^[A-Za-z0-9_-]{32}$/) }).strict(),
    content: { type: 'image/jpeg', schema: z.string().openapi({ format: 'binary' }).describe('the photo, re-encoded as JPEG') },
    errors: [{ status: 404, code: 'NOT_FOUND' }],
    handler: async ({ params, query, ctx }) => {
      const photo = await servePhoto(deps, params.file.slice(0, 26), query.exp, query.sig);
      ctx.set('Cache-Control', `private, max-age=${photo.maxAgeSeconds}, immutable`);
      ctx.set('ETag', photo.etag);
      if (ctx.get('if-none-match') === photo.etag) return NOT_MODIFIED;
      ctx.type = 'image/jpeg';
      return photo.body;
    },
  });
}
