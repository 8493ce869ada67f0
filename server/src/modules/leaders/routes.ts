import type { Module } from '../index';
import { API_BASE, ListQuery, defineRoute, listOf, z } from '../../lib/http';
import { PHONE_PATTERN } from '../../lib/phone';
import { applyToLead, approveLeader, listStoreLeaders, myLeaderships } from './service';

export const leadersModule: Module = {
  name: 'leaders',
  register({ api, deps }) {
    defineRoute(api, API_BASE, {
      method: 'post', path: '/leaders/apply', summary: 'Apply to lead group-buys for a store and a village', tags: ['group-buys'], access: 'user', status: 201,
      body: z.object({
        storeId: z.string().min(1).max(32),
        villageCode: z.string().regex(/^\d{12}$/, 'a 12-digit village code'),
        realName: z.string().trim().min(1).max(40),
        phone: z.string().regex(PHONE_PATTERN, 'a mainland mobile number'),
      }).strict(),
      response: z.object({ storeId: z.string(), villageCode: z.string(), status: z.enum(['pending', 'approved']) }),
      errors: [{ status: 404, code: 'NOT_FOUND' }],
      handler: ({ body, user }) => applyToLead(deps, user!, body),
    });
    defineRoute(api, API_BASE, {
      method: 'get', path: '/leaders/me', summary: 'The stores I lead (or applied to lead) for', tags: ['group-buys'], access: 'user', query: ListQuery,
      response: listOf(z.object({ storeId: z.string(), storeName: z.string(), villageCode: z.string(), status: z.enum(['pending', 'approved']) })),
      handler: ({ user, query }) => myLeaderships(deps, user!, query),
    });
    defineRoute(api, API_BASE, {
      method: 'get', path: '/store/leaders', summary: "Leaders of the owner's stores (phones masked)", tags: ['store'], access: ['store_owner'],
      query: ListQuery.extend({ status: z.enum(['pending', 'approved']).optional() }).strict(),
      response: listOf(z.object({
        userId: z.string(), storeId: z.string(), villageCode: z.string(), villageName: z.string().nullable(), realName: z.string(), nickname: z.string(),
        phone: z.string().describe('masked: 138****5678'), status: z.enum(['pending', 'approved']), createdAt: z.string(),
      }).openapi('StoreLeader')),
      handler: ({ query, user }) => listStoreLeaders(deps, user!, query),
    });
    defineRoute(api, API_BASE, {
      method: 'post', path: '/store/leaders/:userId/approve', summary: "Approve a leader of the owner's own store", tags: ['store'], access: ['store_owner'],
      params: z.object({ userId: z.string().min(1).max(26) }).strict(), errors: [{ status: 409, code: 'ALREADY_APPROVED' }],
      response: z.object({ userId: z.string(), status: z.literal('approved') }),
      handler: ({ params, user }) => approveLeader(deps, user!, params.userId),
    });
  },
};
