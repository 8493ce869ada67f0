import type { Background } from '../background';
import { isDependencyDown } from '../../lib/errors';
import { rebuildGeoIndex } from './geo';

const REFRESH_MS = 10 * 60_000;

/** Builds the stores' geo index at start-up (Redis keeps nothing across its restart), then refreshes it. */
export const storesGeoIndex: Background = {
  name: 'stores geo index',
  async start(deps) {
    const rebuild = () =>
      rebuildGeoIndex(deps).catch((err) => {
        if (isDependencyDown(err)) deps.logger.warn({ err: (err as Error).message }, 'stores geo index not rebuilt: dependency down');
        else deps.logger.error({ err }, 'stores geo index rebuild failed');
        return false;
      });
    await rebuild();
    const timer = setInterval(() => void rebuild(), REFRESH_MS);
    timer.unref();
    return () => {
      clearInterval(timer);
      return Promise.resolve();
    };
  },
};
