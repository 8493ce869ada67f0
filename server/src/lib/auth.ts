import type { Context, Next } from 'koa';
import type { RedisClient } from './redis';
import { broadcastEviction, endSessionRecord, insertSession, issueToken, listenForEvictions, SessionCache, verifyToken } from './sessions';
import type { Db } from './db';
import { unauthenticated } from './errors';

export const ROLES = ['villager', 'leader', 'store_owner', 'technician', 'grid_manager', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export type AuthUser = { id: string; nickname: string; roles: Role[]; storeIds: string[]; openid?: string | null };

/** What a client sees of a user (the openid stays on the server). */
export const publicUser = (u: AuthUser) => ({ id: u.id, nickname: u.nickname, roles: u.roles, storeIds: u.storeIds });

/** Each process's sessions, per Redis client (one per Deps); see lib/sessions.ts for the bound. */
const caches = new WeakMap<RedisClient, { cache: SessionCache<AuthUser>; stop: () => void }>();

const cacheOf = (redis: RedisClient, ttlSeconds = 10) => {
  let c = caches.get(redis);
  if (!c) caches.set(redis, (c = { cache: new SessionCache<AuthUser>(ttlSeconds * 1000), stop: () => {} }));
  return c.cache;
};

/** Starts the process's session cache and its eviction listener (createDeps); `stopSessionCache` ends it. */
export function startSessionCache(redis: RedisClient, ttlSeconds: number, onError: (err: Error) => void): void {
  const cache = new SessionCache<AuthUser>(ttlSeconds * 1000);
  caches.set(redis, { cache, stop: listenForEvictions(redis, cache, onError) });
}

export function stopSessionCache(redis: RedisClient): void {
  caches.get(redis)?.stop();
}

/** A signed token naming a new MySQL session row; nothing of it is kept in Redis. */
export async function createSession(db: Db, tokenKey: Buffer, userId: string, ttlSeconds: number) {
  const { sessionId, token } = issueToken(tokenKey, userId);
  const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
  await insertSession(db, sessionId, userId, expiresAt);
  return { token, expiresAt };
}

export async function endSession(db: Db, redis: RedisClient, tokenKey: Buffer, token: string): Promise<void> {
  const ids = verifyToken(tokenKey, token);
  if (!ids) return;
  await endSessionRecord(db, ids.sessionId);
  cacheOf(redis).forgetSession(ids.sessionId);
  await broadcastEviction(redis, `s:${ids.sessionId}`);
}

/**
 * Call after a user's roles, stores or account change (after the commit): every process drops the
 * sessions it kept for the user and reads them again (at once here, through Redis elsewhere).
 */
export async function forgetUser(redis: RedisClient, userId: string): Promise<void> {
  cacheOf(redis).forgetUser(userId);
  await broadcastEviction(redis, `u:${userId}`);
}

/** Every way a presented token can fail answers the same 401: the client signs in again. */
const sessionEnded = () => unauthenticated('登录已失效，请重新登录');

export function bearerToken(ctx: Context): string | null {
  const header = ctx.get('authorization');
  if (!header) return null;
  const m = /^Bearer ([A-Za-z0-9_-]{20,100})$/.exec(header);
  if (!m) throw sessionEnded();
  return m[1];
}

/** Every role check in the project reads what this loads: roles and owned stores from MySQL. */
export async function loadUser(db: Db, userId: string): Promise<AuthUser | null> {
  const [rows] = await db.query(
    `SELECT u.id, u.nickname, u.openid,
            (SELECT GROUP_CONCAT(r.role) FROM user_roles r WHERE r.user_id = u.id) AS roles,
            (SELECT GROUP_CONCAT(o.store_id ORDER BY o.store_id) FROM store_owners o WHERE o.user_id = u.id) AS store_ids
       FROM users u WHERE u.id = ? AND u.deleted_at IS NULL`,
    [userId],
  );
  const row = (rows as UserRow[])[0];
  return row ? toAuthUser(row) : null;
}

type UserRow = { id: string; nickname: string; openid: string | null; roles: string | null; store_ids: string | null };

const toAuthUser = (row: UserRow): AuthUser => {
  const roles = new Set<Role>(['villager', ...((row.roles ? row.roles.split(',') : []) as Role[])]);
  return {
    id: row.id,
    nickname: row.nickname,
    roles: ROLES.filter((r) => roles.has(r)),
    storeIds: row.store_ids ? row.store_ids.split(',') : [],
    openid: row.openid,
  };
};

/** A live session and its user in one query; null when ended, expired, or the account is gone. */
async function loadSession(db: Db, sessionId: string, userId: string): Promise<{ expiresAt: number; user: AuthUser } | null> {
  const [rows] = await db.query(
    `SELECT s.expires_at, u.id, u.nickname, u.openid,
            (SELECT GROUP_CONCAT(r.role) FROM user_roles r WHERE r.user_id = u.id) AS roles,
            (SELECT GROUP_CONCAT(o.store_id ORDER BY o.store_id) FROM store_owners o WHERE o.user_id = u.id) AS store_ids
       FROM sessions s JOIN users u ON u.id = s.user_id
      WHERE s.id = ? AND s.user_id = ? AND s.ended_at IS NULL AND s.expires_at > NOW(3) AND u.deleted_at IS NULL`,
    [sessionId, userId],
  );
  const row = (rows as (UserRow & { expires_at: Date })[])[0];
  return row ? { expiresAt: row.expires_at.getTime(), user: toAuthUser(row) } : null;
}

/**
 * Sets ctx.state.user when a valid token is presented; a presented but bad token is 401. The
 * signature is checked first (no I/O); then the process's cache, and MySQL only on a miss — Redis
 * is not asked at all, so signed-in users keep working while it is down. MySQL down on a miss is
 * 503 (never 401: the session may well be valid).
 */
export function authenticate(deps: { db: Db; redis: RedisClient; config: { auth: { tokenKeyHex: string; sessionCacheSeconds: number } } }) {
  const key = Buffer.from(deps.config.auth.tokenKeyHex, 'hex');
  const cache = cacheOf(deps.redis, deps.config.auth.sessionCacheSeconds);
  return async (ctx: Context, next: Next) => {
    const token = bearerToken(ctx);
    if (token) {
      const ids = verifyToken(key, token);
      if (!ids) throw sessionEnded();
      let user = cache.get(ids.sessionId)?.user;
      if (!user) {
        const generation = cache.current;
        const found = await loadSession(deps.db, ids.sessionId, ids.userId);
        if (!found) throw sessionEnded();
        cache.put({ sessionId: ids.sessionId, userId: ids.userId, expiresAt: found.expiresAt, user: found.user }, generation);
        user = found.user;
      }
      ctx.state.user = user;
      ctx.state.token = token;
    }
    await next();
  };
}
