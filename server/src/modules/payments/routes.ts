import type { Module } from '../index';
import { API_BASE, defineRoute } from '../../lib/http';
import { IdParams, Payment, PayResponse } from './schemas';
import { getPayment, payOrder } from './service';
import { handleNotification } from './notify';

export const paymentsModule: Module = {
  name: 'payments',
  register({ api, deps }) {
    defineRoute(api, API_BASE, {
      method: 'post', path: '/orders/:id/pay', summary: 'Pay my online order with WeChat Pay: the signed parameters of Taro.requestPayment (the prepay id is reused while valid)', tags: ['payments'],
      access: 'user', params: IdParams, response: PayResponse,
      errors: [
        { status: 404, code: 'NOT_FOUND' }, { status: 409, code: 'ORDER_NOT_PAYABLE' }, { status: 409, code: 'ALREADY_PAID' },
        { status: 502, code: 'UPSTREAM_UNAVAILABLE' }, { status: 503, code: 'PAYMENT_UNAVAILABLE' },
      ],
      handler: ({ params, user }) => payOrder(deps, user!, params.id),
    });
    defineRoute(api, API_BASE, {
      method: 'get', path: '/payments/:id', summary: 'My payment; asks WeChat Pay while it is still pending', tags: ['payments'],
      access: 'user', params: IdParams, response: Payment, errors: [{ status: 404, code: 'NOT_FOUND' }, { status: 503, code: 'PAYMENT_UNAVAILABLE' }],
      handler: ({ params, user }) => getPayment(deps, user!, { id: params.id }),
    });
    defineRoute(api, API_BASE, {
      method: 'get', path: '/orders/:id/payment', summary: "My order's payment (404 when it has none yet)", tags: ['payments'],
      access: 'user', params: IdParams, response: Payment, errors: [{ status: 404, code: 'NOT_FOUND' }, { status: 503, code: 'PAYMENT_UNAVAILABLE' }],
      handler: ({ params, user }) => getPayment(deps, user!, { orderId: params.id }),
    });
    defineRoute(api, API_BASE, {
      method: 'post', path: '/wechatpay/notify',
      summary: "WeChat Pay's notifications (payments and refunds), its JSON body verified raw: serial, ±5 min timestamp, nonce and signature, then the resource decrypted (AEAD_AES_256_GCM); 204 when handled, a repeat too",
      tags: ['payments'], access: 'public', status: 204,
      // WeChat Pay's servers call it from a few addresses: refused notifications would only be retried.
      anonymousBudget: false,
      errors: [
        { status: 400, code: 'NOTIFICATION_MISMATCH' }, { status: 401, code: 'SIGNATURE_INVALID' }, { status: 503, code: 'PAYMENT_UNAVAILABLE' },
      ],
      handler: async ({ ctx }) => {
        await handleNotification(deps, ctx.headers, (ctx.request as { rawBody?: string }).rawBody ?? '');
        return undefined;
      },
    });
  },
};
