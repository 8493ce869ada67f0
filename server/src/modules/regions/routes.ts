import type { Module } from '../index';
import { API_BASE, defineRoute } from '../../lib/http';
import { ChildrenQuery, CodeParams, RegionList, RegionSearchResult, RegionWithPath, SearchQuery } from './schemas';
import { getRegion, limitSearch, listChildRegions, searchRegions } from './service';
import { clientAddress } from '../../lib/client-address';
import { regionNear } from '../stores/service';

export const regionsModule: Module = {
  name: 'regions',
  register({ api, deps }) {
    defineRoute(api, API_BASE, {
      method: 'get',
      path: '/regions',
      summary: 'The children of a region in code order (no parent: the provinces), paged',
      tags: ['regions'],
      access: 'public',
      query: ChildrenQuery,
      response: RegionList,
      errors: [{ status: 404, code: 'NOT_FOUND' }],
      handler: ({ query }) => listChildRegions(deps, query.parent, query),
    });
    defineRoute(api, API_BASE, {
      method: 'get',
      path: '/regions/search',
      summary: "Regions whose name contains q, each with its full path; with region or lat+lng, the caller's county, city and province first",
      tags: ['regions'],
      access: 'public',
      query: SearchQuery,
      response: RegionSearchResult,
      errors: [{ status: 429, code: 'RATE_LIMITED' }],
      handler: async ({ query, ctx }) => {
        await limitSearch(deps, clientAddress(ctx));
        const near = query.region ?? (query.lat !== undefined && query.lng !== undefined ? await regionNear(deps, query.lat, query.lng) : undefined);
        return searchRegions(deps, query.q, { ...query, near });
      },
    });
    defineRoute(api, API_BASE, {
      method: 'get',
      path: '/regions/:code',
      summary: 'One region with its full path',
      tags: ['regions'],
      access: 'public',
      params: CodeParams,
      response: RegionWithPath,
      errors: [{ status: 404, code: 'NOT_FOUND' }],
      handler: ({ params }) => getRegion(deps, params.code),
    });
  },
};
