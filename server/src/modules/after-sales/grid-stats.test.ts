import { lastWeeks } from './grid-stats';

describe('weeks as the grid manager reads them', () => {
  it('when it is Sunday night in Shanghai (still Sunday in UTC), then the current week began on the Monday before, at midnight Shanghai time', () => {
    const { starts, since } = lastWeeks(new Date('2026-12-06T15:00:00Z'), 3); // Sunday 23:00 in Shanghai
    expect(starts).toEqual(['2026-11-16', '2026-11-23', '2026-11-30']);
    expect(since.toISOString()).toBe('2026-11-15T16:00:00.000Z');
  });

  it('when it is Monday 01:00 in Shanghai (still Sunday in UTC), then a new week has begun', () => {
    const { starts } = lastWeeks(new Date('2026-12-06T17:00:00Z'), 1);
    expect(starts).toEqual(['2026-12-07']);
  });
});
