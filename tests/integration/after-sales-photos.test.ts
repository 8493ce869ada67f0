import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { createTestContext, type TestContext } from '../helpers/context';
import { auth, count } from '../helpers/after-sales';

let t: TestContext;
let villager: string;
beforeAll(async () => {
  t = await createTestContext({ seed: true, overrides: { afterSales: { photos: { maxBytes: 400_000, maxPixels: 16_000_000 } } } });
  villager = await t.login('demo_villager');
});
afterAll(async () => t.stop());

const upload = (token: string, file: Buffer, filename = 'photo.jpg', contentType = 'image/jpeg') =>
  t.http.post('/api/v1/photos').set(auth(token)).attach('file', file, { filename, contentType });

/** A phone photo: 2400×1800, with the phone's make and model and an orientation in its EXIF. */
async function phonePhoto(orientation = 1): Promise<Buffer> {
  return sharp({ create: { width: 2400, height: 1800, channels: 3, background: '#3a7bd5' } })
    .composite([{ input: Buffer.from('<svg width="400" height="300"><rect width="400" height="300" fill="#fff"/></svg>'), top: 100, left: 100 }])
    .withMetadata({ orientation })
    .withExifMerge({ IFD0: { Make: 'Xiaomi', Model: 'Redmi Note 8', ImageDescription: 'Wang family, Qingyuan' } })
    .jpeg({ quality: 60 })
    .toBuffer();
}

describe('photos', () => {
  it('when a villager uploads a phone photo, then it is kept as a JPEG at most 1600 px, without any metadata, served by its signed URL with caching', async () => {
    const original = await phonePhoto();
    expect((await sharp(original).metadata()).exif).toBeDefined();
    const res = await upload(villager, original);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ width: 1600, height: 1200, url: expect.stringMatching(/^\/api\/v1\/photos\/[0-9A-Z]{26}\.jpg\?exp=\d+&sig=[A-Za-z0-9_-]{32}$/) });

    const served = await t.http.get(res.body.url).buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(served.status).toBe(200);
    expect(served.headers['content-type']).toBe('image/jpeg');
    expect(served.headers['cache-control']).toMatch(/^private, max-age=\d+, immutable$/);
    const meta = await sharp(served.body as Buffer).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: 1600, height: 1200 });
    expect(meta.exif).toBeUndefined();
    expect(meta.icc).toBeUndefined();
    expect((served.body as Buffer).includes(Buffer.from('Redmi'))).toBe(false);
    expect((served.body as Buffer).length).toBe(res.body.bytes);

    const again = await t.http.get(res.body.url).set('If-None-Match', served.headers.etag);
    expect(again.status).toBe(304);
  });

  it('when the phone held the camera sideways (EXIF orientation 6), then the kept picture is upright', async () => {
    const res = await upload(villager, await phonePhoto(6));
    expect(res.body).toMatchObject({ width: 1200, height: 1600 });
  });

  it('when the URL is tampered with or has expired, then 404', async () => {
    const res = await upload(villager, await phonePhoto());
    const url = res.body.url as string;
    const other = (await upload(villager, await phonePhoto())).body.url as string;
    const sigOf = (u: string) => /sig=([^&]+)/.exec(u)![1];
    expect((await t.http.get(url.replace(/sig=[^&]+/, `sig=${sigOf(other)}`))).status).toBe(404);
    expect((await t.http.get(url.replace(/exp=\d+/, (m) => `exp=${Number(m.slice(4)) + 86400}`))).status).toBe(404);
    expect((await t.http.get(url.replace(/exp=\d+/, 'exp=1000'))).status).toBe(404);
  });

  it('when the upload is not a picture, too big, a pixel bomb, not multipart or has no file, then 4xx with a code and nothing stored', async () => {
    const before = await count(t, 'SELECT COUNT(*) n FROM photos');
    const gif = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
    const bomb = await sharp({ create: { width: 5000, height: 5000, channels: 3, background: '#ffffff' } }).png({ compressionLevel: 9 }).toBuffer();
    expect(bomb.length).toBeLessThan(400_000);
    const noise = await sharp(randomBytes(600 * 600 * 3), { raw: { width: 600, height: 600, channels: 3 } }).png().toBuffer();
    expect(noise.length).toBeGreaterThan(400_000);
    const cases: [Promise<{ status: number; body: { error?: { code: string } } }>, number, string][] = [
      [upload(villager, Buffer.from('not a picture at all'), 'x.jpg'), 415, 'UNSUPPORTED_MEDIA_TYPE'],
      [upload(villager, gif, 'x.gif', 'image/gif'), 415, 'UNSUPPORTED_MEDIA_TYPE'],
      [upload(villager, bomb, 'bomb.png', 'image/png'), 413, 'PAYLOAD_TOO_LARGE'],
      [upload(villager, noise, 'big.png', 'image/png'), 413, 'PAYLOAD_TOO_LARGE'],
      [t.http.post('/api/v1/photos').set(auth(villager)).send({ file: 'data:image/jpeg;base64,AAAA' }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
      [t.http.post('/api/v1/photos').set(auth(villager)).field('note', 'no file'), 400, 'VALIDATION_FAILED'],
      [t.http.post('/api/v1/photos').attach('file', gif, 'x.gif'), 401, 'UNAUTHENTICATED'],
    ];
    for (const [req, status, code] of cases) {
      const res = await req;
      expect([res.status, res.body.error?.code]).toEqual([status, code]);
    }
    expect(await count(t, 'SELECT COUNT(*) n FROM photos')).toBe(before);
  });

  it("when a ticket carries photos, then they show on it; another user's photo or one already used is 409 and no ticket is stored", async () => {
    const appliance = await t.http.post('/api/v1/me/appliances').set(auth(villager)).send({ category: 'range_hood', brand: '方太', ageYears: 3, storeId: 'DEMO-001' });
    const mine = (await upload(villager, await phonePhoto())).body.id as string;
    const stranger = await t.login('photo_stranger');
    const theirs = (await upload(stranger, await phonePhoto())).body.id as string;
    const before = await count(t, 'SELECT COUNT(*) n FROM tickets');
    const stolen = await t.http.post('/api/v1/tickets').set(auth(villager)).send({ kind: 'repair', applianceId: appliance.body.id, description: '漏油', photoIds: [mine, theirs] });
    expect([stolen.status, stolen.body.error.code]).toEqual([409, 'PHOTO_NOT_AVAILABLE']);
    expect(await count(t, 'SELECT COUNT(*) n FROM tickets')).toBe(before);
    expect(await count(t, 'SELECT COUNT(*) n FROM photos WHERE id = ? AND ticket_id IS NULL', [mine])).toBe(1);

    const ok = await t.http.post('/api/v1/tickets').set(auth(villager)).send({ kind: 'repair', applianceId: appliance.body.id, description: '漏油', photoIds: [mine] });
    expect(ok.status).toBe(201);
    expect(ok.body.photos).toEqual([{ id: mine, url: expect.stringContaining(`/photos/${mine}.jpg?`), width: 1600, height: 1200 }]);
    expect((await t.http.get(ok.body.photos[0].url)).status).toBe(200);
    const other = await t.http.post('/api/v1/me/appliances').set(auth(villager)).send({ category: 'tv', brand: '海信', ageYears: 3, storeId: 'DEMO-001' });
    const reused = await t.http.post('/api/v1/tickets').set(auth(villager)).send({ kind: 'repair', applianceId: other.body.id, description: '花屏', photoIds: [mine] });
    expect([reused.status, reused.body.error.code]).toEqual([409, 'PHOTO_NOT_AVAILABLE']);
  });
});
