import busboy from 'busboy';
import type { Context } from 'koa';
import { AppError, validationFailed } from '../../../lib/errors';

/**
 * Reads one file from a multipart/form-data upload (field `file`) into memory, refusing anything
 * over `maxBytes` while it streams (a villager's photo is a few MB at most).
 */
export async function readUploadedFile(ctx: Context, maxBytes: number): Promise<Buffer> {
  if (!ctx.is('multipart/form-data')) throw new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', '请用 multipart/form-data 上传图片');
  const declared = Number(ctx.get('content-length') || 0);
  // The multipart envelope adds a little to the file itself.
  if (declared > maxBytes + 64 * 1024) throw tooLarge(maxBytes);
  return new Promise<Buffer>((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: ctx.req.headers, limits: { files: 1, fileSize: maxBytes, fields: 0, parts: 2 } });
    } catch {
      return reject(validationFailed([{ path: 'body', message: 'a multipart body with a boundary is required' }]));
    }
    let file: Buffer | null = null;
    let failure: Error | null = null;
    parser.on('file', (field, stream) => {
      if (field !== 'file' || file) {
        stream.resume();
        return;
      }
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('limit', () => (failure = tooLarge(maxBytes)));
      stream.on('close', () => {
        if (!failure) file = Buffer.concat(chunks);
      });
    });
    parser.on('error', () => reject(validationFailed([{ path: 'body', message: 'the multipart body is malformed' }])));
    parser.on('close', () => {
      if (failure) reject(failure);
      else if (!file || !file.length) reject(validationFailed([{ path: 'body.file', message: 'a picture in the field "file" is required' }]));
      else resolve(file);
    });
    ctx.req.pipe(parser);
  });
}

const tooLarge = (maxBytes: number) => new AppError(413, 'PAYLOAD_TOO_LARGE', `图片不能超过 ${Math.floor(maxBytes / 1024 / 1024)}MB`);
