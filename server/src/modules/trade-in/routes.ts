import type { Module } from '../index';
import { API_BASE, defineRoute, ListQuery, z } from '../../lib/http';
import { PublishRulesBody, PublishedRules, Quote, QuoteBody, QuoteParams } from './schemas';
import { currentRules, getMyQuote, listCategories, listMyQuotes, publishRules, quoteTradeIn } from './service';

export const tradeInModule: Module = {
  name: 'trade-in',
  register({ api, deps }) {
    defineRoute(api, API_BASE, {
      method: 'get', path: '/trade-in/categories', summary: 'Trade-in categories and the questions each asks (the client builds its wizard from them)', tags: ['trade-in'],
      access: 'public',
      // API.md fixes this one as a bare array: a reference table of eleven categories, not a paged list.
      response: z.array(z.object({
        category: z.string(), name: z.string(),
        questions: z.array(z.object({
          id: z.string(), label: z.string(), type: z.enum(['brand', 'number', 'choice', 'boolean']),
          options: z.array(z.object({ value: z.union([z.string(), z.number(), z.boolean()]), label: z.string(), hint: z.string().optional() })),
          min: z.number().optional(), max: z.number().optional(), unit: z.string().optional(),
        })),
      })),
      handler: () => listCategories(),
    });
    defineRoute(api, API_BASE, {
      method: 'post', path: '/trade-in/quotes',
      summary: 'Quote an old appliance with the latest rule version: value, subsidy, breakdown in fen; valid tradeIn.quoteValidDays days. An unknown brand gets the lowest tier; bad answers are 400 with the field named',
      tags: ['trade-in'], access: 'user', body: QuoteBody, response: Quote, status: 201,
      errors: [{ status: 409, code: 'TRADE_IN_UNAVAILABLE' }],
      handler: ({ body, user }) => quoteTradeIn(deps, user!, body),
    });
    defineRoute(api, API_BASE, {
      method: 'get', path: '/trade-in/quotes', summary: 'My trade-in quotes, newest first', tags: ['trade-in'], access: 'user', query: ListQuery,
      response: z.object({ items: z.array(Quote), nextCursor: z.string().nullable() }),
      handler: ({ query, user }) => listMyQuotes(deps, user!, query),
    });
    defineRoute(api, API_BASE, {
      method: 'get', path: '/trade-in/quotes/:id', summary: "One of my quotes (another user's: 404), with the store's inspection once recorded", tags: ['trade-in'],
      access: 'user', params: QuoteParams, response: Quote, errors: [{ status: 404, code: 'NOT_FOUND' }],
      handler: ({ params, user }) => getMyQuote(deps, user!, params.id),
    });
    defineRoute(api, API_BASE, {
      method: 'post', path: '/admin/trade-in/rules', summary: 'Publish the next trade-in pricing rule version (admin); new quotes use it, old quotes keep theirs', tags: ['trade-in'],
      access: ['admin'], body: PublishRulesBody, response: PublishedRules, status: 201,
      handler: ({ body, user }) => publishRules(deps, user!, body),
    });
    defineRoute(api, API_BASE, {
      method: 'get', path: '/admin/trade-in/rules', summary: 'The latest trade-in pricing rule version (admin)', tags: ['trade-in'],
      access: ['admin'], response: PublishedRules,
      handler: () => currentRules(deps),
    });
  },
};
