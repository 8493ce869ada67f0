import { randomUUID } from 'node:crypto';
import type { RedisClient } from './redis';

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;

/**
 * A lease in Redis: among several BFF processes, only the holder runs a job. It expires by itself
 * when its holder dies. Work done under a lease must still be idempotent in MySQL, because a
 * lease can lapse while its holder is paused.
 */
export class Lease {
  private readonly token = randomUUID();
  constructor(private readonly redis: RedisClient, private readonly key: string, private readonly ttlMs: number) {}

  async acquire(): Promise<boolean> {
    const ok = await this.redis.set(`lease:${this.key}`, this.token, 'PX', this.ttlMs, 'NX');
    if (ok === 'OK') return true;
    return (await this.redis.eval(RENEW, 1, `lease:${this.key}`, this.token, String(this.ttlMs))) === 1;
  }

  async release(): Promise<void> {
    await this.redis.eval(RELEASE, 1, `lease:${this.key}`, this.token);
  }
}
