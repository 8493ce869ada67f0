import type { PoolConnection } from 'mysql2/promise';
import type { Db } from '../../../lib/db';

/** The only place that reads and writes `photos`. */
export type PhotoRow = { id: string; userId: string; ticketId: string | null; storageKey: string; sha256: string; bytes: number; width: number; height: number; createdAt: Date };

const SELECT = 'SELECT id, user_id AS userId, ticket_id AS ticketId, storage_key AS storageKey, sha256, bytes, width, height, created_at AS createdAt FROM photos';

export async function insertPhoto(db: Db, p: Omit<PhotoRow, 'ticketId' | 'createdAt'>): Promise<void> {
  await db.query('INSERT INTO photos (id, user_id, storage_key, sha256, bytes, width, height) VALUES (?, ?, ?, ?, ?, ?, ?)', [p.id, p.userId, p.storageKey, p.sha256, p.bytes, p.width, p.height]);
}

export async function findPhoto(db: Db, id: string): Promise<PhotoRow | null> {
  const [rows] = await db.query(`${SELECT} WHERE id = ?`, [id]);
  return (rows as PhotoRow[])[0] ?? null;
}

export async function photosOfTickets(db: Db, ticketIds: string[]): Promise<PhotoRow[]> {
  if (!ticketIds.length) return [];
  const [rows] = await db.query(`${SELECT} WHERE ticket_id IN (?) ORDER BY id`, [ticketIds]);
  return rows as PhotoRow[];
}

/** Attaches the user's own, still unattached photos (or ones already on this ticket) to a ticket; returns how many it holds of them. */
export async function attachPhotos(conn: PoolConnection, ticketId: string, userId: string, photoIds: string[]): Promise<number> {
  if (!photoIds.length) return 0;
  await conn.query('UPDATE photos SET ticket_id = ? WHERE id IN (?) AND user_id = ? AND ticket_id IS NULL', [ticketId, photoIds, userId]);
  const [rows] = await conn.query('SELECT COUNT(*) AS n FROM photos WHERE id IN (?) AND ticket_id = ?', [photoIds, ticketId]);
  return Number((rows as { n: number }[])[0].n);
}
