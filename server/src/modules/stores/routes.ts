import type { Module } from '../index';
import { API_BASE, defineRoute } from '../../lib/http';
import { limitSearch } from '../regions/service';
import { NearbyQuery, NearbyResult, StoreDetail, StoreList, StoreParams, StoresQuery } from './schemas';
import { nearbyStoresPage, getStore, listStores } from './service';
import { clientAddress } from '../../lib/client-address';

export const storesModule: Module = {
  name: 'stores',
  register({ api, deps }) {
    defineRoute(api, API_BASE, {
      method: 'get',
      path: '/stores/nearby',
      summary: 'Stores nearest a point (GCJ-02), nearest first, paged down to the 100th; the point is neither stored nor logged',
      tags: ['stores'],
      access: 'public',
      query: NearbyQuery,
      response: NearbyResult,
      handler: ({ query }) => nearbyStoresPage(deps, query),
    });
    defineRoute(api, API_BASE, {
      method: 'get',
      path: '/stores',
      summary: 'Stores inside a region of any level (a village: the stores serving it), paged',
      tags: ['stores'],
      access: 'public',
      query: StoresQuery,
      response: StoreList,
      errors: [{ status: 429, code: 'RATE_LIMITED' }],
      handler: async ({ query, ctx }) => {
        if (query.q) await limitSearch(deps, clientAddress(ctx));
        return listStores(deps, query);
      },
    });
    defineRoute(api, API_BASE, {
      method: 'get',
      path: '/stores/:id',
      summary: 'One store: hours, services, phone, position',
      tags: ['stores'],
      access: 'public',
      params: StoreParams,
      response: StoreDetail,
      errors: [{ status: 404, code: 'NOT_FOUND' }],
      handler: ({ params }) => getStore(deps, params.id),
    });
  },
};
