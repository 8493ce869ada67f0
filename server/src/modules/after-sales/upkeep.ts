import type { Config } from '../../lib/config';

/**
 * What a category promises after the sale, from configuration (afterSales.categories): how long the
 * warranty runs, how long such an appliance typically lasts, and when it wants upkeep. Dates are
 * computed on the calendar of Asia/Shanghai (UTC+8 all year), kept in UTC.
 */
type CategoryRules = Config['afterSales']['categories'][string];

const SHANGHAI_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;
/** A seasonal check is not due within this many days of installation: a new unit needs no cleaning. */
const SEASONAL_GRACE_DAYS = 90;

function addMonths(at: Date, months: number): Date {
  const local = new Date(at.getTime() + SHANGHAI_MS);
  const day = local.getUTCDate();
  local.setUTCDate(1);
  local.setUTCMonth(local.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth() + 1, 0)).getUTCDate();
  local.setUTCDate(Math.min(day, lastDay));
  return new Date(local.getTime() - SHANGHAI_MS);
}

/** Midnight in Shanghai of month-day `mmdd` in `year`. */
function shanghaiDate(year: number, mmdd: string): Date {
  const [m, d] = mmdd.split('-').map(Number);
  return new Date(Date.UTC(year, m - 1, d) - SHANGHAI_MS);
}

export function rulesOf(config: Config, category: string): CategoryRules | null {
  return config.afterSales.categories[category] ?? null;
}

export function warrantyUntil(config: Config, category: string, installedAt: Date): Date | null {
  const rules = rulesOf(config, category);
  return rules && rules.warrantyMonths > 0 ? addMonths(installedAt, rules.warrantyMonths) : null;
}

/** The first upkeep due strictly after `after` (and never before the appliance was installed); null when the category needs none. */
export function nextMaintenanceAfter(config: Config, category: string, installedAt: Date, after: Date): Date | null {
  const cycle = rulesOf(config, category)?.maintenance;
  if (!cycle) return null;
  if ('everyMonths' in cycle) {
    const from = Math.max(after.getTime(), installedAt.getTime());
    // Start near the answer instead of walking from the installation month by month.
    let k = Math.max(1, Math.floor((from - installedAt.getTime()) / (cycle.everyMonths * 30.44 * DAY_MS)) - 1);
    let due = addMonths(installedAt, k * cycle.everyMonths);
    while (due.getTime() <= from) due = addMonths(installedAt, ++k * cycle.everyMonths);
    return due;
  }
  const from = Math.max(after.getTime(), installedAt.getTime() + SEASONAL_GRACE_DAYS * DAY_MS);
  let year = new Date(from + SHANGHAI_MS).getUTCFullYear();
  let due = shanghaiDate(year, cycle.yearlyBy);
  while (due.getTime() <= from) due = shanghaiDate(++year, cycle.yearlyBy);
  return due;
}

/** Whole years since installation. */
export function ageInYears(installedAt: Date, now: Date): number {
  return Math.max(0, Math.floor((now.getTime() - installedAt.getTime()) / (365.25 * DAY_MS)));
}

/** An appliance older than its category's typical life is worth replacing (换新). */
export function isPastTypicalLife(config: Config, category: string, installedAt: Date, now: Date): boolean {
  const rules = rulesOf(config, category);
  return !!rules && (now.getTime() - installedAt.getTime()) / (365.25 * DAY_MS) >= rules.typicalLifeYears;
}

/** The calendar day of a time in Shanghai, YYYY-MM-DD: what names a maintenance cycle. */
export function shanghaiDay(at: Date): string {
  return new Date(at.getTime() + SHANGHAI_MS).toISOString().slice(0, 10);
}

/** A time as people in Shanghai read it, YYYY-MM-DD HH:mm (messages sent out of the app). */
export function shanghaiMinute(at: Date): string {
  return new Date(at.getTime() + SHANGHAI_MS).toISOString().slice(0, 16).replace('T', ' ');
}
