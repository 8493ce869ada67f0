import type { Deps } from '../../lib/deps';
import { createSession, endSession, forgetUser, loadUser, publicUser } from '../../lib/auth';
import { unauthenticated } from '../../lib/errors';
import { anonymiseUser, findOrCreateUserByOpenid } from './repository';

const tokenKey = (deps: Deps) => Buffer.from(deps.config.auth.tokenKeyHex, 'hex');

/** wx.login code → WeChat's jscode2session → our user and an opaque session token. */
export async function loginWithWechat(deps: Deps, code: string): Promise<{ token: string; expiresAt: string; user: ReturnType<typeof publicUser> }> {
  const { openid } = await deps.wechat.codeToSession(code);
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
