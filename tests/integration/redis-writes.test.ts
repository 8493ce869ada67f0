import type { Socket } from 'node:net';
import { createRedis, connectRedis } from '../../server/src/lib/redis';
import { loadConfig } from '../../server/src/lib/config';

/** The Redis client coalesces the commands of one event-loop turn into one socket write (see lib/redis.ts). */
describe('Redis writes', () => {
  it('when 200 commands are issued in one turn, then they leave in a couple of writes and every reply is right', async () => {
    const config = loadConfig({ env: 'test' });
    const redis = createRedis({ url: config.redisUrl, keyPrefix: `xh_t_writes_${process.pid}:`, cluster: false, clusterNodes: [] });
    await connectRedis(redis);
    try {
      const socket = (redis as unknown as { stream: Socket & { _write: (...args: unknown[]) => void; _writev: (...args: unknown[]) => void } }).stream;
      let writes = 0;
      for (const name of ['_write', '_writev'] as const) {
        const original = socket[name].bind(socket);
        socket[name] = (...args: unknown[]) => {
          writes++;
          return original(...args);
        };
      }
      const n = 200;
      const replies = await Promise.all(Array.from({ length: n }, (_, i) => redis.incrby('counter', i)));
      // INCRBYs run in order, so the replies are the running sums.
      expect(replies).toEqual(Array.from({ length: n }, (_, i) => (i * (i + 1)) / 2));
      expect(writes).toBeLessThanOrEqual(2);
      await redis.del('counter');
    } finally {
      redis.disconnect();
    }
  });
});
