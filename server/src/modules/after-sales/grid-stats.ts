import type { Deps } from '../../lib/deps';
import type { AuthUser } from '../../lib/auth';
import { notFound } from '../../lib/errors';
import * as repo from './stats-repository';
import { readableStores } from './scope';
import { shanghaiDay } from './upkeep';

/**
 * What a grid manager (网格经理) watches per store: open and escalated tickets now, and week by
 * week the tickets opened, how many the store answered by respondBy, the average rating and the
 * reminders done (delivered by WeChat or called). Store owners see their own stores, admins all.
 */
const DAY_MS = 86_400_000;
const SHANGHAI_MS = 8 * 3_600_000;

/** The Mondays (Shanghai) of the last `weeks` weeks, oldest first, and the instant the first began. */
export function lastWeeks(now: Date, weeks: number): { starts: string[]; since: Date } {
  const local = new Date(now.getTime() + SHANGHAI_MS);
  const monday = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate()) - ((local.getUTCDay() + 6) % 7) * DAY_MS;
  const starts = Array.from({ length: weeks }, (_, i) => new Date(monday - (weeks - 1 - i) * 7 * DAY_MS).toISOString().slice(0, 10));
  return { starts, since: new Date(monday - (weeks - 1) * 7 * DAY_MS - SHANGHAI_MS) };
}

export type WeekFigures = { week: string; ticketsOpened: number; answeredInTime: number; answeredRate: number | null; ratings: number; averageRating: number | null; remindersDone: number };

async function weeklyFigures(deps: Deps, storeIds: string[], weeks: number, now: Date): Promise<Map<string, WeekFigures[]>> {
  const { starts, since } = lastWeeks(now, weeks);
  const [tickets, ratings, reminders] = await Promise.all([
    repo.ticketsByWeek(deps.db, storeIds, since), repo.ratingsByWeek(deps.db, storeIds, since), repo.remindersDoneByWeek(deps.db, storeIds, since),
  ]);
  const key = (storeId: string, week: string) => `${storeId}|${week}`;
  const index = (rows: repo.WeekRow[]) => new Map(rows.map((r) => [key(r.storeId, r.week), r]));
  const [t, r, m] = [index(tickets), index(ratings), index(reminders)];
  return new Map(
    storeIds.map((storeId) => [
      storeId,
      starts.map((week) => {
        const opened = Number(t.get(key(storeId, week))?.n ?? 0);
        const inTime = Number(t.get(key(storeId, week))?.m ?? 0);
        const rating = r.get(key(storeId, week));
        return {
          week, ticketsOpened: opened, answeredInTime: inTime, answeredRate: opened ? Math.round((inTime / opened) * 100) / 100 : null,
          ratings: Number(rating?.n ?? 0), averageRating: rating?.avg != null ? Math.round(Number(rating.avg) * 10) / 10 : null,
          remindersDone: Number(m.get(key(storeId, week))?.n ?? 0),
        };
      }),
    ]),
  );
}

async function scopeIds(deps: Deps, user: AuthUser): Promise<string[] | null> {
  const scope = await readableStores(deps, user);
  return 'storeIds' in scope ? scope.storeIds : [];
}

/** The caller's stores, each with its open tickets now and this week's figures. */
export async function listGridStores(deps: Deps, user: AuthUser, q: { cursor?: string; limit?: number }, now = new Date()) {
  const limit = Math.min(q.limit ?? 20, 50);
  const rows = await repo.storesPage(deps.db, await scopeIds(deps, user), q.cursor, limit);
  const page = rows.slice(0, limit);
  const ids = page.map((s) => s.id);
  const [counts, weeks] = await Promise.all([repo.openCounts(deps.db, ids), weeklyFigures(deps, ids, 1, now)]);
  const byStore = new Map(counts.map((c) => [c.storeId, c]));
  return {
    items: page.map((s) => ({
      id: s.id, name: s.name,
      open: byStore.get(s.id)?.open ?? 0, escalated: byStore.get(s.id)?.escalated ?? 0, overdue: byStore.get(s.id)?.overdue ?? 0,
      thisWeek: weeks.get(s.id)![0],
    })),
    nextCursor: rows.length > limit ? page[page.length - 1].id : null,
  };
}

/** One store's last `weeks` weeks, oldest first (what the charts draw). */
export async function storeWeekly(deps: Deps, user: AuthUser, storeId: string, weeks: number, now = new Date()) {
  const ids = await scopeIds(deps, user);
  if (ids && !ids.includes(storeId)) throw notFound('找不到该门店');
  const [store] = await repo.storesPage(deps.db, [storeId], undefined, 1);
  if (!store) throw notFound('找不到该门店');
  const [counts] = await repo.openCounts(deps.db, [storeId]);
  return {
    store: { id: store.id, name: store.name },
    open: counts?.open ?? 0, escalated: counts?.escalated ?? 0, overdue: counts?.overdue ?? 0,
    asOf: shanghaiDay(now),
    weeks: (await weeklyFigures(deps, [storeId], weeks, now)).get(storeId)!,
  };
}
