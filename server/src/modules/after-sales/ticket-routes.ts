import type Router from '@koa/router';
import type { Deps } from '../../lib/deps';
import { API_BASE, defineRoute } from '../../lib/http';
import { validationFailed } from '../../lib/errors';
import { RefundBody, CancelBody, IdParams, MyTicketsQuery, NoteBody, OpenTicketBody, RateBody, RejectBody, StoreTicketsQuery, Ticket, TicketList } from './schemas';
import {
  acceptTicket, cancelMyTicket, getMyTicket, getStoreTicket, listMyTickets, listStoreTickets, openTicket, rateMyTicket, rejectTicket, resolveTicket,
} from './tickets';
import { refundTicket } from './refunds';

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{8,128}$/;
const CONFLICT = { status: 409, code: 'TICKET_STATE_CONFLICT' };
const NOT_FOUND = { status: 404, code: 'NOT_FOUND' };

export function registerTicketRoutes(api: Router, deps: Deps): void {
  defineRoute(api, API_BASE, {
    method: 'post', path: '/tickets',
    summary: 'Open a service ticket (报修/退货/换货/安装问题/保养) about one of my appliances or orders; the store must answer by respondBy. Header Idempotency-Key optional',
    tags: ['after-sales'], access: 'user', body: OpenTicketBody, response: Ticket, status: 201, idempotent: true,
    errors: [
      NOT_FOUND, { status: 409, code: 'TICKET_ALREADY_OPEN' }, { status: 409, code: 'AFTER_SALES_WINDOW_CLOSED' }, { status: 409, code: 'ORDER_NOT_HANDED_OVER' },
      { status: 422, code: 'IDEMPOTENCY_KEY_REUSED' },
    ],
    handler: ({ body, user, ctx }) => {
      const key = ctx.get('idempotency-key') || null;
      if (key !== null && !IDEMPOTENCY_KEY.test(key)) throw validationFailed([{ path: 'headers.Idempotency-Key', message: '8–128 letters, digits, _ . : -' }]);
      return openTicket(deps, user!, key, body);
    },
  });
  defineRoute(api, API_BASE, {
    method: 'get', path: '/tickets', summary: 'My tickets, newest first, each with its history', tags: ['after-sales'],
    access: 'user', query: MyTicketsQuery, response: TicketList,
    handler: ({ query, user }) => listMyTickets(deps, user!, query),
  });
  defineRoute(api, API_BASE, {
    method: 'get', path: '/tickets/:id', summary: 'One of my tickets with its append-only history', tags: ['after-sales'],
    access: 'user', params: IdParams, response: Ticket, errors: [NOT_FOUND],
    handler: ({ params, user }) => getMyTicket(deps, user!, params.id),
  });
  defineRoute(api, API_BASE, {
    method: 'post', path: '/tickets/:id/cancel', summary: 'Withdraw my ticket before it is resolved', tags: ['after-sales'],
    access: 'user', params: IdParams, body: CancelBody, response: Ticket, errors: [NOT_FOUND, CONFLICT],
    handler: ({ params, body, user }) => cancelMyTicket(deps, user!, params.id, body.reason ?? null),
  });
  defineRoute(api, API_BASE, {
    method: 'post', path: '/tickets/:id/rate', summary: 'Rate a resolved or refunded ticket (closes it); a photo may be offered for the store\'s wall', tags: ['after-sales'],
    access: 'user', params: IdParams, body: RateBody, response: Ticket, errors: [NOT_FOUND, CONFLICT],
    handler: ({ params, body, user }) => rateMyTicket(deps, user!, params.id, body),
  });

  defineRoute(api, API_BASE, {
    method: 'get', path: '/store/tickets',
    summary: "Tickets of the caller's stores (owner: own stores; grid manager: appointed stores; admin: all), open ones nearest deadline first",
    tags: ['after-sales'], access: ['store_owner', 'grid_manager', 'admin'], query: StoreTicketsQuery, response: TicketList,
    handler: ({ query, user }) => listStoreTickets(deps, user!, query),
  });
  defineRoute(api, API_BASE, {
    method: 'get', path: '/store/tickets/:id', summary: 'One ticket of the caller\'s stores, with its history', tags: ['after-sales'],
    access: ['store_owner', 'grid_manager', 'admin'], params: IdParams, response: Ticket, errors: [NOT_FOUND],
    handler: ({ params, user }) => getStoreTicket(deps, user!, params.id),
  });
  defineRoute(api, API_BASE, {
    method: 'post', path: '/store/tickets/:id/accept', summary: 'Accept a submitted or escalated ticket (the 24-hour clock stops)', tags: ['after-sales'],
    access: ['store_owner'], params: IdParams, body: NoteBody, response: Ticket, errors: [NOT_FOUND, CONFLICT],
    handler: ({ params, body, user }) => acceptTicket(deps, user!, params.id, body.note ?? null),
  });
  defineRoute(api, API_BASE, {
    method: 'post', path: '/store/tickets/:id/reject', summary: 'Reject a ticket, with the reason the villager will read', tags: ['after-sales'],
    access: ['store_owner'], params: IdParams, body: RejectBody, response: Ticket, errors: [NOT_FOUND, CONFLICT],
    handler: ({ params, body, user }) => rejectTicket(deps, user!, params.id, body.reason),
  });
  defineRoute(api, API_BASE, {
    method: 'post', path: '/store/tickets/:id/resolve', summary: 'Mark an accepted or scheduled ticket resolved (not returns: they are refunded)', tags: ['after-sales'],
    access: ['store_owner'], params: IdParams, body: NoteBody, response: Ticket, errors: [NOT_FOUND, CONFLICT],
    handler: ({ params, body, user }) => resolveTicket(deps, user!, params.id, body.note ?? null),
  });
  defineRoute(api, API_BASE, {
    method: 'post', path: '/store/tickets/:id/refund',
    summary: 'Refund an accepted return (cash or the store\'s WeChat QR; online for orders paid online), exactly once per ticket and per order; units and a still-valid coupon come back, commission is reversed',
    tags: ['after-sales'], access: ['store_owner'], params: IdParams, body: RefundBody, response: Ticket,
    errors: [NOT_FOUND, CONFLICT, { status: 409, code: 'ALREADY_REFUNDED' }, { status: 409, code: 'REFUND_EXCEEDS_PAID' }, { status: 409, code: 'REFUND_METHOD_MISMATCH' }],
    handler: ({ params, body, user }) => refundTicket(deps, user!, params.id, body),
  });
}
