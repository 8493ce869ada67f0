import mysql from 'mysql2/promise';
import { PrismaMariaDb } from '@prisma/adapter-mariadb';
import { PrismaClient } from '../generated/prisma/client';

export type Db = mysql.Pool;
/** One SQL statement with its placeholder values, for callers that send several in one round trip. */
export type Statement = { sql: string; values: unknown[] };

/**
 * Conditions joined with AND, from optional filters: `[sql, ...values]` for a filter that applies,
 * anything falsy for one that does not (`f.status && ['o.status = ?', f.status]`).
 */
export function allOf(conditions: (readonly [string, ...unknown[]] | false | null | undefined | '' | 0)[]): { sql: string; values: unknown[] } {
  const applied = conditions.filter((c): c is readonly [string, ...unknown[]] => Array.isArray(c));
  return { sql: applied.map((c) => c[0]).join(' AND '), values: applied.flatMap((c) => c.slice(1)) };
}
export type { PrismaClient };

export type DbTarget = { host: string; port: number; user: string; password: string; database: string };

export function parseDatabaseUrl(url: string): DbTarget {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 3306),
    user: decodeURIComponent(u.username || 'root'),
    password: decodeURIComponent(u.password),
    database: u.pathname.replace(/^\//, ''),
  };
}

/**
 * mysql2 pool for hot paths and bulk loads. UTC inside, like Prisma. One statement per query: a
 * value that slipped past its placeholder could never append a statement of its own.
 */
export function createPool(url: string, connectionLimit: number): Db {
  return mysql.createPool(poolOptions(url, connectionLimit, false));
}

/**
 * The pool of the few places that send several statements in one round trip (order placement),
 * made for it: only their batches reach it, and every value in them goes through a placeholder.
 */
export function createBatchPool(url: string, connectionLimit: number): Db {
  return mysql.createPool(poolOptions(url, connectionLimit, true));
}

function poolOptions(url: string, connectionLimit: number, multipleStatements: boolean): mysql.PoolOptions {
  return {
    ...parseDatabaseUrl(url),
    connectionLimit,
    timezone: 'Z',
    charset: 'utf8mb4',
    supportBigNumbers: true,
    bigNumberStrings: false,
    connectTimeout: 3000,
    enableKeepAlive: true,
    waitForConnections: true,
    queueLimit: 5000,
    multipleStatements,
    // No stack captured on every query (mysql2's default): it cost ~5% of the order path's CPU.
    trace: false,
  };
}

/** Prisma for the data model and ordinary reads and writes. */
export function createPrisma(url: string, connectionLimit: number): PrismaClient {
  const t = parseDatabaseUrl(url);
  const adapter = new PrismaMariaDb({
    ...t,
    connectionLimit,
    connectTimeout: 3000,
    acquireTimeout: 5000,
  });
  return new PrismaClient({ adapter });
}

/** Creates the database named in the URL if it does not exist (utf8mb4). */
export async function ensureDatabase(url: string): Promise<void> {
  const t = parseDatabaseUrl(url);
  if (!/^[A-Za-z0-9_]+$/.test(t.database)) throw new Error(`bad database name "${t.database}"`);
  const conn = await mysql.createConnection({ host: t.host, port: t.port, user: t.user, password: t.password, connectTimeout: 3000 });
  try {
    await conn.query(`CREATE DATABASE IF NOT EXISTS \`${t.database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await conn.end();
  }
}

export async function dropDatabase(url: string): Promise<void> {
  const t = parseDatabaseUrl(url);
  if (!/^[A-Za-z0-9_]+$/.test(t.database)) throw new Error(`bad database name "${t.database}"`);
  const conn = await mysql.createConnection({ host: t.host, port: t.port, user: t.user, password: t.password });
  try {
    await conn.query(`DROP DATABASE IF EXISTS \`${t.database}\``);
  } finally {
    await conn.end();
  }
}

/**
 * Runs fn in one MySQL transaction on its own connection; rolls back on any error. A deadlock
 * (InnoDB chose this transaction as the victim) rolls everything back, so fn is simply run again.
 */
export async function withTransaction<T>(db: Db, fn: (conn: mysql.PoolConnection) => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const conn = await db.getConnection();
    try {
      await conn.beginTransaction();
      const result = await fn(conn);
      await conn.commit();
      return result;
    } catch (err) {
      await conn.rollback().catch(() => undefined);
      if ((err as { code?: string }).code === 'ER_LOCK_DEADLOCK' && attempt < 4) continue;
      throw err;
    } finally {
      conn.release();
    }
  }
}

/** A CHECK constraint refused the change (MariaDB 4025, MySQL 3819); with a name, that constraint. */
export const isCheckViolation = (err: unknown, constraint?: string) => {
  const e = err as { errno?: number; code?: string; message?: string };
  const check = e.errno === 4025 || e.errno === 3819 || e.code === 'ER_CONSTRAINT_FAILED' || e.code === 'ER_CHECK_CONSTRAINT_VIOLATED';
  return check && (!constraint || String(e.message).includes(constraint));
};

export const isDuplicateKey = (err: unknown, key?: string) =>
  (err as { code?: string }).code === 'ER_DUP_ENTRY' && (!key || String((err as Error).message).includes(key));
