import type { PoolConnection } from 'mysql2/promise';
import type { Deps } from '../../lib/deps';
import { conflict, notFound } from '../../lib/errors';
import * as repo from './repository';

/**
 * Where a store delivers and what it charges: the villages of its service area, free delivery
 * within `freeKm` of the store (measured to the village's centre), `remoteFenPerKm` for every
 * started kilometre beyond, nothing beyond `maxKm`; per category and unit a delivery, an
 * installation and a haul-away fee. A store without terms does not deliver.
 */
export async function getServiceArea(deps: Deps, storeId: string) {
  if (!(await repo.storeExists(deps.db, storeId))) throw notFound('门店不存在');
  const [regionCodes, terms, byCategory] = await Promise.all([repo.serviceAreaOf(deps.db, storeId), repo.findTerms(deps.db, storeId), repo.feesOf(deps.db, storeId)]);
  return { storeId, regionCodes, fees: terms ? { ...terms, byCategory } : null };
}

/** Great-circle distance in metres (the haversine formula; GCJ-02 offsets cancel out at village scale). */
export function distanceM(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLng = (b.lng - a.lng) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2;
  return Math.round(2 * 6_371_000 * Math.asin(Math.sqrt(h)));
}

export type DeliveryFees = { deliveryFen: number; installFen: number; haulAwayFen: number; remoteFen: number };
export type FeeLine = { category: string; units: number };

const outOfArea = (message: string) => conflict('OUT_OF_SERVICE_AREA', message);

/**
 * What delivering these lines to the village costs, or 409 OUT_OF_SERVICE_AREA: the village is not
 * in the store's area, the store does not deliver, or the village lies beyond `maxKm`. A village
 * whose centre is not recorded is charged no remote fee.
 */
export async function quoteDelivery(conn: PoolConnection, input: { storeId: string; villageCode: string; lines: FeeLine[]; install: boolean; haulAway: boolean }): Promise<{ fees: DeliveryFees; distanceM: number | null }> {
  const [area, terms, fees, store] = await Promise.all([
    repo.villageInArea(conn, input.storeId, input.villageCode), repo.findTerms(conn, input.storeId), repo.feesOf(conn, input.storeId), repo.findStorePosition(conn, input.storeId),
  ]);
  if (!terms || !store) throw outOfArea('该门店暂不提供送货上门');
  if (!area.served) throw outOfArea('该村不在门店的送货范围内，请选择到店自提或其他门店');
  const distance = area.centre ? distanceM(store, area.centre) : null;
  if (distance !== null && distance > terms.maxKm * 1000) throw outOfArea(`该村距门店约 ${Math.round(distance / 1000)} 公里，超出 ${terms.maxKm} 公里的送货范围`);
  const byCategory = new Map(fees.map((f) => [f.category, f]));
  const sum = (pick: (f: repo.CategoryFee) => number) => input.lines.reduce((n, l) => n + l.units * (byCategory.has(l.category) ? pick(byCategory.get(l.category)!) : 0), 0);
  const beyondKm = distance === null ? 0 : Math.max(0, Math.ceil((distance - terms.freeKm * 1000) / 1000));
  return {
    fees: {
      deliveryFen: sum((f) => f.deliveryFen),
      installFen: input.install ? sum((f) => f.installFen) : 0,
      haulAwayFen: input.haulAway ? sum((f) => f.haulAwayFen) : 0,
      remoteFen: beyondKm * terms.remoteFenPerKm,
    },
    distanceM: distance,
  };
}
