import type { Socket } from 'node:net';
import Redis, { Cluster, type RedisOptions } from 'ioredis';

export type RedisClient = Redis | Cluster;

export type RedisSettings = { url: string; keyPrefix: string; cluster: boolean; clusterNodes: string[] };

/**
 * Commands fail fast while Redis is away (no offline queue, and at most 2 s for an answer), so
 * callers answer 503 or fall back at once instead of hanging; the client keeps reconnecting in the
 * background.
 */
export function createRedis(s: RedisSettings): RedisClient {
  const common: RedisOptions = {
    keyPrefix: s.keyPrefix,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    // A Redis that stops answering without closing the connection must not hold requests either.
    commandTimeout: 2000,
    retryStrategy: (times) => Math.min(times * 100, 1000),
    lazyConnect: true,
  };
  if (s.cluster) {
    const nodes = s.clusterNodes.map((n) => {
      const [host, port] = n.split(':');
      return { host, port: Number(port) };
    });
    const cluster = new Cluster(nodes, {
      keyPrefix: s.keyPrefix,
      enableOfflineQueue: false,
      lazyConnect: true,
      clusterRetryStrategy: (times) => Math.min(times * 100, 1000),
      redisOptions: { ...common, keyPrefix: undefined },
    });
    cluster.on('+node', (node: Redis) => coalesceWrites(node));
    return cluster;
  }
  const client = new Redis(s.url, common);
  coalesceWrites(client);
  return client;
}

/**
 * Commands written to one Redis connection within a turn of the event loop leave in one write:
 * under load, the requests of a turn share a syscall instead of making one each (syscalls dominate
 * the BFF's profile here). Order and replies are untouched; it only corks the socket until
 * setImmediate. (ioredis' own enableAutoPipelining does this too, but breaks scripts and MULTI.)
 */
function coalesceWrites(node: Redis): void {
  node.on('connect', () => {
    const socket = (node as unknown as { stream: Socket & { xhCoalesced?: boolean } }).stream;
    if (!socket || socket.xhCoalesced) return;
    socket.xhCoalesced = true;
    const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
    let corked = false;
    socket.write = ((...args: unknown[]) => {
      if (!corked) {
        corked = true;
        socket.cork();
        setImmediate(() => {
          corked = false;
          socket.uncork();
        });
      }
      return write(...args);
    });
  });
}

/**
 * A Lua script as a command: ioredis sends EVALSHA and loads the script once when Redis answers
 * NOSCRIPT (after a restart too). Keys first, then arguments; keys get the client's prefix.
 */
export function luaCommand<R>(name: string, numberOfKeys: number, lua: string): (redis: RedisClient, ...keysThenArgs: (string | number)[]) => Promise<R> {
  const defined = new WeakSet<RedisClient>();
  return (redis, ...keysThenArgs) => {
    if (!defined.has(redis)) {
      redis.defineCommand(name, { numberOfKeys, lua });
      defined.add(redis);
    }
    return (redis as unknown as Record<string, (...a: (string | number)[]) => Promise<R>>)[name](...keysThenArgs);
  };
}

/**
 * Resolves when the client can take commands. A cluster client is waited for by its 'ready' event:
 * when its ready check finds `cluster_state:fail` (a cluster still forming, slots not yet covered),
 * ioredis reconnects on its own but never settles the promise `connect()` returned, which would hang
 * start-up for good. After `timeoutMs` this rejects; the client goes on reconnecting by itself.
 */
export async function connectRedis(client: RedisClient, timeoutMs = 20_000): Promise<void> {
  if (client.status === 'ready') return;
  if (!(client instanceof Cluster)) {
    await client.connect();
    return;
  }
  let lastError = 'no answer';
  await new Promise<void>((resolve, reject) => {
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      reject(new Error(`Redis Cluster not ready within ${timeoutMs / 1000} s (${lastError})`));
    }, timeoutMs);
    client.once('ready', onReady);
    client.connect().catch((err: Error) => {
      lastError = err.message;
    });
  });
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
