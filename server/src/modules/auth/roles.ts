import type { Deps } from '../../lib/deps';
import { forgetUser, type Role } from '../../lib/auth';

/**
 * Roles are the accounts module's rows: other capabilities grant and look them up through here
 * (after-sales appoints grid managers and tells admins of escalations).
 */
export async function grantRole(deps: Deps, userId: string, role: Role): Promise<void> {
  await deps.db.query('INSERT IGNORE INTO user_roles (user_id, role) VALUES (?, ?)', [userId, role]);
  // The new role counts from the user's next request.
  await forgetUser(deps.redis, userId);
}

export async function revokeRole(deps: Deps, userId: string, role: Role): Promise<void> {
  await deps.db.query('DELETE FROM user_roles WHERE user_id = ? AND role = ?', [userId, role]);
  await forgetUser(deps.redis, userId);
}

/** Users holding a role, with what a notification needs. */
export async function usersWithRole(deps: Deps, role: Role): Promise<{ id: string; nickname: string; openid: string | null }[]> {
  const [rows] = await deps.db.query(
    'SELECT u.id, u.nickname, u.openid FROM user_roles r JOIN users u ON u.id = r.user_id WHERE r.role = ? AND u.deleted_at IS NULL ORDER BY u.id',
    [role],
  );
  return rows as { id: string; nickname: string; openid: string | null }[];
}

/** What a notification needs of some users. */
export async function contactsOf(deps: Deps, userIds: string[]): Promise<{ id: string; nickname: string; openid: string | null }[]> {
  if (!userIds.length) return [];
  const [rows] = await deps.db.query('SELECT id, nickname, openid FROM users WHERE id IN (?) AND deleted_at IS NULL', [userIds]);
  return rows as { id: string; nickname: string; openid: string | null }[];
}

/** Whether a user exists (and has not deleted the account). */
export async function userExists(deps: Deps, userId: string): Promise<boolean> {
  const [rows] = await deps.db.query('SELECT 1 FROM users WHERE id = ? AND deleted_at IS NULL', [userId]);
  return (rows as unknown[]).length > 0;
}
