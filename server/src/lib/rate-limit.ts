import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Deps } from './deps';
import { rateLimited } from './errors';

type LimitName = keyof Deps['config']['rateLimits'];

const cache = new WeakMap<Deps, Map<LimitName, RateLimiterRedis>>();

function limiter(deps: Deps, name: LimitName): RateLimiterRedis {
  let byName = cache.get(deps);
  if (!byName) cache.set(deps, (byName = new Map<LimitName, RateLimiterRedis>()));
  let l = byName.get(name);
  if (!l) {
    const { points, durationSeconds } = deps.config.rateLimits[name];
    // While Redis is down a limit holds per process (the insurance limiter), so requests go on
    // being served and limited instead of failing; the count starts afresh on either side.
    const insuranceLimiter = new RateLimiterMemory({ keyPrefix: `rl:${name}`, points, duration: durationSeconds });
    l = new RateLimiterRedis({ storeClient: deps.redis, keyPrefix: `rl:${name}`, points, duration: durationSeconds, useRedisPackage: false, insuranceLimiter });
    byName.set(name, l);
  }
  return l;
}

/** Counts one attempt against a configured limit; past it, 429 RATE_LIMITED with Retry-After. */
export async function consumeRateLimit(deps: Deps, name: LimitName, key: string, points = 1): Promise<void> {
  try {
    await limiter(deps, name).consume(key, points);
  } catch (err) {
    if (err instanceof RateLimiterRes) throw rateLimited(err.msBeforeNext / 1000);
    throw err;
  }
}
