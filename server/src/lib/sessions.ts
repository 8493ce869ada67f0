import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Db } from './db';
import { Cluster } from 'ioredis';
import type { RedisClient } from './redis';
import { newId } from './ids';

/**
 * Sessions that work through a Redis outage.
 *
 * A token is `<session id><user id><signature>`: the signature (HMAC-SHA256 under
 * `auth.tokenKeyHex`) proves this BFF issued those ids, so a forged or altered token is refused
 * with no I/O at all. The record is a MySQL row (`sessions`: expiry, logout). Each process keeps
 * what it read — the session and its user's roles and stores — for `auth.sessionCacheSeconds`.
 *
 * The bound: a logout, or a change to a user's roles, stores or account (`forgetUser`), takes effect
 * at once in the process that made it and, through Redis pub/sub, in every other process within
 * milliseconds; while Redis is down, within `auth.sessionCacheSeconds` (a process that reconnects to
 * Redis also drops everything it kept, since it may have missed messages meanwhile).
 */
const TOKEN = /^([0-9A-Z]{26})([0-9A-Z]{26})([A-Za-z0-9_-]{43})$/;
const MAX_ENTRIES = 200_000;

export type SessionRecord<U> = { sessionId: string; userId: string; expiresAt: number; user: U };

const sign = (key: Buffer, sessionId: string, userId: string) => createHmac('sha256', key).update(`${sessionId}${userId}`).digest('base64url');

export function issueToken(key: Buffer, userId: string): { sessionId: string; token: string } {
  const sessionId = newId();
  return { sessionId, token: `${sessionId}${userId}${sign(key, sessionId, userId)}` };
}

/** The ids a token names when its signature holds; null otherwise. */
export function verifyToken(key: Buffer, token: string): { sessionId: string; userId: string } | null {
  const m = TOKEN.exec(token);
  if (!m) return null;
  const expected = Buffer.from(sign(key, m[1], m[2]));
  const given = Buffer.from(m[3]);
  return expected.length === given.length && timingSafeEqual(expected, given) ? { sessionId: m[1], userId: m[2] } : null;
}

/**
 * What one process keeps. `generation` moves on at every eviction, and a load stores its result only
 * if no eviction happened while it read MySQL: a load that began before a logout or a role change
 * committed cannot put the old state back.
 */
export class SessionCache<U> {
  private readonly bySession = new Map<string, SessionRecord<U> & { at: number }>();
  private readonly byUser = new Map<string, Set<string>>();
  private generation = 0;

  constructor(private readonly ttlMs: number) {}

  get current(): number {
    return this.generation;
  }

  get(sessionId: string, now = Date.now()): SessionRecord<U> | null {
    const e = this.bySession.get(sessionId);
    if (!e) return null;
    if (now - e.at >= this.ttlMs || now >= e.expiresAt) {
      this.drop(sessionId);
      return null;
    }
    return e;
  }

  /** Keeps a record read from MySQL, unless something was evicted since `generation` was read. */
  put(record: SessionRecord<U>, generation: number): boolean {
    if (generation !== this.generation) return false;
    if (this.bySession.size >= MAX_ENTRIES) this.drop(this.bySession.keys().next().value!);
    this.bySession.set(record.sessionId, { ...record, at: Date.now() });
    let ids = this.byUser.get(record.userId);
    if (!ids) this.byUser.set(record.userId, (ids = new Set()));
    ids.add(record.sessionId);
    return true;
  }

  forgetSession(sessionId: string): void {
    this.generation++;
    this.drop(sessionId);
  }

  forgetUser(userId: string): void {
    this.generation++;
    for (const id of this.byUser.get(userId) ?? []) this.bySession.delete(id);
    this.byUser.delete(userId);
  }

  clear(): void {
    this.generation++;
    this.bySession.clear();
    this.byUser.clear();
  }

  private drop(sessionId: string): void {
    const e = this.bySession.get(sessionId);
    if (!e) return;
    this.bySession.delete(sessionId);
    const ids = this.byUser.get(e.userId);
    ids?.delete(sessionId);
    if (ids && !ids.size) this.byUser.delete(e.userId);
  }
}

/** The pub/sub channel of one environment (channels are not key-prefixed by the client). */
export const invalidationChannel = (redis: RedisClient) => `${redis.options.keyPrefix ?? ''}sessions:evict`;

/** Tells every process to evict (`s:<session id>` or `u:<user id>`); a Redis outage is the bound above. */
export async function broadcastEviction(redis: RedisClient, message: string): Promise<void> {
  await redis.publish(invalidationChannel(redis), message).catch(() => 0);
}

/**
 * Listens for evictions from other processes on a connection of its own. Returns the stop function.
 * After a reconnection everything kept is dropped: messages sent while it was away are lost.
 */
export function listenForEvictions<U>(redis: RedisClient, cache: SessionCache<U>, onError: (err: Error) => void): () => void {
  const sub: RedisClient = redis instanceof Cluster ? redis.duplicate() : redis.duplicate();
  let connectedBefore = false;
  sub.on('error', onError);
  sub.on('ready', () => {
    if (connectedBefore) cache.clear();
    connectedBefore = true;
    void sub.subscribe(invalidationChannel(redis)).catch(onError);
  });
  sub.on('message', (_channel: string, message: string) => {
    if (message.startsWith('s:')) cache.forgetSession(message.slice(2));
    else if (message.startsWith('u:')) cache.forgetUser(message.slice(2));
  });
  // Subscribes on every 'ready' (the first connection fails while Redis is down; retries follow by themselves).
  sub.connect().catch(() => undefined);
  return () => sub.disconnect();
}

export async function insertSession(db: Db, sessionId: string, userId: string, expiresAt: Date): Promise<void> {
  await db.query('INSERT INTO sessions (id, user_id, expires_at) VALUES (?, ?, ?)', [sessionId, userId, expiresAt]);
}

export async function endSessionRecord(db: Db, sessionId: string): Promise<void> {
  await db.query('UPDATE sessions SET ended_at = NOW(3) WHERE id = ? AND ended_at IS NULL', [sessionId]);
}

/** Deletes sessions past their expiry (a day's grace) in batches; returns how many went. */
export async function purgeExpiredSessions(db: Db, batch = 5000): Promise<number> {
  let total = 0;
  for (;;) {
    const [r] = await db.query('DELETE FROM sessions WHERE expires_at < NOW(3) - INTERVAL 1 DAY LIMIT ?', [batch]);
    const n = (r as { affectedRows: number }).affectedRows;
    total += n;
    if (n < batch) return total;
  }
}
