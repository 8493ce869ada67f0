import type { Deps } from '../../lib/deps';
import type { AuthUser } from '../../lib/auth';
import { withTransaction } from '../../lib/db';
import { notFound } from '../../lib/errors';
import { grantRole, revokeRole, userExists } from '../auth/roles';
import { getStore } from '../stores/service';
import * as repo from './grid-repository';

/**
 * Grid managers (网格经理): an admin appoints a user to a set of stores; the role comes with the
 * first store and goes with the last. They see those stores' tickets and weekly figures.
 */
export async function appointGridManager(deps: Deps, admin: AuthUser, body: { userId: string; storeIds: string[] }) {
  if (!(await userExists(deps, body.userId))) throw notFound('找不到该用户');
  const storeIds = [...new Set(body.storeIds)].sort();
  for (const storeId of storeIds) await getStore(deps, storeId);
  await withTransaction(deps.db, (conn) => repo.setGridManagerStores(conn, body.userId, storeIds, admin.id));
  if (storeIds.length) await grantRole(deps, body.userId, 'grid_manager');
  else await revokeRole(deps, body.userId, 'grid_manager');
  return { userId: body.userId, storeIds };
}

export async function listGridManagers(deps: Deps, q: { cursor?: string; limit?: number }) {
  const limit = Math.min(q.limit ?? 20, 50);
  const rows = await repo.listGridManagers(deps.db, q.cursor, limit);
  const page = rows.slice(0, limit);
  return { items: page, nextCursor: rows.length > limit ? page[page.length - 1].userId : null };
}
