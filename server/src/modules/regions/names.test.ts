import { ancestorCodes, bigrams, escapeLike, levelOfCode, searchStem } from './names';

describe('region names', () => {
  test('when a village name ends in a committee suffix, then the stem keeps what people search by', () => {
    expect(searchStem('白庙村民委员会', 5)).toBe('白庙村');
    expect(searchStem('臧村村民委员会', 5)).toBe('臧村');
    expect(searchStem('大臧村村委会', 5)).toBe('大臧村');
    expect(searchStem('上臧村委会', 5)).toBe('上臧村');
    expect(searchStem('多福巷社区居委会', 5)).toBe('多福巷社区');
    expect(searchStem('银闸社区居民委员会', 5)).toBe('银闸社区');
    expect(searchStem('某某生活区', 5)).toBe('某某生活区');
  });

  test('when the region is not a village, then its whole name is indexed', () => {
    expect(searchStem('清苑镇', 4)).toBe('清苑镇');
  });

  test('when a text has repeated or rare (non-BMP) characters, then bigrams are distinct code-point pairs', () => {
    expect(bigrams('臧村村')).toEqual(['臧村', '村村']);
    expect(bigrams('𬌗村镇')).toEqual(['𬌗村', '村镇']);
    expect(bigrams('村')).toEqual([]);
  });

  test('when a code is given, then its ancestors are its prefixes', () => {
    expect(ancestorCodes('130608107202')).toEqual(['13', '1306', '130608', '130608107']);
    expect(ancestorCodes('13')).toEqual([]);
    expect(levelOfCode('130608107')).toBe(4);
    expect(levelOfCode('1234567')).toBe(0);
  });

  test('when a query has LIKE wildcards, then they are escaped', () => {
    expect(escapeLike('a%b_c\\')).toBe('a\\%b\\_c\\\\');
  });
});
