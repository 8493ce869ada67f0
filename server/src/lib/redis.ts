import Redis, { Cluster, type RedisOptions } from 'ioredis';

export type RedisClient = Redis | Cluster;

export type RedisSettings = { url: string; keyPrefix: string; cluster: boolean; clusterNodes: string[] };

/**
 * Commands fail fast while Redis is away (no offline queue), so callers answer 503 at once
 * instead of hanging; the client keeps reconnecting in the background.
 */
export function createRedis(s: RedisSettings): RedisClient {
  const common: RedisOptions = {
    keyPrefix: s.keyPrefix,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(times * 100, 1000),
    lazyConnect: true,
  };
  if (s.cluster) {
    const nodes = s.clusterNodes.map((n) => {
      const [host, port] = n.split(':');
      return { host, port: Number(port) };
    });
    return new Cluster(nodes, {
      keyPrefix: s.keyPrefix,
      enableOfflineQueue: false,
      lazyConnect: true,
      clusterRetryStrategy: (times) => Math.min(times * 100, 1000),
      redisOptions: { ...common, keyPrefix: undefined },
    });
  }
  return new Redis(s.url, common);
}

export async function connectRedis(client: RedisClient): Promise<void> {
  if (client.status === 'ready') return;
  await client.connect();
}

/** Deletes every key under a prefix (tests clean up their own namespace). */
export async function deleteByPrefix(url: string, prefix: string): Promise<void> {
  const r = new Redis(url, { lazyConnect: true });
  await r.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await r.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
}
