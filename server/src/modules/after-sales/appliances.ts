import type { Deps } from '../../lib/deps';
import type { AuthUser } from '../../lib/auth';
import { notFound } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { CATEGORIES, type Category } from '../catalogue/categories';
import { TRADE_IN_CATEGORIES } from '../trade-in/categories';
import { getStore } from '../stores/service';
import { ageInYears, isPastTypicalLife, nextMaintenanceAfter, rulesOf, warrantyUntil } from './upkeep';
import * as repo from './appliance-repository';

/**
 * 我的家电: the household's appliances. Each unit a villager takes home (a pickup or a delivery
 * completed) becomes one, with its warranty and next upkeep from the category's rules; appliances
 * bought elsewhere are added by hand, and one past its category's typical life suggests 换新 with
 * the trade-in wizard prefilled.
 */
export type OrderHandedOver = {
  orderId: string;
  userId: string;
  storeId: string;
  items: { skuId: string; category: string; brand: string; name: string; spec?: string; units: number }[];
  /** Delivery records the new units' serial numbers, per SKU; a pickup has none. */
  serialNumbers?: Record<string, string[]>;
};

/** Idempotent: every unit is keyed by (order, SKU, unit number), so a replayed event adds nothing. */
export async function addAppliancesFromOrder(deps: Deps, order: OrderHandedOver, handedOverAt = new Date()): Promise<void> {
  const rows = [...order.items]
    .sort((a, b) => a.skuId.localeCompare(b.skuId))
    .flatMap((item) =>
      Array.from({ length: item.units }, (_, i) => ({
        id: newId(),
        userId: order.userId,
        storeId: order.storeId,
        category: item.category,
        brand: item.brand,
        name: item.name,
        model: item.spec ?? null,
        serialNumber: order.serialNumbers?.[item.skuId]?.[i] ?? null,
        source: 'order' as const,
        orderId: order.orderId,
        skuId: item.skuId,
        unitNo: i + 1,
        installedAt: handedOverAt,
        warrantyUntil: warrantyUntil(deps.config, item.category, handedOverAt),
        nextMaintenanceAt: nextMaintenanceAfter(deps.config, item.category, handedOverAt, handedOverAt),
      })),
    );
  await repo.insertAppliances(deps.db, rows);
}

export type HandAddedAppliance = { category: Category; brand: string; ageYears: number; model?: string | null; storeId?: string | null };

export async function addApplianceByHand(deps: Deps, user: AuthUser, body: HandAddedAppliance) {
  if (body.storeId) await getStore(deps, body.storeId);
  const now = new Date();
  // The villager remembers years, not dates: the middle of that year is the best guess.
  const installedAt = new Date(now.getTime() - (body.ageYears + (body.ageYears > 0 ? 0.5 : 0)) * 365.25 * 86_400_000);
  const row = {
    id: newId(),
    userId: user.id,
    storeId: body.storeId ?? null,
    category: body.category,
    brand: body.brand,
    name: `${body.brand}${CATEGORIES[body.category]}`,
    model: body.model ?? null,
    serialNumber: null,
    source: 'self' as const,
    orderId: null,
    skuId: null,
    unitNo: 1,
    installedAt,
    warrantyUntil: warrantyUntil(deps.config, body.category, installedAt),
    // Its upkeep history is unknown: the first reminder comes one cycle after it is added, not at once.
    nextMaintenanceAt: nextMaintenanceAfter(deps.config, body.category, now, now),
  };
  await repo.insertAppliances(deps.db, [row]);
  return presentAppliance(deps, { ...row, createdAt: now }, now);
}

export function presentAppliance(deps: Deps, a: repo.ApplianceRow, now = new Date()) {
  const ageYears = ageInYears(a.installedAt, now);
  const tradeable = (TRADE_IN_CATEGORIES as readonly string[]).includes(a.category);
  const replace = isPastTypicalLife(deps.config, a.category, a.installedAt, now);
  return {
    id: a.id,
    category: a.category,
    categoryName: CATEGORIES[a.category as Category] ?? a.category,
    brand: a.brand,
    name: a.name,
    model: a.model,
    serialNumber: a.serialNumber,
    source: a.source,
    orderId: a.orderId,
    storeId: a.storeId,
    installedAt: a.installedAt.toISOString(),
    ageYears,
    warrantyUntil: a.warrantyUntil ? a.warrantyUntil.toISOString() : null,
    inWarranty: !!a.warrantyUntil && a.warrantyUntil.getTime() > now.getTime(),
    nextMaintenanceAt: a.nextMaintenanceAt ? a.nextMaintenanceAt.toISOString() : null,
    typicalLifeYears: rulesOf(deps.config, a.category)?.typicalLifeYears ?? null,
    /** 换新: past its typical life; the trade-in wizard opens with these answers filled in. */
    replacement: replace ? { suggested: true, tradeInPrefill: tradeable ? { category: a.category, brand: a.brand, ageYears: Math.min(ageYears, 40) } : null } : null,
  };
}

export async function listMyAppliances(deps: Deps, user: AuthUser, q: { cursor?: string; limit?: number }) {
  const limit = Math.min(q.limit ?? 20, 50);
  const rows = await repo.listUserAppliances(deps.db, user.id, q.cursor, limit);
  const page = rows.slice(0, limit);
  const now = new Date();
  return { items: page.map((a) => presentAppliance(deps, a, now)), nextCursor: rows.length > limit ? page[page.length - 1].id : null };
}

export async function getMyAppliance(deps: Deps, user: AuthUser, id: string) {
  const a = await repo.findAppliance(deps.db, id, user.id);
  if (!a) throw notFound('找不到这件家电');
  return presentAppliance(deps, a);
}
