import type { Deps } from '../../lib/deps';
import type { Background } from '../background';
import { activeTemplates } from './repository';
import { couponKeys } from './keys';
import { consumerName, persistPendingClaims, rebuildCounters, reconcile } from './service';

/** The stream consumer of admitted claims: one consumer per process in the group `persist`. */
export const claimPersister: Background = {
  name: 'coupon-claim-persister',
  start(deps: Deps) {
    const name = consumerName();
    let stopped = false;
    let templates: Awaited<ReturnType<typeof activeTemplates>> = [];
    let refreshedAt = 0;
    const loop = (async () => {
      while (!stopped) {
        try {
          if (Date.now() - refreshedAt > 5000) {
            // Recently ended campaigns too: a claim admitted in the last moment may still wait on its stream.
            templates = await activeTemplates(deps.db, 7, 24);
            refreshedAt = Date.now();
            // Counters ready before the rush (or again after Redis restarted), not at the first claim.
            for (const tpl of templates) if (tpl.endsAt.getTime() > Date.now() && !(await deps.redis.exists(couponKeys(tpl.id).stock))) await rebuildCounters(deps, tpl);
          }
          await persistPendingClaims(deps, name, templates);
        } catch (err) {
          deps.logger.warn({ err: (err as Error).message }, 'coupon claim persister: will retry');
        }
        await new Promise((r) => setTimeout(r, deps.config.coupons.persistIntervalMs));
      }
    })();
    return Promise.resolve(async () => {
      stopped = true;
      await loop;
    });
  },
};

const gauges = new WeakMap<Deps, ReturnType<Deps['metrics']['gauge']>>();

/** Reconciliation: Redis's issued count against MySQL's, per template, as a metric. */
export async function reconcileCoupons(deps: Deps): Promise<void> {
  const gauge = gauges.get(deps) ?? deps.metrics.gauge('coupon_reconcile_difference', 'Coupons Redis admitted minus coupons MySQL holds, per template', ['templateId']);
  gauges.set(deps, gauge);
  const diff = await reconcile(deps);
  for (const [templateId, d] of Object.entries(diff)) {
    gauge.set({ templateId }, d);
    if (d !== 0) deps.logger.info({ templateId, difference: d }, 'coupon counters differ from MySQL');
  }
}
