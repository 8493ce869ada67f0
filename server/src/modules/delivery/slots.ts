import type { Deps } from '../../lib/deps';
import type { AuthUser } from '../../lib/auth';
import { conflict, notFound, validationFailed } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { pageInMemory } from '../../lib/http';
import * as repo from './repository';

/**
 * Appointment slots: each store's day has three windows (Asia/Shanghai, which keeps no daylight
 * saving: UTC+8 all year). A slot row is made the first time anyone asks for its day (the public
 * list, the owner's capacity), with the configured capacity; the owner can change it, never below
 * what is booked. Places are taken and given back in `repository.ts` (`takePlace`, `givePlaceBack`).
 */
export type TimeWindow = 'morning' | 'afternoon' | 'evening';
export const WINDOWS: Record<TimeWindow, [startHour: number, endHour: number]> = { morning: [9, 12], afternoon: [13, 17], evening: [18, 20] };
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

/** Today's date in Asia/Shanghai, YYYY-MM-DD. */
export const shanghaiToday = (now = Date.now()) => new Date(now + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
export const addDays = (date: string, n: number) => new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);

/** A window of a Shanghai day as UTC instants. */
export function windowTimes(date: string, window: TimeWindow): { startsAt: Date; endsAt: Date } {
  const midnight = Date.parse(`${date}T00:00:00Z`) - SHANGHAI_OFFSET_MS;
  const [from, to] = WINDOWS[window];
  return { startsAt: new Date(midnight + from * 3_600_000), endsAt: new Date(midnight + to * 3_600_000) };
}

/** A slot takes bookings until `bookBeforeMinutes` before its window. */
export const bookableAfter = (deps: Deps, now = Date.now()) => new Date(now + deps.config.delivery.bookBeforeMinutes * 60_000);

async function ensureDays(deps: Deps, storeId: string, dates: string[]): Promise<void> {
  const capacity = deps.config.delivery.slotCapacity;
  await repo.insertMissingSlots(
    deps.db,
    dates.flatMap((date) => (Object.keys(WINDOWS) as TimeWindow[]).map((window) => ({ id: newId(), storeId, date, window, ...windowTimes(date, window), capacity: capacity[window] }))),
  );
}

export function presentSlot(deps: Deps, s: repo.SlotRow, now = Date.now()) {
  const open = s.startsAt.getTime() > bookableAfter(deps, now).getTime();
  return {
    id: s.id, date: s.slotDate, window: s.timeWindow as TimeWindow, startsAt: s.startsAt.toISOString(), endsAt: s.endsAt.toISOString(),
    capacity: s.capacity, remaining: open ? Math.max(0, s.capacity - s.booked) : 0,
  };
}

/** The days offered: from today (Shanghai) for `daysAhead` days; a `from` outside them is 400. */
function offeredDays(deps: Deps, from: string | undefined, days: number): string[] {
  const today = shanghaiToday();
  const last = addDays(today, deps.config.delivery.daysAhead - 1);
  const start = from ?? today;
  if (Number.isNaN(Date.parse(`${start}T00:00:00Z`)) || start < today || start > last) {
    throw validationFailed([{ path: 'query.from', message: `a date from ${today} to ${last}` }], '只能预约今天起的日期');
  }
  return Array.from({ length: days }, (_, i) => addDays(start, i)).filter((d) => d <= last);
}

export async function listSlots(deps: Deps, storeId: string, q: { from?: string; days?: number; cursor?: string; limit?: number }) {
  if (!(await repo.storeExists(deps.db, storeId))) throw notFound('门店不存在');
  const dates = offeredDays(deps, q.from, q.days ?? 7);
  await ensureDays(deps, storeId, dates);
  const rows = await repo.slotsBetween(deps.db, storeId, dates[0], dates[dates.length - 1]);
  const now = Date.now();
  return pageInMemory(rows.map((s) => presentSlot(deps, s, now)), { cursor: q.cursor, limit: q.limit ?? 42 });
}

/** The owner sets a window's capacity at one of their stores; never below the places booked (409 SLOT_CAPACITY_BELOW_BOOKED). */
export async function setSlotCapacity(deps: Deps, owner: AuthUser, input: { storeId: string; date: string; window: TimeWindow; capacity: number }) {
  if (!(await repo.isStoreOwner(deps.db, owner.id, input.storeId))) throw notFound('门店不存在');
  await ensureDays(deps, input.storeId, offeredDays(deps, input.date, 1));
  const slot = (await repo.findSlotAt(deps.db, input.storeId, input.date, input.window))!;
  if (!(await repo.setCapacity(deps.db, slot.id, input.capacity))) {
    throw conflict('SLOT_CAPACITY_BELOW_BOOKED', `该时段已约 ${slot.booked} 单，容量不能少于已约单数`);
  }
  return presentSlot(deps, (await repo.findSlot(deps.db, slot.id))!);
}
