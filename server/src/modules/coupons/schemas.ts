import { z, ListQuery, listOf } from '../../lib/http';
import { CATEGORY_IDS } from '../catalogue/categories';

export const ClaimBody = z.object({ templateId: z.string().min(1).max(32) }).strict().openapi('ClaimCouponBody');

export const ClaimResponse = z
  .object({ coupon: z.object({ id: z.string(), templateId: z.string(), status: z.literal('unused'), expiresAt: z.string() }) })
  .openapi('ClaimCouponResponse');

export const MyCouponsQuery = ListQuery.extend({ status: z.enum(['unused', 'used', 'expired']).optional() }).strict();

const isoWithOffset = z.iso.datetime({ offset: true });

export const NewCampaignBody = z
  .object({
    name: z.string().min(1).max(100),
    startsAt: isoWithOffset,
    endsAt: isoWithOffset,
    coupons: z
      .array(
        z
          .object({
            title: z.string().min(1).max(100),
            kind: z.enum(['threshold', 'direct']),
            thresholdFen: z.number().int().min(0).max(100_000_000),
            discountFen: z.number().int().min(1).max(10_000_000),
            categories: z.array(z.enum(CATEGORY_IDS)).min(1).max(11),
            total: z.number().int().min(1).max(10_000_000),
            perUserLimit: z.number().int().min(1).max(100),
            validDays: z.number().int().min(1).max(365),
          })
          .strict()
          .refine((c) => c.kind === 'direct' || c.thresholdFen > c.discountFen, { message: 'a threshold coupon needs thresholdFen above discountFen', path: ['thresholdFen'] }),
      )
      .min(1)
      .max(50),
  })
  .strict()
  .refine((b) => new Date(b.endsAt) > new Date(b.startsAt), { message: 'endsAt must be after startsAt', path: ['endsAt'] })
  .openapi('NewCampaignBody');

const CouponKind = z.enum(['threshold', 'direct']);

export const CampaignCoupon = z
  .object({
    templateId: z.string(), title: z.string(), kind: CouponKind, thresholdFen: z.number().int(), discountFen: z.number().int(),
    categories: z.array(z.enum(CATEGORY_IDS)), total: z.number().int(), remaining: z.number().int(), perUserLimit: z.number().int(),
    validDays: z.number().int(), claimedByMe: z.number().int(),
  })
  .openapi('CampaignCoupon');

/** Campaigns running or opening within 7 days, and the server's clock (the client counts down with it). */
export const ActiveCampaigns = listOf(
  z.object({ id: z.string(), name: z.string(), startsAt: z.string(), endsAt: z.string(), coupons: z.array(CampaignCoupon) }).openapi('Campaign'),
).extend({ serverTime: z.string() });

export const MyCoupons = listOf(
  z
    .object({
      id: z.string(), templateId: z.string(), title: z.string(), kind: CouponKind, thresholdFen: z.number().int(), discountFen: z.number().int(),
      categories: z.array(z.enum(CATEGORY_IDS)), status: z.enum(['unused', 'used', 'expired']), claimedAt: z.string(), expiresAt: z.string(),
      usedAt: z.string().nullable(), orderId: z.string().nullable(),
    })
    .openapi('MyCoupon'),
);

export const CreatedCampaign = z
  .object({ id: z.string(), name: z.string(), startsAt: z.string(), endsAt: z.string(), coupons: z.array(CampaignCoupon.omit({ claimedByMe: true })) })
  .openapi('CreatedCampaign');
