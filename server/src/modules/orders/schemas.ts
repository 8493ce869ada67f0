import { z, ListQuery, listOf } from '../../lib/http';
import { Appointment, Fulfilment } from '../delivery/schemas';

const Id = z.string().min(1).max(40);

export const CreateOrderBody = z
  .object({
    storeId: Id,
    items: z.array(z.object({ skuId: Id, units: z.number().int().min(1).max(99) }).strict()).min(1).max(20),
    couponId: Id.nullable().optional(),
    tradeInQuoteId: Id.nullable().optional(),
    /** on_pickup (default): at the counter or on delivery; online: WeChat Pay before pickup (POST /orders/:id/pay). */
    payment: z.enum(['on_pickup', 'online']).optional(),
    /** pickup (default) at the store, or delivery (送装一体) to one of the buyer's addresses in a slot of the store. */
    fulfilment: Fulfilment.optional(),
  })
  .strict()
  .openapi('CreateOrderBody');

export const PaymentMode = z.enum(['on_pickup', 'online']);

export const OrderStatus = z.enum(['awaiting_pickup', 'awaiting_delivery', 'picked_up', 'delivered', 'cancelled', 'expired', 'refunded']);

export const OrdersQuery = ListQuery.extend({ status: OrderStatus.optional() }).strict();

/** payableFen = max(0, itemsFen − couponFen − tradeInFen) + the delivery order's fees (0 for pickup). */
export const Price = z.object({
  itemsFen: z.number().int(), couponFen: z.number().int(), tradeInFen: z.number().int(), payableFen: z.number().int(),
  deliveryFen: z.number().int(), installFen: z.number().int(), haulAwayFen: z.number().int(), remoteFen: z.number().int(),
}).openapi('Price');

export const Order = z
  .object({
    id: z.string(),
    status: OrderStatus,
    source: z.enum(['direct', 'group_buy']),
    groupBuyId: z.string().nullable(),
    pickupCode: z.string().nullable().describe("the buyer's own orders while awaiting pickup; null elsewhere"),
    fulfilment: z.enum(['pickup', 'delivery']),
    deliveryCode: z.string().nullable().describe("a delivery order's 6-digit code for the technician: the buyer's own open delivery orders only; null elsewhere"),
    appointment: Appointment.nullable().describe("a delivery order's visit; null for pickup"),
    price: Price,
    items: z.array(z.object({ skuId: z.string(), productId: z.string(), productName: z.string(), spec: z.string(), category: z.string(), units: z.number().int(), unitPriceFen: z.number().int() })),
    store: z.object({ id: z.string(), name: z.string(), address: z.string(), phone: z.string() }),
    couponId: z.string().nullable(),
    tradeInQuoteId: z.string().nullable(),
    paymentMethod: z.enum(['cash', 'wechat_qr', 'prepaid']).nullable(),
    createdAt: z.string(),
    expiresAt: z.string(),
    paymentMode: PaymentMode,
    /** When the online payment was accepted; null until then, and for orders paid at pickup. */
    paidAt: z.string().nullable(),
    pickedUpAt: z.string().nullable(),
    closedAt: z.string().nullable(),
  })
  .openapi('Order');

/** An order as the store's counter sees it: the buyer's nickname, the trade-in credit to inspect. */
export const CounterOrder = Order.extend({
  buyer: z.object({ nickname: z.string() }),
  tradeIn: z.object({ quoteId: z.string(), creditFen: z.number().int() }).nullable().optional(),
}).openapi('CounterOrder');

export const ConfirmedOrder = Order.extend({
  tradeIn: z.object({ quotedFen: z.number().int(), finalFen: z.number().int(), differenceFen: z.number().int() }).nullable(),
}).openapi('ConfirmedPickup');

export const PlacedOrder = z
  .object({
    id: z.string(),
    status: z.enum(['awaiting_pickup', 'awaiting_delivery']),
    fulfilment: z.enum(['pickup', 'delivery']),
    /** The pickup code of a pickup order; null for delivery. */
    pickupCode: z.string().nullable(),
    /** A delivery order's 6-digit code, shown to the buyer only; null for pickup. */
    deliveryCode: z.string().nullable(),
    appointment: Appointment.nullable(),
    price: Price,
    paymentMode: PaymentMode,
  })
  .openapi('PlacedOrder');

export const OrderPreview = z.object({ price: Price, paymentMode: PaymentMode, fulfilment: z.enum(['pickup', 'delivery']) }).openapi('OrderPreview');

export { RescheduleBody } from '../delivery/schemas';

export const IdParams = z.object({ id: z.string().min(1).max(40) }).strict();
export const OrderIdParams = z.object({ orderId: z.string().min(1).max(40) }).strict();

export const VerifyBody = z.object({ code: z.string().regex(/^\d{8}$/, 'an 8-digit pickup code') }).strict();

export const ConfirmBody = z
  .object({
    /** The buyer's pickup code: the goods are handed over only with the buyer (or their code) at the counter. */
    code: z.string().regex(/^\d{8}$/, 'an 8-digit pickup code'),
    paymentMethod: z.enum(['cash', 'wechat_qr', 'prepaid']),
    tradeInInspection: z.object({ condition: z.enum(['excellent', 'good', 'fair', 'poor']), working: z.boolean() }).strict().optional()
      .describe('required when the order carries a trade-in (400 VALIDATION_FAILED at body.tradeInInspection otherwise)'),
  })
  .strict()
  .openapi('ConfirmPickupBody');

export const CounterOrders = listOf(CounterOrder);
