import sharp from 'sharp';
import { AppError } from '../../../lib/errors';

/**
 * What an uploaded picture becomes before it is kept: decoded by sharp (libvips) within a pixel
 * budget, turned upright from its EXIF orientation, shrunk to at most `maxEdge` pixels a side and
 * re-encoded as a JPEG with no metadata at all (no GPS position, phone model or time: sharp keeps
 * none unless told to). Anything sharp cannot read as JPEG, PNG or WebP is refused.
 */
const ACCEPTED = new Set(['jpeg', 'png', 'webp']);

export type Processed = { body: Buffer; width: number; height: number };

const tooManyPixels = () => new AppError(413, 'PAYLOAD_TOO_LARGE', '图片尺寸太大');

export const unsupportedImage = () => new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', '只能上传 JPG、PNG 或 WebP 图片');

export async function reencodePhoto(input: Buffer, limits: { maxPixels: number; maxEdge: number }): Promise<Processed> {
  let meta: sharp.Metadata;
  try {
    // Reads the header only: nothing is decoded yet.
    meta = await sharp(input, { limitInputPixels: false }).metadata();
  } catch {
    throw unsupportedImage();
  }
  if (!meta.format || !ACCEPTED.has(meta.format)) throw unsupportedImage();
  if ((meta.width ?? 0) * (meta.height ?? 0) > limits.maxPixels) throw tooManyPixels();
  try {
    const { data, info } = await sharp(input, { limitInputPixels: limits.maxPixels, failOn: 'error' })
      .rotate()
      .resize({ width: limits.maxEdge, height: limits.maxEdge, fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: 82, mozjpeg: true })
      .toBuffer({ resolveWithObject: true });
    return { body: data, width: info.width, height: info.height };
  } catch (err) {
    if (/pixel limit/i.test((err as Error).message)) throw tooManyPixels();
    throw new AppError(400, 'IMAGE_UNREADABLE', '图片已损坏，无法读取');
  }
}
