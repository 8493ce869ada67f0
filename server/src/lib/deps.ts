import type { Config } from './config';
import { createLogger, type Logger } from './logger';
import { createBatchPool, createPool, createPrisma, type Db, type PrismaClient } from './db';
import { createRedis, connectRedis, type RedisClient } from './redis';
import { startSessionCache, stopSessionCache } from './auth';
import { WechatClient } from './wechat';
import { createMetrics, type Metrics } from './metrics';

/** Everything a module needs, built once per process (or per test) and passed in. */
export type Deps = {
  config: Config;
  logger: Logger;
  prisma: PrismaClient;
  db: Db;
  /** Only for batches of statements sent in one round trip (order placement): see createBatchPool. */
  batchDb: Db;
  redis: RedisClient;
  wechat: WechatClient;
  metrics: Metrics;
};

export async function createDeps(config: Config, logger = createLogger(config.logLevel)): Promise<Deps> {
  const db = createPool(config.databaseUrl, config.dbPoolSize);
  const batchDb = createBatchPool(config.databaseUrl, Math.max(2, Math.ceil(config.dbPoolSize / 2)));
  const prisma = createPrisma(config.databaseUrl, Math.max(2, Math.floor(config.dbPoolSize / 2)));
  const redis = createRedis({ url: config.redisUrl, keyPrefix: config.redisKeyPrefix, cluster: config.redisCluster, clusterNodes: config.redisClusterNodes });
  // A Redis that is down at start-up is not fatal: the client reconnects and requests answer 503.
  redis.on('error', (err: Error) => logger.warn({ err: err.message }, 'redis error'));
  await connectRedis(redis).catch((err) => logger.warn({ err: (err as Error).message }, 'redis not reachable at start-up'));
  startSessionCache(redis, config.auth.sessionCacheSeconds, (err) => logger.warn({ err: err.message }, 'session evictions: redis error'));
  const wechat = new WechatClient(config.wechat, logger);
  return { config, logger, prisma, db, batchDb, redis, wechat, metrics: createMetrics() };
}

export async function closeDeps(deps: Deps): Promise<void> {
  await Promise.allSettled([deps.prisma.$disconnect(), deps.db.end(), deps.batchDb.end()]);
  stopSessionCache(deps.redis);
  deps.redis.disconnect();
}
