import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { getDMMF } from '@prisma/internals';
import type { Db } from '../../server/src/lib/db';

/**
 * Compares the Prisma model (its DMMF, computed offline through wasm) with information_schema of a
 * migrated database: tables, columns (type, nullability), indexes. Prisma's migrate engine cannot
 * run here, so nothing else checks that hand-written SQL and schema.prisma agree.
 */
const SCHEMA_DIR = path.resolve(__dirname, '../../prisma/schema');

type Field = { name: string; dbName?: string | null; kind: string; type: string; isRequired: boolean; isList: boolean; nativeType?: [string, string[]] | null };
type Model = { name: string; dbName?: string | null; fields: Field[] };
type Index = { model: string; type: 'id' | 'unique' | 'normal' | 'fulltext'; dbName?: string | null; fields: { name: string }[] };

const DEFAULT_TYPES: Record<string, string> = {
  String: 'varchar(191)', Int: 'int', BigInt: 'bigint', Boolean: 'tinyint(1)', DateTime: 'datetime(3)', Float: 'double',
  Decimal: 'decimal(65,30)', Json: 'longtext', Bytes: 'longblob',
};

function expectedColumnType(f: Field): string {
  if (!f.nativeType) return DEFAULT_TYPES[f.type] ?? f.type.toLowerCase();
  const [name, args] = f.nativeType;
  const base = name.toLowerCase();
  if (['text', 'mediumtext', 'longtext', 'tinytext', 'date', 'json', 'blob', 'mediumblob', 'longblob'].includes(base)) return base === 'json' ? 'longtext' : base;
  if (base === 'unsignedint') return 'int unsigned' + (args.length ? '' : '');
  if (base === 'unsignedbigint') return 'bigint unsigned';
  if (base === 'unsignedtinyint') return 'tinyint unsigned';
  if (base === 'unsignedsmallint') return 'smallint unsigned';
  if (base === 'int') return 'int';
  return args.length ? `${base}(${args.join(',')})` : base;
}

function normaliseDbType(t: string): string {
  // MariaDB prints int(11) etc.; MySQL 8 prints int. Compare without display widths.
  return t.replace(/^(tinyint|smallint|mediumint|int|bigint)\(\d+\)/, (_m, g: string) => g).replace(/^tinyint( unsigned)?$/, (m) => m);
}

export async function loadModel(): Promise<{ models: Model[]; indexes: Index[] }> {
  const files = readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.prisma')).sort().map((f) => [f, readFileSync(path.join(SCHEMA_DIR, f), 'utf8')] as [string, string]);
  const dmmf = await getDMMF({ datamodel: files });
  return { models: dmmf.datamodel.models as unknown as Model[], indexes: (dmmf.datamodel as unknown as { indexes: Index[] }).indexes };
}

export async function schemaDrift(db: Db, database: string): Promise<string[]> {
  const { models, indexes } = await loadModel();
  const problems: string[] = [];
  const [colRows] = await db.query(
    'SELECT TABLE_NAME t, COLUMN_NAME c, COLUMN_TYPE type, IS_NULLABLE nullable FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ?',
    [database],
  );
  const [idxRows] = await db.query(
    'SELECT TABLE_NAME t, INDEX_NAME i, NON_UNIQUE nu, COLUMN_NAME c, SEQ_IN_INDEX s FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? ORDER BY t, i, s',
    [database],
  );
  const columns = new Map<string, Map<string, { type: string; nullable: boolean }>>();
  for (const r of colRows as { t: string; c: string; type: string; nullable: string }[]) {
    if (r.t === '_prisma_migrations') continue;
    if (!columns.has(r.t)) columns.set(r.t, new Map());
    columns.get(r.t)!.set(r.c, { type: normaliseDbType(r.type.toLowerCase()), nullable: r.nullable === 'YES' });
  }
  const dbIndexes = new Map<string, { unique: boolean; cols: string[] }>();
  for (const r of idxRows as { t: string; i: string; nu: number; c: string }[]) {
    if (r.t === '_prisma_migrations') continue;
    const key = `${r.t}.${r.i}`;
    if (!dbIndexes.has(key)) dbIndexes.set(key, { unique: Number(r.nu) === 0, cols: [] });
    dbIndexes.get(key)!.cols.push(r.c);
  }

  const modelTables = new Set<string>();
  for (const m of models) {
    const table = m.dbName ?? m.name;
    modelTables.add(table);
    const cols = columns.get(table);
    if (!cols) {
      problems.push(`table ${table} (model ${m.name}) is not in the database`);
      continue;
    }
    const modelCols = new Set<string>();
    for (const f of m.fields.filter((x) => x.kind === 'scalar' || x.kind === 'enum')) {
      const col = f.dbName ?? f.name;
      modelCols.add(col);
      const c = cols.get(col);
      if (!c) {
        problems.push(`column ${table}.${col} is in the model but not in the database`);
        continue;
      }
      if (f.kind === 'scalar') {
        const want = normaliseDbType(expectedColumnType(f));
        if (c.type !== want) problems.push(`column ${table}.${col}: model says ${want}, database has ${c.type}`);
      }
      if (c.nullable === f.isRequired) problems.push(`column ${table}.${col}: model says ${f.isRequired ? 'NOT NULL' : 'NULL'}, database is ${c.nullable ? 'NULL' : 'NOT NULL'}`);
    }
    for (const col of cols.keys()) if (!modelCols.has(col)) problems.push(`column ${table}.${col} is in the database but not in the model`);
  }
  for (const t of columns.keys()) if (!modelTables.has(t)) problems.push(`table ${t} is in the database but not in the model`);

  const fieldToColumn = new Map<string, string>();
  for (const m of models) for (const f of m.fields) fieldToColumn.set(`${m.name}.${f.name}`, f.dbName ?? f.name);
  const modelIndexKeys = new Set<string>();
  for (const ix of indexes) {
    const m = models.find((x) => x.name === ix.model)!;
    const table = m.dbName ?? m.name;
    const name = ix.type === 'id' ? 'PRIMARY' : (ix.dbName ?? '');
    const key = `${table}.${name}`;
    modelIndexKeys.add(key);
    const found = dbIndexes.get(key);
    const cols = ix.fields.map((f) => fieldToColumn.get(`${ix.model}.${f.name}`) ?? f.name);
    if (!found) {
      problems.push(`index ${key} (${cols.join(', ')}) is in the model but not in the database`);
      continue;
    }
    if (found.cols.join(',') !== cols.join(',')) problems.push(`index ${key}: model (${cols.join(', ')}), database (${found.cols.join(', ')})`);
    if ((ix.type === 'unique' || ix.type === 'id') !== found.unique) problems.push(`index ${key}: uniqueness differs`);
  }
  for (const key of dbIndexes.keys()) {
    // MySQL makes an index for each foreign key named like the constraint; Prisma models those as relations.
    if (!modelIndexKeys.has(key) && !key.split('.')[1].startsWith('fk_')) problems.push(`index ${key} is in the database but not in the model`);
  }
  return problems;
}
