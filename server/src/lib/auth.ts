import { createHash, randomBytes } from 'node:crypto';
import type { Context, Next } from 'koa';
import type { RedisClient } from './redis';
import type { Db } from './db';
import { unauthenticated } from './errors';

export const ROLES = ['villager', 'leader', 'store_owner', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export type AuthUser = { id: string; nickname: string; roles: Role[]; storeIds: string[]; openid?: string | null };

/** What a client sees of a user (the openid stays on the server). */
export const publicUser = (u: AuthUser) => ({ id: u.id, nickname: u.nickname, roles: u.roles, storeIds: u.storeIds });

type Session = { userId: string; sessionKey: string };

const sessionKey = (token: string) => `session:${createHash('sha256').update(token).digest('hex')}`;

/** Opaque random tokens; Redis keeps only their hash, with the session's expiry. */
export async function createSession(redis: RedisClient, userId: string, wechatSessionKey: string, ttlSeconds: number) {
  const token = randomBytes(32).toString('base64url');
  const session: Session = { userId, sessionKey: wechatSessionKey };
  await redis.set(sessionKey(token), JSON.stringify(session), 'EX', ttlSeconds);
  return { token, expiresAt: new Date(Date.now() + ttlSeconds * 1000) };
}

export async function endSession(redis: RedisClient, token: string): Promise<void> {
  await redis.del(sessionKey(token));
}

export function bearerToken(ctx: Context): string | null {
  const header = ctx.get('authorization');
  if (!header) return null;
  const m = /^Bearer ([A-Za-z0-9_-]{20,100})$/.exec(header);
  if (!m) throw unauthenticated('登录已失效，请重新登录');
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

/** Sets ctx.state.user when a valid token is presented; a presented but bad token is 401. */
export function authenticate(redis: RedisClient, db: Db) {
  return async (ctx: Context, next: Next) => {
    const token = bearerToken(ctx);
    if (token) {
      const raw = await redis.get(sessionKey(token));
      if (!raw) throw unauthenticated('登录已失效，请重新登录');
      const session = JSON.parse(raw) as Session;
      const user = await loadUser(db, session.userId);
      if (!user) throw unauthenticated('登录已失效，请重新登录');
      ctx.state.user = user;
      ctx.state.token = token;
    }
    await next();
  };
}
