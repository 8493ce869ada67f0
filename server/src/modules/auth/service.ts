import { createHash } from 'node:crypto';
import type { Deps } from '../../lib/deps';
import { consumeRateLimit } from '../../lib/rate-limit';
import { createSession, endSession, forgetUser, loadUser, publicUser } from '../../lib/auth';
import { unauthenticated } from '../../lib/errors';
import { anonymiseUser, findOrCreateUserByOpenid } from './repository';
import { forgetLeavingUser } from '../group-buys/service';
import { forgetLeaderApplications } from '../leaders/service';
import { cancelOpenOrdersOfLeavingUser } from '../orders/service';

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

/**
 * Deletes the caller's account (PIPL; docs/privacy.md): it leaves open group-buys, its open orders
 * are cancelled (units, coupons, quotes back; online payments refunded), its applications to lead
 * and the phones of the neighbours it joined are removed; then its personal data goes and every
 * session ends. Finished orders stay, anonymised, for the stores' books. Each step is repeatable,
 * and the account is anonymised last, so a failed deletion can simply be asked for again.
 */
export async function deleteAccount(deps: Deps, userId: string, token: string): Promise<void> {
  await forgetLeavingUser(deps, userId);
  await cancelOpenOrdersOfLeavingUser(deps, userId);
  await forgetLeaderApplications(deps, userId);
  await anonymiseUser(deps.prisma, userId);
  // Every other session of the user finds no user from now on: the cached one goes too.
  await forgetUser(deps.redis, userId);
  await endSession(deps.db, deps.redis, tokenKey(deps), token);
}
