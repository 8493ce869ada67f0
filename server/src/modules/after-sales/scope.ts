import type { Deps } from '../../lib/deps';
import type { AuthUser } from '../../lib/auth';
import type { Scope } from './ticket-repository';
import { storesOfGridManager } from './grid-repository';

/**
 * Which stores' tickets a caller may see: a store owner their own stores, a grid manager the stores
 * an admin appointed them to (both, for someone who is both), an admin every store. Only owners act.
 */
export async function readableStores(deps: Deps, user: AuthUser): Promise<Scope> {
  if (user.roles.includes('admin')) return { storeIds: null };
  const managed = user.roles.includes('grid_manager') ? await storesOfGridManager(deps.db, user.id) : [];
  return { storeIds: [...new Set([...(user.roles.includes('store_owner') ? user.storeIds : []), ...managed])] };
}

export const ownedStores = (user: AuthUser): Scope => ({ storeIds: user.roles.includes('store_owner') ? user.storeIds : [] });
