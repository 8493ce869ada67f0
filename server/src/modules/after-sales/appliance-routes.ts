import type Router from '@koa/router';
import type { Deps } from '../../lib/deps';
import { API_BASE, defineRoute } from '../../lib/http';
import { AddApplianceBody, Appliance, ApplianceList, IdParams, ListQuery } from './schemas';
import { addApplianceByHand, getMyAppliance, listMyAppliances } from './appliances';

export function registerApplianceRoutes(api: Router, deps: Deps): void {
  defineRoute(api, API_BASE, {
    method: 'get', path: '/me/appliances', summary: "My household's appliances (我的家电), newest first", tags: ['after-sales'],
    access: 'user', query: ListQuery, response: ApplianceList,
    handler: ({ query, user }) => listMyAppliances(deps, user!, query),
  });
  defineRoute(api, API_BASE, {
    method: 'post', path: '/me/appliances',
    summary: 'Add an appliance bought elsewhere (category, brand, age): warranty and upkeep from its category; one past its typical life suggests 换新 with a trade-in prefill',
    tags: ['after-sales'], access: 'user', body: AddApplianceBody, response: Appliance, status: 201,
    errors: [{ status: 404, code: 'NOT_FOUND' }],
    handler: ({ body, user }) => addApplianceByHand(deps, user!, body),
  });
  defineRoute(api, API_BASE, {
    method: 'get', path: '/me/appliances/:id', summary: 'One of my appliances', tags: ['after-sales'],
    access: 'user', params: IdParams, response: Appliance, errors: [{ status: 404, code: 'NOT_FOUND' }],
    handler: ({ params, user }) => getMyAppliance(deps, user!, params.id),
  });
}
