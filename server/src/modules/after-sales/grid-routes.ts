import type Router from '@koa/router';
import type { Deps } from '../../lib/deps';
import { API_BASE, defineRoute } from '../../lib/http';
import { AppointGridManagerBody, GridManager, GridManagerList, ListQuery } from './schemas';
import { appointGridManager, listGridManagers } from './grid';

export function registerGridRoutes(api: Router, deps: Deps): void {
  defineRoute(api, API_BASE, {
    method: 'post', path: '/admin/grid-managers',
    summary: 'Appoint a user grid manager (网格经理) of exactly these stores (admin); an empty list ends the appointment',
    tags: ['after-sales'], access: ['admin'], body: AppointGridManagerBody, response: GridManager,
    errors: [{ status: 404, code: 'NOT_FOUND' }],
    handler: ({ body, user }) => appointGridManager(deps, user!, body),
  });
  defineRoute(api, API_BASE, {
    method: 'get', path: '/admin/grid-managers', summary: 'Grid managers and their stores (admin)', tags: ['after-sales'],
    access: ['admin'], query: ListQuery, response: GridManagerList,
    handler: ({ query }) => listGridManagers(deps, query),
  });
}
