import { loadConfig } from '../../lib/config';
import { ageInYears, isPastTypicalLife, nextMaintenanceAfter, shanghaiDay, warrantyUntil } from './upkeep';

const config = loadConfig({ env: 'test', environ: {} });
const at = (iso: string) => new Date(iso);

describe('warranty and upkeep by category', () => {
  it('when an air conditioner is handed over, then its warranty runs 6 years to the same calendar day in Shanghai', () => {
    // 2026-03-31 02:00 in Shanghai
    expect(warrantyUntil(config, 'air_conditioner', at('2026-03-30T18:00:00Z'))?.toISOString()).toBe('2032-03-30T18:00:00.000Z');
  });

  it('when a month is shorter than the handover day, then the warranty ends on its last day', () => {
    // 2026-08-31 in Shanghai + 36 months → 2029-08-31; + 6 months of a range hood's upkeep → 2027-02-28
    expect(shanghaiDay(warrantyUntil(config, 'refrigerator', at('2026-08-31T04:00:00Z'))!)).toBe('2029-08-31');
    expect(shanghaiDay(nextMaintenanceAfter(config, 'range_hood', at('2026-08-31T04:00:00Z'), at('2026-08-31T04:00:00Z'))!)).toBe('2027-02-28');
  });

  it('when a category needs no upkeep, then there is no next maintenance', () => {
    expect(nextMaintenanceAfter(config, 'refrigerator', at('2026-01-01T00:00:00Z'), at('2026-01-01T00:00:00Z'))).toBeNull();
    expect(warrantyUntil(config, 'no_such_category', at('2026-01-01T00:00:00Z'))).toBeNull();
  });

  it('when a range hood was installed long ago, then the next upkeep is the first 6-month step after now', () => {
    const installed = at('2019-02-10T04:00:00Z');
    const next = nextMaintenanceAfter(config, 'range_hood', installed, at('2026-05-01T00:00:00Z'))!;
    expect(shanghaiDay(next)).toBe('2026-08-10');
    // and the one after that reminder's due date is six months on
    expect(shanghaiDay(nextMaintenanceAfter(config, 'range_hood', installed, next)!)).toBe('2027-02-10');
  });

  it('when an air conditioner is installed in spring, then its first cleaning is before the next summer, not within weeks', () => {
    expect(nextMaintenanceAfter(config, 'air_conditioner', at('2026-04-10T04:00:00Z'), at('2026-04-10T04:00:00Z'))?.toISOString()).toBe('2027-04-30T16:00:00.000Z');
    expect(shanghaiDay(nextMaintenanceAfter(config, 'air_conditioner', at('2020-06-01T04:00:00Z'), at('2026-03-01T00:00:00Z'))!)).toBe('2026-05-01');
    expect(shanghaiDay(nextMaintenanceAfter(config, 'air_conditioner', at('2020-06-01T04:00:00Z'), at('2026-04-30T16:00:00Z'))!)).toBe('2027-05-01');
  });

  it('when an appliance is older than its typical life, then it is past it; younger, not', () => {
    const now = at('2026-06-01T00:00:00Z');
    expect(isPastTypicalLife(config, 'washing_machine', at('2017-06-01T00:00:00Z'), now)).toBe(true);
    expect(isPastTypicalLife(config, 'washing_machine', at('2019-06-01T00:00:00Z'), now)).toBe(false);
    expect(ageInYears(at('2019-06-01T00:00:00Z'), now)).toBe(7);
  });
});
