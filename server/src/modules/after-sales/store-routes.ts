import type Router from '@koa/router';
import type { Deps } from '../../lib/deps';
import { API_BASE, defineRoute, z } from '../../lib/http';
import { GridStoreList, GridStoresQuery, IdParams, StoreWeekly, Ticket, Today, WallDecisionBody, WallList, WallQuery, WeeklyQuery } from './schemas';
import { listGridStores, storeWeekly } from './grid-stats';
import { decideWallPhoto, storeWall } from './wall';
import { ownerToday } from './today';

const OVERSEE = ['store_owner', 'grid_manager', 'admin'] as const;

export function registerStoreViewRoutes(api: Router, deps: Deps): void {
  defineRoute(api, API_BASE, {
    method: 'get', path: '/grid/stores',
    summary: "The stores in the caller's charge (grid manager: appointed; owner: own; admin: all) with open, escalated and overdue tickets and this week's figures",
    tags: ['after-sales'], access: [...OVERSEE], query: GridStoresQuery, response: GridStoreList,
    handler: ({ query, user }) => listGridStores(deps, user!, query),
  });
  defineRoute(api, API_BASE, {
    method: 'get', path: '/grid/stores/:id/weekly',
    summary: 'One store week by week (Monday, Shanghai): tickets opened, answered by respondBy, average rating, reminders done; default 8 weeks',
    tags: ['after-sales'], access: [...OVERSEE], params: IdParams, query: WeeklyQuery, response: StoreWeekly, errors: [{ status: 404, code: 'NOT_FOUND' }],
    handler: ({ params, query, user }) => storeWeekly(deps, user!, params.id, query.weeks ?? 8),
  });
  defineRoute(api, API_BASE, {
    method: 'get', path: '/store/today', summary: "The owner's day in one screen: pickups waiting, today's visits, tickets by deadline, reminders to call", tags: ['after-sales'],
    access: ['store_owner'], response: Today,
    handler: ({ user }) => ownerToday(deps, user!),
  });
  defineRoute(api, API_BASE, {
    method: 'post', path: '/store/tickets/:id/wall', summary: 'Approve or decline the photo a customer offered for the store\'s wall (once)', tags: ['after-sales'],
    access: ['store_owner'], params: IdParams, body: WallDecisionBody, response: Ticket,
    errors: [{ status: 404, code: 'NOT_FOUND' }, { status: 409, code: 'WALL_NOT_PENDING' }],
    handler: ({ params, body, user }) => decideWallPhoto(deps, user!, params.id, body.approve),
  });
  defineRoute(api, API_BASE, {
    method: 'get', path: '/stores/:id/wall', summary: "The store's photo wall (老用户照片墙): rated photos customers chose to show and the owner approved, latest first", tags: ['after-sales'],
    access: 'public', params: z.object({ id: z.string().min(1).max(40) }).strict(), query: WallQuery, response: WallList, errors: [{ status: 404, code: 'NOT_FOUND' }],
    handler: ({ params, query }) => storeWall(deps, params.id, query),
  });
}
