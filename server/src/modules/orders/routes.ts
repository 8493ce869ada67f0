import type { Module } from '../index';
import { API_BASE, defineRoute, listOf } from '../../lib/http';
import { consumeRateLimit } from '../../lib/rate-limit';
import { ConfirmBody, CreateOrderBody, IdParams, Order, OrderIdParams, OrderPreview, OrdersQuery, PlacedOrder, RescheduleBody, VerifyBody, ConfirmedOrder, CounterOrder, CounterOrders } from './schemas';
import { cancelOrder, confirmPickup, createOrder, getMyOrder, listMyOrders, listStorePickups, previewOrder, rescheduleOrder, verifyPickupCode } from './service';

/** What placing an order can be refused with, besides the common answers (POST /orders and its preview). */
const PLACEMENT_ERRORS = [
  { status: 404, code: 'NOT_FOUND' },
  { status: 409, code: 'INSUFFICIENT_STOCK' },
  { status: 409, code: 'COUPON_NOT_APPLICABLE' },
  { status: 409, code: 'QUOTE_EXPIRED' },
  { status: 409, code: 'QUOTE_ALREADY_USED' }, { status: 409, code: 'TRADE_IN_NOT_APPLICABLE' },
  { status: 409, code: 'OPEN_UNITS_LIMIT' },
  { status: 409, code: 'SLOT_FULL' }, { status: 409, code: 'OUT_OF_SERVICE_AREA' },
  { status: 429, code: 'RATE_LIMITED' },
];

export const ordersModule: Module = {
  name: 'orders',
  register({ api, deps }) {
    defineRoute(api, API_BASE, {
      method: 'post',
      path: '/orders',
      summary: 'Place an order for pickup at a store, or for delivery (送装一体) in a slot of the store; header Idempotency-Key required',
      tags: ['orders'],
      access: 'user',
      body: CreateOrderBody,
      response: PlacedOrder,
      status: 201,
      idempotent: 'required',
      errors: [...PLACEMENT_ERRORS, { status: 422, code: 'IDEMPOTENCY_KEY_REUSED' }],
      handler: async ({ body, user, ctx }) => {
        await consumeRateLimit(deps, 'orderPerUser', user!.id);
        const result = await createOrder(deps, user!, ctx.get('idempotency-key'), body);
        ctx.status = result.status;
        ctx.body = result.body;
        return result.body;
      },
    });
    defineRoute(api, API_BASE, {
      method: 'post', path: '/orders/preview',
      summary: 'The price the order would have (with every delivery fee), or the refusal it would get; nothing is kept (no order, stock, coupon or slot place)',
      tags: ['orders'], access: 'user', body: CreateOrderBody, response: OrderPreview, errors: PLACEMENT_ERRORS,
      handler: async ({ body, user }) => {
        await consumeRateLimit(deps, 'orderPreviewPerUser', user!.id);
        return previewOrder(deps, user!, body);
      },
    });
    defineRoute(api, API_BASE, {
      method: 'post', path: '/orders/:id/reschedule',
      summary: "Move my delivery order's visit to another slot of the store: at most twice, not within 2 h of the window (409 RESCHEDULE_NOT_ALLOWED); the old place is given back once",
      tags: ['orders'], access: 'user', params: IdParams, body: RescheduleBody, response: Order,
      errors: [{ status: 404, code: 'NOT_FOUND' }, { status: 409, code: 'SLOT_FULL' }, { status: 409, code: 'RESCHEDULE_NOT_ALLOWED' }],
      handler: ({ params, body, user }) => rescheduleOrder(deps, user!, params.id, body.slotId),
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
      method: 'post', path: '/orders/:id/cancel', summary: "Cancel my order while it awaits pickup or delivery (units, coupon, quote and the visit's slot place are given back, once)", tags: ['orders'],
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
