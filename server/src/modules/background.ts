import type { Deps } from '../lib/deps';
import { claimPersister } from './coupons/consumer';
import { storesGeoIndex } from './stores/background';

/**
 * Long-running consumers (not timers), such as the coupon claim stream consumer. Each returns its
 * stop function. Capabilities add theirs here.
 */
export type Background = { name: string; start: (deps: Deps) => Promise<() => Promise<void>> };

export const backgrounds: Background[] = [claimPersister, storesGeoIndex];

export async function startBackground(deps: Deps, list: Background[] = backgrounds): Promise<() => Promise<void>> {
  const stops = await Promise.all(list.map((b) => b.start(deps)));
  return async () => {
    await Promise.allSettled(stops.map((s) => s()));
  };
}
