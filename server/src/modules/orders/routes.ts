import type { Module } from '../index';
import { API_BASE, defineRoute, listOf } from '../../lib/http';
import { consumeRateLimit } from '../../lib/rate-limit';
import { ConfirmBody, CreateOrderBody, IdParams, Order, OrderIdParams, OrdersQuery, PlacedOrder, VerifyBody, ConfirmedOrder, CounterOrder, CounterOrders } from './schemas';
import { cancelOrder, confirmPickup, createOrder, getMyOrder, listMyOrders, listStorePickups, verifyPickupCode } from './service';

export const ordersModule: Module = {
  name: 'orders',
  register({ api, deps }) {
    defineRoute(api, API_BASE, {
      method: 'post',
      path: '/orders',
      summary: 'Place an order for pickup at a store (pay at pickup); header Idempotency-Key required',
      tags: ['orders'],
      access: 'user',
      body: CreateOrderBody,
      response: PlacedOrder,
      status: 201,
      idempotent: 'required',
      errors: [
        { status: 404, code: 'NOT_FOUND' },
        { status: 409, code: 'INSUFFICIENT_STOCK' },
        { status: 409, code: 'COUPON_NOT_APPLICABLE' },
        { status: 409, code: 'QUOTE_EXPIRED' },
        { status: 409, code: 'QUOTE_ALREADY_USED' }, { status: 409, code: 'TRADE_IN_NOT_APPLICABLE' },
        { status: 409, code: 'OPEN_UNITS_LIMIT' },
        { status: 422, code: 'IDEMPOTENCY_KEY_REUSED' },
        { status: 429, code: 'RATE_LIMITED' },
      ],
      handler: async ({ body, user, ctx }) => {
        await consumeRateLimit(deps, 'orderPerUser', user!.id);
        const result = await createOrder(deps, user!, ctx.get('idempotency-key'), body);
        ctx.status = result.status;
        ctx.body = result.body;
        return result.body;
      },
    });
    defineRoute(api, API_BASE, {
      method: 'get', path: '/orders', summary: 'My orders', tags: ['orders'], access: 'user', query: OrdersQuery,
      response: listOf(Order),
      handler: ({ query, user }) => listMyOrders(deps, user!, query),
    });
    defineRoute(api, API_BASE, {
      method: 'get', path: '/orders/:id', summary: 'One of my orders', tags: ['orders'], access: 'user', params: IdParams, response: Order,
      handler: ({ params, user }) => getMyOrder(deps, user!, params.id),
    });
    defineRoute(api, API_BASE, {
      method: 'post', path: '/orders/:id/cancel', summary: 'Cancel my order while it awaits pickup (units, coupon and quote are given back)', tags: ['orders'],
      access: 'user', params: IdParams, response: Order, errors: [{ status: 409, code: 'ORDER_NOT_CANCELLABLE' }],
      handler: ({ params, user }) => cancelOrder(deps, user!, params.id),
    });

    defineRoute(api, API_BASE, {
      method: 'get', path: '/store/pickups', summary: "Orders at the owner's stores (default: awaiting pickup)", tags: ['store'],
      access: ['store_owner'], query: OrdersQuery, response: CounterOrders,
      handler: ({ query, user }) => listStorePickups(deps, user!, query),
    });
    defineRoute(api, API_BASE, {
      method: 'post', path: '/store/pickups/verify',
      summary: "The order behind a pickup code, only at the owner's own stores; failed look-ups are limited per owner and per store (a success never counts)",
      tags: ['store'], access: ['store_owner'], body: VerifyBody, response: CounterOrder,
      errors: [{ status: 404, code: 'NOT_FOUND' }, { status: 409, code: 'ALREADY_PICKED_UP' }, { status: 429, code: 'RATE_LIMITED' }],
      handler: ({ body, user }) => verifyPickupCode(deps, user!, body.code),
    });
    defineRoute(api, API_BASE, {
      method: 'post', path: '/store/pickups/:orderId/confirm',
      summary: "Hand the goods over: picked_up, exactly once, with the order's pickup code (the buyer is there) and, for a trade-in, the inspection of the old unit",
      tags: ['store'], access: ['store_owner'], params: OrderIdParams, body: ConfirmBody, response: ConfirmedOrder,
      errors: [
        { status: 409, code: 'ALREADY_PICKED_UP' }, { status: 409, code: 'PICKUP_CODE_MISMATCH' }, { status: 409, code: 'ORDER_NOT_CANCELLABLE' },
        { status: 409, code: 'ORDER_PREPAID' }, { status: 409, code: 'ORDER_NOT_PAID' }, { status: 429, code: 'RATE_LIMITED' },
      ],
      handler: ({ params, body, user }) => confirmPickup(deps, user!, params.orderId, body),
    });
  },
};
