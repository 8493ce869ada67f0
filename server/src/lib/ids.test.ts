import { newId } from './ids';

describe('newId', () => {
  it('when ids are made later, then they sort after earlier ones', () => {
    const a = newId(1_700_000_000_000);
    const b = newId(1_700_000_000_001);
    expect(a.length).toBe(26);
    expect(a < b).toBe(true);
  });
  it('when many ids are made at once, then none repeats', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => newId()));
    expect(ids.size).toBe(10_000);
  });
});
