import { nextFebruary21 } from './campaigns';

describe('nextFebruary21', () => {
  it('when it is late November, then the campaign opens at 00:00 Shanghai time on the coming 21 February', () => {
    expect(nextFebruary21(new Date('2026-11-25T00:00:00Z')).toISOString()).toBe('2027-02-20T16:00:00.000Z');
  });
  it('when it is early February, then it is this year\'s 21 February; once it has opened, next year\'s', () => {
    expect(nextFebruary21(new Date('2027-02-01T00:00:00Z')).toISOString()).toBe('2027-02-20T16:00:00.000Z');
    expect(nextFebruary21(new Date('2027-02-20T16:00:00Z')).toISOString()).toBe('2028-02-20T16:00:00.000Z');
  });
});
