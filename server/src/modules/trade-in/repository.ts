import type { PoolConnection } from 'mysql2/promise';
import { isDuplicateKey, type Db } from '../../lib/db';
import type { BreakdownLine } from './pricing';

/** The only place the trade-in capability talks to MySQL. JSON columns come back as text on MariaDB and parsed on MySQL 8. */
const json = <T>(v: unknown): T => (typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));

export type RuleVersionRow = { version: number; rules: unknown; publishedAt: Date; publishedBy: string | null };

export async function latestRules(db: Db): Promise<RuleVersionRow | null> {
  const [rows] = await db.query('SELECT version, rules, published_at AS publishedAt, published_by AS publishedBy FROM trade_in_rule_versions ORDER BY version DESC LIMIT 1');
  const r = (rows as RuleVersionRow[])[0];
  return r ? { ...r, rules: json(r.rules) } : null;
}

export async function rulesOfVersion(db: Db | PoolConnection, version: number): Promise<unknown> {
  const [rows] = await db.query('SELECT rules FROM trade_in_rule_versions WHERE version = ?', [version]);
  const r = (rows as { rules: unknown }[])[0];
  return r ? json(r.rules) : null;
}

/**
 * Publishes the next version. The version is the primary key: two admins publishing at once both
 * read N, one inserts N+1 and the other's INSERT is refused and tries again with N+2; nothing is
 * ever overwritten.
 */
export async function insertNextRuleVersion(db: Db, rules: unknown, publishedBy: string, publishedAt: Date): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const [rows] = await db.query('SELECT COALESCE(MAX(version), 0) + 1 AS v FROM trade_in_rule_versions');
    const version = Number((rows as { v: number }[])[0].v);
    try {
      await db.query('INSERT INTO trade_in_rule_versions (version, rules, published_at, published_by) VALUES (?, ?, ?, ?)', [version, JSON.stringify(rules), publishedAt, publishedBy]);
      return version;
    } catch (err) {
      if (isDuplicateKey(err) && attempt < 50) continue;
      throw err;
    }
  }
}

export type QuoteRow = {
  id: string;
  userId: string;
  category: string;
  ruleVersion: number;
  answers: Record<string, unknown>;
  amountFen: number;
  subsidyFen: number;
  totalFen: number;
  breakdown: BreakdownLine[];
  createdAt: Date;
  expiresAt: Date;
  orderId: string | null;
  creditFen: number | null;
  creditCapFen: number | null;
  inspectedCondition: string | null;
  inspectedWorking: boolean | null;
  finalFen: number | null;
  finalBreakdown: BreakdownLine[] | null;
  inspectedAt: Date | null;
};

const QUOTE_SELECT = `SELECT id, user_id AS userId, category, rule_version AS ruleVersion, answers, amount_fen AS amountFen, subsidy_fen AS subsidyFen,
  total_fen AS totalFen, breakdown, created_at AS createdAt, expires_at AS expiresAt, order_id AS orderId, credit_fen AS creditFen,
  credit_cap_fen AS creditCapFen, inspected_condition AS inspectedCondition, inspected_working AS inspectedWorking, final_fen AS finalFen,
  final_breakdown AS finalBreakdown, inspected_at AS inspectedAt FROM trade_in_quotes`;

function toQuote(r: QuoteRow): QuoteRow {
  return {
    ...r,
    answers: json(r.answers),
    breakdown: json(r.breakdown),
    finalBreakdown: r.finalBreakdown === null ? null : json(r.finalBreakdown),
    inspectedWorking: r.inspectedWorking === null ? null : Boolean(r.inspectedWorking),
  };
}

export async function insertQuote(db: Db, q: Omit<QuoteRow, 'orderId' | 'creditFen' | 'creditCapFen' | 'inspectedCondition' | 'inspectedWorking' | 'finalFen' | 'finalBreakdown' | 'inspectedAt'>): Promise<void> {
  await db.query(
    `INSERT INTO trade_in_quotes (id, user_id, category, rule_version, answers, amount_fen, subsidy_fen, total_fen, breakdown, created_at, expires_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [q.id, q.userId, q.category, q.ruleVersion, JSON.stringify(q.answers), q.amountFen, q.subsidyFen, q.totalFen, JSON.stringify(q.breakdown), q.createdAt, q.expiresAt],
  );
}

/** A quote of this user only: someone else's is as absent as a missing one. */
export async function findUserQuote(db: Db | PoolConnection, id: string, userId: string): Promise<QuoteRow | null> {
  const [rows] = await db.query(`${QUOTE_SELECT} WHERE id = ? AND user_id = ?`, [id, userId]);
  const r = (rows as QuoteRow[])[0];
  return r ? toQuote(r) : null;
}

export async function listUserQuotes(db: Db, userId: string, cursor: string | undefined, limit: number): Promise<QuoteRow[]> {
  const [rows] = await db.query(`${QUOTE_SELECT} WHERE user_id = ? ${cursor ? 'AND id < ?' : ''} ORDER BY id DESC LIMIT ?`, cursor ? [userId, cursor, limit + 1] : [userId, limit + 1]);
  return (rows as QuoteRow[]).map(toQuote);
}

export async function findQuoteOfOrder(conn: PoolConnection, orderId: string): Promise<QuoteRow | null> {
  const [rows] = await conn.query(`${QUOTE_SELECT} WHERE order_id = ?`, [orderId]);
  const r = (rows as QuoteRow[])[0];
  return r ? toQuote(r) : null;
}

/**
 * The quote becomes this order's if, at this moment, it is the user's, unexpired and free: one
 * conditional UPDATE, so of two orders racing for one quote exactly one gets it.
 */
export async function takeQuote(conn: PoolConnection, q: { id: string; userId: string; orderId: string; creditFen: number; creditCapFen: number; now: Date }): Promise<boolean> {
  const [res] = await conn.query(
    'UPDATE trade_in_quotes SET order_id = ?, credit_fen = ?, credit_cap_fen = ? WHERE id = ? AND user_id = ? AND order_id IS NULL AND expires_at > ?',
    [q.orderId, q.creditFen, q.creditCapFen, q.id, q.userId, q.now],
  );
  return (res as { affectedRows: number }).affectedRows === 1;
}

/** A cancelled or expired order gives its quote back (unless the store already inspected the old unit). */
export async function releaseQuote(conn: PoolConnection, orderId: string): Promise<void> {
  await conn.query('UPDATE trade_in_quotes SET order_id = NULL, credit_fen = NULL, credit_cap_fen = NULL WHERE order_id = ? AND inspected_at IS NULL', [orderId]);
}

/** Records the store's inspection once: a second one for the same order changes nothing. */
export async function recordInspection(conn: PoolConnection, i: { orderId: string; condition: string; working: boolean; finalFen: number; breakdown: BreakdownLine[]; at: Date }): Promise<boolean> {
  const [res] = await conn.query(
    `UPDATE trade_in_quotes SET inspected_condition = ?, inspected_working = ?, final_fen = ?, final_breakdown = ?, inspected_at = ?
     WHERE order_id = ? AND inspected_at IS NULL`,
    [i.condition, i.working, i.finalFen, JSON.stringify(i.breakdown), i.at, i.orderId],
  );
  return (res as { affectedRows: number }).affectedRows === 1;
}
