import { createHash, randomBytes } from 'node:crypto';
import type { Context, Next } from 'koa';
import { luaCommand, type RedisClient } from './redis';
import type { Db } from './db';
import { unauthenticated } from './errors';

export const ROLES = ['villager', 'leader', 'store_owner', 'grid_manager', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export type AuthUser = { id: string; nickname: string; roles: Role[]; storeIds: string[]; openid?: string | null };

/** What a client sees of a user (the openid stays on the server). */
export const publicUser = (u: AuthUser) => ({ id: u.id, nickname: u.nickname, roles: u.roles, storeIds: u.storeIds });

type Session = { userId: string; sessionKey: string };

/**
 * A token is the user's id followed by 32 random bytes (base64url). The id lets a request read its
 * session, the cached user and the user's cache generation in one MGET: all three keys carry the
 * user's hash tag, so they sit in one Redis Cluster slot. Redis keeps only the token's hash.
 */
const TOKEN = /^([0-9A-Z]{26})([A-Za-z0-9_-]{43})$/;
const sessionKey = (userId: string, token: string) => `session:{${userId}}:${createHash('sha256').update(token).digest('hex')}`;
const userKey = (userId: string) => `user:{${userId}}`;
const userGenKey = (userId: string) => `user:{${userId}}:gen`;
const parseToken = (token: string) => {
  const m = TOKEN.exec(token);
  return m ? { userId: m[1], key: sessionKey(m[1], token) } : null;
};

/** How long a loaded user (roles, stores) is kept in Redis; changes invalidate it at once (`forgetUser`). */
const USER_CACHE_SECONDS = 60;

/** Opaque random tokens; Redis keeps only their hash, with the session's expiry. */
export async function createSession(redis: RedisClient, userId: string, wechatSessionKey: string, ttlSeconds: number) {
  const token = `${userId}${randomBytes(32).toString('base64url')}`;
  const session: Session = { userId, sessionKey: wechatSessionKey };
  await redis.set(sessionKey(userId, token), JSON.stringify(session), 'EX', ttlSeconds);
  return { token, expiresAt: new Date(Date.now() + ttlSeconds * 1000) };
}

export async function endSession(redis: RedisClient, token: string): Promise<void> {
  const parsed = parseToken(token);
  if (parsed) await redis.del(parsed.key);
}

/**
 * Call after a user's roles, stores or account change (after the commit): drops the cached user and
 * moves its generation on, so a request that loaded the old rows before the change cannot put them
 * back (it stores only if the generation it read is still current).
 */
export async function forgetUser(redis: RedisClient, userId: string): Promise<void> {
  await redis.multi().incr(userGenKey(userId)).expire(userGenKey(userId), USER_CACHE_SECONDS * 2).del(userKey(userId)).exec();
}

// KEYS: 1 user, 2 generation; ARGV: 1 the user as JSON, 2 the generation read before loading, 3 seconds.
const CACHE_USER_LUA = `if (redis.call('GET', KEYS[2]) or '0') ~= ARGV[2] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3]) return 1`;
const cacheUserScript = luaCommand<number>('cacheUser', 2, CACHE_USER_LUA);

/** Keeps a user loaded from MySQL, unless `forgetUser` ran since `generation` was read. */
export async function cacheUser(redis: RedisClient, user: AuthUser, generation: string | null): Promise<boolean> {
  return (await cacheUserScript(redis, userKey(user.id), userGenKey(user.id), JSON.stringify(user), generation ?? '0', USER_CACHE_SECONDS)) === 1;
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
  const row = (rows as { id: string; nickname: string; openid: string | null; roles: string | null; store_ids: string | null }[])[0];
  if (!row) return null;
  const roles = new Set<Role>(['villager', ...((row.roles ? row.roles.split(',') : []) as Role[])]);
  return {
    id: row.id,
    nickname: row.nickname,
    roles: ROLES.filter((r) => roles.has(r)),
    storeIds: row.store_ids ? row.store_ids.split(',') : [],
    openid: row.openid,
  };
}

/**
 * Sets ctx.state.user when a valid token is presented; a presented but bad token is 401. One Redis
 * round trip in the common case (session, cached user, generation); MySQL only on a cache miss.
 */
export function authenticate(redis: RedisClient, db: Db) {
  return async (ctx: Context, next: Next) => {
    const token = bearerToken(ctx);
    if (token) {
      const parsed = parseToken(token);
      if (!parsed) throw sessionEnded();
      const [raw, cached, gen] = await redis.mget(parsed.key, userKey(parsed.userId), userGenKey(parsed.userId));
      if (!raw) throw sessionEnded();
      const session = JSON.parse(raw) as Session;
      if (session.userId !== parsed.userId) throw sessionEnded();
      let user: AuthUser | null = cached ? (JSON.parse(cached) as AuthUser) : null;
      if (!user) {
        user = await loadUser(db, session.userId);
        if (!user) throw sessionEnded();
        // Only a cache: a failure here costs the next request a MySQL read, nothing else.
        await cacheUser(redis, user, gen).catch(() => false);
      }
      ctx.state.user = user;
      ctx.state.token = token;
    }
    await next();
  };
}
