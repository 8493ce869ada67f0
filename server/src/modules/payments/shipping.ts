import type { Deps } from '../../lib/deps';
import { shanghaiRfc3339 } from '../../lib/wechatpay/client';
import { paymentMetrics } from './metrics';
import * as repo from './repository';
import { retryDelaySeconds } from './refunds';

/**
 * Shipping info for the mini-program platform, which freezes a payment's funds until the goods are
 * said to have left: self pickup (用户自提, 4) when the owner hands them over, local delivery
 * (同城配送, 2) when a technician completes the visit. A shipment row is made once per payment and
 * uploaded until WeChat accepts it, with a growing wait between tries (WeChat answers 10060001 for
 * a payment it has not indexed yet).
 */
export const LOGISTICS = { localDelivery: 2, selfPickup: 4 } as const;

export function itemDescription(items: { name: string; units: number }[]): string {
  const text = items.map((i) => `${i.name}*${i.units}`).join('；');
  return (text || '家电').slice(0, 120);
}

export async function addShipment(deps: Deps, s: { paymentId: string; orderId: string; logisticsType: number; itemDesc: string }): Promise<void> {
  await repo.insertShipment(deps.db, s);
  await uploadDueShipments(deps, s.paymentId);
}

async function uploadShipment(deps: Deps, row: repo.ShipmentRow): Promise<void> {
  if (!(await repo.claimShipment(deps.db, row.paymentId, row.attempts, retryDelaySeconds(deps, row.attempts)))) return;
  const payment = await repo.findPayment(deps.db, { id: row.paymentId });
  if (!payment) return;
  const metrics = paymentMetrics(deps).shipments;
  try {
    const r = await deps.wechat.uploadShippingInfo({
      order_key: { order_number_type: 1, mchid: deps.config.wechatPay.mchId, out_trade_no: payment.id },
      logistics_type: row.logisticsType,
      delivery_mode: 1,
      shipping_list: [{ item_desc: row.itemDesc }],
      upload_time: shanghaiRfc3339(new Date()),
      payer: { openid: payment.payerOpenid },
    });
    if (r.errcode === 0) {
      await repo.endShipment(deps.db, row.paymentId, { uploaded: true });
      metrics.inc({ outcome: 'uploaded' });
    } else {
      await repo.endShipment(deps.db, row.paymentId, { uploaded: false, error: `${r.errcode} ${r.errmsg}` });
      metrics.inc({ outcome: 'refused' });
    }
  } catch (err) {
    await repo.endShipment(deps.db, row.paymentId, { uploaded: false, error: (err as Error).message });
    metrics.inc({ outcome: 'failed' });
  }
}

/** The job (and a new shipment at once): every shipment due, tried once more. */
export async function uploadDueShipments(deps: Deps, paymentId?: string): Promise<void> {
  for (const row of await repo.dueShipments(deps.db, 100, paymentId)) await uploadShipment(deps, row);
}
