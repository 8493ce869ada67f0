import { z } from '../../lib/http';

export const IdParams = z.object({ id: z.string().min(1).max(40) }).strict();

export const PayResponse = z
  .object({
    paymentId: z.string(),
    amountFen: z.number().int(),
    /** For Taro.requestPayment: signed with the merchant's key over appId, timeStamp, nonceStr and package. */
    params: z.object({ timeStamp: z.string(), nonceStr: z.string(), package: z.string(), signType: z.literal('RSA'), paySign: z.string() }),
    /** Development and tests only (null in production): where the H5 build's stand-in for WeChat's cashier pays, at the emulator. */
    h5CashierUrl: z.string().nullable(),
  })
  .openapi('PayResponse');

export const PaymentStatus = z.enum(['created', 'paid', 'closed', 'refunding', 'refunded']);

export const Payment = z
  .object({
    id: z.string(),
    orderId: z.string(),
    status: PaymentStatus,
    amountFen: z.number().int(),
    refundedFen: z.number().int(),
    paidAt: z.string().nullable(),
    refunds: z.array(
      z.object({
        id: z.string(),
        amountFen: z.number().int(),
        reason: z.string(),
        status: z.enum(['processing', 'success', 'closed', 'abnormal', 'failed']),
        createdAt: z.string(),
        succeededAt: z.string().nullable(),
      }),
    ),
  })
  .openapi('Payment');
