import type { Db, PrismaClient } from '../../server/src/lib/db';
import type { Config } from '../../server/src/lib/config';

/** What a seed step gets: both database clients and a way to report progress. */
export type SeedContext = {
  config: Config;
  db: Db;
  prisma: PrismaClient;
  progress: (step: string, done: number, total: number) => void;
  /** Smaller data for tests (e.g. one province of regions); `chain` adds a season of a whole chain (chain.ts). */
  scale: 'full' | 'test' | 'chain';
};

export type SeedStep = { name: string; run: (ctx: SeedContext) => Promise<void> };
