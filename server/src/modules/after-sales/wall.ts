import type { Deps } from '../../lib/deps';
import type { AuthUser } from '../../lib/auth';
import { AppError, notFound } from '../../lib/errors';
import { getStore } from '../stores/service';
import * as repo from './ticket-repository';
import { photoUrl } from './photos/service';
import { getTicket } from './tickets';
import { ownedStores } from './scope';

/**
 * The photo wall (老用户照片墙): a villager who rates a ticket may offer its photo for the store's
 * wall; the store's owner approves or declines it, once; the store page shows the approved ones
 * with the rating and a nickname reduced to its first character.
 */
export async function decideWallPhoto(deps: Deps, owner: AuthUser, ticketId: string, approve: boolean) {
  const storeIds = owner.roles.includes('store_owner') ? owner.storeIds : [];
  if (!(await repo.decideWall(deps.db, ticketId, storeIds, approve))) {
    const t = await repo.findTicket(deps.db, ticketId, ownedStores(owner));
    if (!t) throw notFound('工单不存在');
    throw new AppError(409, 'WALL_NOT_PENDING', t.wallStatus ? '这张照片已经处理过了' : '顾客没有把照片放上照片墙', [{ path: 'wallStatus', message: t.wallStatus ?? 'none' }]);
  }
  return getTicket(deps, ticketId, ownedStores(owner), { forStore: true });
}

const nicknameOnWall = (nickname: string) => `${Array.from(nickname)[0] ?? '村'}**`;

export async function storeWall(deps: Deps, storeId: string, q: { cursor?: string; limit?: number }) {
  await getStore(deps, storeId);
  const limit = Math.min(q.limit ?? 20, 50);
  const m = q.cursor ? /^(\d{1,15})\.([0-9A-Z]{26})$/.exec(q.cursor) : null;
  const rows = await repo.wallOf(deps.db, storeId, m ? { decidedAt: new Date(Number(m[1])), id: m[2] } : null, limit);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => ({
      ticketId: r.ticketId,
      photo: { url: photoUrl(deps, r.ratingPhotoId), width: r.width, height: r.height },
      stars: r.ratingStars,
      comment: r.ratingComment,
      nickname: nicknameOnWall(r.nickname),
      applianceName: r.applianceName,
      ratedAt: r.ratedAt.toISOString(),
    })),
    nextCursor: rows.length > limit ? `${last.decidedAt.getTime()}.${last.ticketId}` : null,
  };
}
