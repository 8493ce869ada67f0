import { forgetUser } from '../../server/src/lib/auth';
import type { TestContext } from './context';

/** A new store owner of `storeId` (signed in through the emulator), for tests that need an owner of their own. */
export async function signInAsNewStoreOwner(t: TestContext, openid: string, storeId: string): Promise<{ token: string; userId: string }> {
  const token = await t.login(openid);
  const [rows] = await t.deps.db.query('SELECT id FROM users WHERE openid = ?', [openid]);
  const userId = (rows as { id: string }[])[0].id;
  await t.deps.db.query("INSERT IGNORE INTO user_roles (user_id, role) VALUES (?, 'store_owner')", [userId]);
  await t.deps.db.query('INSERT IGNORE INTO store_owners (user_id, store_id) VALUES (?, ?)', [userId, storeId]);
  await forgetUser(t.deps.redis, userId);
  return { token, userId };
}
