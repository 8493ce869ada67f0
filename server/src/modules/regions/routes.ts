import type { Module } from '../index';
import { API_BASE, defineRoute } from '../../lib/http';
import { ChildrenQuery, CodeParams, RegionList, RegionSearchResult, RegionWithPath, SearchQuery } from './schemas';
import { getRegion, limitSearch, listChildRegions, searchRegions } from './service';
import { clientAddress } from '../../lib/client-address';

export const regionsModule: Module = {
  name: 'regions',
  register({ api, deps }) {
    defineRoute(api, API_BASE, {
      method: 'get',
      path: '/regions',
      summary: 'The children of a region (no parent: the provinces)',
      tags: ['regions'],
      access: 'public',
      query: ChildrenQuery,
      response: RegionList,
      errors: [{ status: 404, code: 'NOT_FOUND' }],
      handler: async ({ query }) => ({ items: await listChildRegions(deps, query.parent), nextCursor: null }),
    });
    defineRoute(api, API_BASE, {
      method: 'get',
      path: '/regions/search',
      summary: 'Regions whose name contains q, each with its full path',
      tags: ['regions'],
      access: 'public',
      query: SearchQuery,
      response: RegionSearchResult,
      errors: [{ status: 429, code: 'RATE_LIMITED' }],
      handler: async ({ query, ctx }) => {
        await limitSearch(deps, clientAddress(ctx));
        return { items: await searchRegions(deps, query.q, query.limit ?? 20), nextCursor: null };
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
