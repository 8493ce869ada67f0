import type { Module } from '../index';
import { API_BASE, ListQuery, defineRoute } from '../../lib/http';
import { ClaimBody, ClaimResponse, MyCouponsQuery, NewCampaignBody, ActiveCampaigns, CreatedCampaign, MyCoupons } from './schemas';
import { activeCampaigns, claimCoupon, createCampaign, myCoupons } from './service';
import { clientAddress } from '../../lib/client-address';

export const couponsModule: Module = {
  name: 'coupons',
  register({ api, deps }) {
    defineRoute(api, API_BASE, {
      method: 'get', path: '/campaigns/active', summary: 'Campaigns running now or opening within 7 days, with live remaining counts and the server time', tags: ['coupons'],
      access: 'public', query: ListQuery, response: ActiveCampaigns, handler: ({ user, query }) => activeCampaigns(deps, user, query),
    });
    defineRoute(api, API_BASE, {
      method: 'post', path: '/coupons/claim', summary: 'Claim a coupon (never oversold, never over the per-user limit)', tags: ['coupons'],
      access: 'user', body: ClaimBody, response: ClaimResponse, status: 201,
      errors: [
        { status: 409, code: 'COUPON_SOLD_OUT' }, { status: 409, code: 'COUPON_LIMIT_REACHED' }, { status: 409, code: 'CAMPAIGN_NOT_STARTED' },
        { status: 409, code: 'CAMPAIGN_ENDED' }, { status: 404, code: 'NOT_FOUND' }, { status: 429, code: 'RATE_LIMITED' }, { status: 503, code: 'DEPENDENCY_UNAVAILABLE' },
      ],
      handler: ({ body, user, ctx }) => claimCoupon(deps, user!, body.templateId, clientAddress(ctx)),
    });
    defineRoute(api, API_BASE, {
      method: 'get', path: '/me/coupons', summary: 'My coupons, newest first', tags: ['coupons'], access: 'user', query: MyCouponsQuery, response: MyCoupons,
      handler: ({ query, user }) => myCoupons(deps, user!, query),
    });
    defineRoute(api, API_BASE, {
      method: 'post', path: '/admin/campaigns', summary: 'Create a campaign with its coupons (admin)', tags: ['coupons'], access: ['admin'],
      body: NewCampaignBody, status: 201, response: CreatedCampaign,
      handler: ({ body }) => createCampaign(deps, body),
    });
  },
};
