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
    const { points, durationSeconds, blockSeconds } = deps.config.rateLimits[name];
    // While Redis is down a limit holds per process (the insurance limiter), so requests go on
    // being served and limited instead of failing; the count starts afresh on either side.
    const insuranceLimiter = new RateLimiterMemory({ keyPrefix: `rl:${name}`, points, duration: durationSeconds, blockDuration: blockSeconds ?? 0 });
    l = new RateLimiterRedis({
      storeClient: deps.redis, keyPrefix: `rl:${name}`, points, duration: durationSeconds, blockDuration: blockSeconds ?? 0, useRedisPackage: false, insuranceLimiter,
    });
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

/** "请 15 分钟后再试": how long a locked-out person waits, in words they read at a glance. */
export function waitInWords(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  return s < 60 ? `${s} 秒` : `${Math.ceil(s / 60)} 分钟`;
}

/** One budget of failed attempts: which limit, whose key, and whether a success clears it (consecutive failures). */
export type FailureBudget = { name: LimitName; key: string; clearedBySuccess: boolean };

/**
 * A brute-force guard in rate-limiter-flexible's login-protection pattern: only failed attempts
 * count. Each attempt takes its point from every budget before it runs (one atomic INCR each), so
 * concurrent guesses cannot all slip through between a check and a count; an attempt that
 * succeeds gives its points back and clears the budgets of consecutive failures; an attempt that
 * ends otherwise without failing (a dependency down, a code already used) only gives its points
 * back. A budget that runs out locks for its `blockSeconds`, then opens by itself, and the locked
 * person is told in Chinese how long to wait.
 */
export async function limitFailures<T>(
  deps: Deps,
  budgets: FailureBudget[],
  attempt: () => Promise<T>,
  isFailure: (err: unknown) => boolean,
  lockedMessage: (wait: string) => string,
): Promise<T> {
  const taken: FailureBudget[] = [];
  try {
    for (const b of budgets) {
      await limiter(deps, b.name).consume(b.key);
      taken.push(b);
    }
  } catch (err) {
    // A refused attempt is no failure either: the budgets it already took get their point back.
    await giveBack(deps, taken, 'neutral');
    if (!(err instanceof RateLimiterRes)) throw err;
    throw rateLimited(err.msBeforeNext / 1000, lockedMessage(waitInWords(err.msBeforeNext / 1000)));
  }
  let result: T;
  try {
    result = await attempt();
  } catch (err) {
    if (!isFailure(err)) await giveBack(deps, taken, 'neutral');
    throw err;
  }
  await giveBack(deps, taken, 'success');
  return result;
}

/** Best effort: a give-back lost to a Redis hiccup costs one point of a budget, never the answer. */
async function giveBack(deps: Deps, budgets: FailureBudget[], outcome: 'success' | 'neutral'): Promise<void> {
  await Promise.all(
    budgets.map((b) => {
      const l = limiter(deps, b.name);
      return (outcome === 'success' && b.clearedBySuccess ? l.delete(b.key) : l.reward(b.key)).catch(() => undefined);
    }),
  );
}
