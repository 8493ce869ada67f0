import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPool, createPrisma } from '../../server/src/lib/db';
import { newId } from '../../server/src/lib/ids';
import { modes as baselineModes } from './baseline-modes';

/**
 * The baselines benchmarks compare against, each served over node:http in a process of its own
 * (like the BFF), so both sides get the same HTTP stack and a core each:
 * - bare: a constant (the ceiling of the HTTP stack here);
 * - naive-orders: one Prisma interactive transaction that reads the SKU FOR UPDATE, checks and
 *   decrements it, and writes the order (what popular projects do);
 * Other benchmarks add their modes here.
 */
type Handler = (body: Record<string, unknown>, url: URL) => Promise<{ status: number; body: unknown }>;

const mode = process.env.BASELINE_MODE ?? 'bare';
const databaseUrl = process.env.DATABASE_URL ?? '';

function handlers(): Handler {
  if (mode === 'bare') return () => Promise.resolve({ status: 200, body: { ok: true } });
  const prisma = createPrisma(databaseUrl, 20);
  const db = createPool(databaseUrl, 20);
  const modes: Record<string, Handler> = {
    'naive-orders': async (body) => {
      const { userId, skuId, units } = body as { userId: string; skuId: string; units: number };
      try {
        const order = await prisma.$transaction(async (tx) => {
          const rows = await tx.$queryRaw<{ available: number; price_fen: number }[]>`SELECT available, price_fen FROM skus WHERE id = ${skuId} FOR UPDATE`;
          if (!rows.length || rows[0].available < units) return null;
          await tx.sku.update({ where: { id: skuId }, data: { available: rows[0].available - units } });
          const id = newId();
          const code = String(Math.floor(Math.random() * 1e8)).padStart(8, '0');
          await tx.order.create({
            data: {
              id, userId, storeId: 'DEMO-001', status: 'awaiting_pickup', source: 'direct', itemsFen: rows[0].price_fen * units, couponFen: 0, tradeInFen: 0,
              payableFen: rows[0].price_fen * units, pickupCode: code, expiresAt: new Date(Date.now() + 7 * 86400000),
              items: { create: [{ skuId, productId: 'BENCH', productName: 'bench', spec: 'bench', category: 'tv', units, unitPriceFen: rows[0].price_fen }] },
            },
          });
          return id;
        }, { timeout: 20000, maxWait: 20000 });
        return order ? { status: 201, body: { id: order } } : { status: 409, body: { error: { code: 'INSUFFICIENT_STOCK' } } };
      } catch (err) {
        return { status: 503, body: { error: String((err as Error).message).slice(0, 200) } };
      }
    },
  };
  const extra = baselineModes(db, prisma);
  const h = modes[mode] ?? extra[mode];
  if (!h) throw new Error(`unknown baseline mode ${mode}`);
  return h;
}

function main() {
  const handle = handlers();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      let body: Record<string, unknown>;
      try {
        body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {};
      } catch {
        body = {};
      }
      void handle(body, new URL(req.url ?? '/', 'http://x')).then((r) => {
        const text = JSON.stringify(r.body);
        res.writeHead(r.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        res.end(text);
      });
    });
  });
  server.keepAliveTimeout = 65000;
  server.listen(0, '127.0.0.1', () => process.send?.({ ready: true, port: (server.address() as AddressInfo).port }));
  process.on('SIGTERM', () => process.exit(0));
}

main();
