import KDBush from 'kdbush';
import { around } from 'geokdbush';
import { EARTH_RADIUS_M, haversineM } from './geo';

/**
 * The nearest stores from an in-process spatial index (a static k-d tree over every store,
 * kdbush, searched on the sphere by geokdbush). Stores change rarely, and a search here costs
 * microseconds and no round trip. Answers are exactly what the MySQL path answers: distances by
 * haversine on Redis's Earth radius from the stored coordinates, within the radius, nearest first,
 * ties by id. (geokdbush measures on a 6,371 km Earth: its cut-off is scaled to match, with a
 * metre to spare, and the exact filter is ours.)
 */
const GEOKDBUSH_EARTH_KM = 6371;

export type Located = { id: string; lat: number; lng: number; type: string };

export class NearestIndex<S extends Located> {
  private readonly index: KDBush | null = null;

  constructor(private readonly stores: S[]) {
    if (!stores.length) return;
    this.index = new KDBush(stores.length);
    for (const s of stores) this.index.add(s.lng, s.lat);
    this.index.finish();
  }

  get size(): number {
    return this.stores.length;
  }

  nearest(lat: number, lng: number, radiusM: number, limit: number, type?: string): (S & { distanceM: number })[] {
    if (!this.index) return [];
    const cutoffKm = ((radiusM + 1) / EARTH_RADIUS_M) * GEOKDBUSH_EARTH_KM;
    // A few more than asked, so that ties at the limit are broken by id as the other paths do.
    const ids = around(this.index, lng, lat, limit + 8, cutoffKm, type ? (i: number) => this.stores[i].type === type : undefined);
    return ids
      .map((i) => ({ ...this.stores[i], distanceM: haversineM(lat, lng, this.stores[i].lat, this.stores[i].lng) }))
      .filter((s) => s.distanceM <= radiusM)
      .sort((a, b) => a.distanceM - b.distanceM || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .slice(0, limit);
  }
}
