import { createHash } from 'node:crypto';
import type { Deps } from '../../lib/deps';
import { consumeRateLimit } from '../../lib/rate-limit';
import { createSession, endSession, forgetUser, loadUser, publicUser } from '../../lib/auth';
import { unauthenticated } from '../../lib/errors';
import { anonymiseUser, findOrCreateUserByOpenid } from './repository';

const tokenKey = (deps: Deps) => Buffer.from(deps.config.auth.tokenKeyHex, 'hex');

/**
 * wx.login code → WeChat's jscode2session → our user and an opaque session token. Limited mainly
 * per WeChat identity and per code (a code works once at WeChat: more tries are replays); per
 * address only by a budget a carrier-NAT address shared by a village fits (config/README.md).
 */
export async function loginWithWechat(deps: Deps, code: string, address: string): Promise<{ token: string; expiresAt: string; user: ReturnType<typeof publicUser> }> {
  await consumeRateLimit(deps, 'loginPerAddress', address);
  await consumeRateLimit(deps, 'loginPerCode', createHash('sha256').update(code).digest('hex'));
  const { openid } = await deps.wechat.codeToSession(code);
  await consumeRateLimit(deps, 'loginPerIdentity', openid);
  const { id } = await findOrCreateUserByOpenid(deps.prisma, openid);
  const user = await loadUser(deps.db, id);
  if (!user) throw unauthenticated();
  const session = await createSession(deps.db, tokenKey(deps), id, deps.config.auth.tokenTtlSeconds);
  return { token: session.token, expiresAt: session.expiresAt.toISOString(), user: publicUser(user) };
}

export async function logout(deps: Deps, token: string): Promise<void> {
  await endSession(deps.db, deps.redis, tokenKey(deps), token);
}

/** Deletes the caller's account: personal data goes, orders stay (anonymised); every session ends. */
export async function deleteAccount(deps: Deps, userId: string, token: string): Promise<void> {
  await anonymiseUser(deps.prisma, userId);
  // Every other session of the user finds no user from now on: the cached one goes too.
  await forgetUser(deps.redis, userId);
  await endSession(deps.db, deps.redis, tokenKey(deps), token);
}
