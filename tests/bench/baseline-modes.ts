import type { Db, PrismaClient } from '../../server/src/lib/db';

type Handler = (body: Record<string, unknown>, url: URL) => Promise<{ status: number; body: unknown }>;

/** Baseline modes of the capability benchmarks (stores, coupons, group-buy): one entry each. */
export function modes(_db: Db, _prisma: PrismaClient): Record<string, Handler> {
  return {};
}
