import { randomBytes } from 'node:crypto';
import type { TestContext } from './context';
import { dispatchOutbox } from '../../server/src/lib/outbox';
import { subscribers } from '../../server/src/modules/subscribers';

/** Shared steps of the after-sales suites: an order bought and handed over, its appliances, a ticket. */
export const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

export async function userIdOf(t: TestContext, openid: string): Promise<string> {
  const [rows] = await t.deps.db.query('SELECT id FROM users WHERE openid = ?', [openid]);
  return (rows as { id: string }[])[0].id;
}

/** A villager orders at DEMO-001 and the owner hands it over; returns the order id. */
export async function boughtAndPickedUp(t: TestContext, villager: string, owner: string, skuId = 'AC-GREE-1-A'): Promise<string> {
  const placed = await t.http.post('/api/v1/orders').set(auth(villager)).set('Idempotency-Key', `as-${randomBytes(6).toString('hex')}`).send({ storeId: 'DEMO-001', items: [{ skuId, units: 1 }] });
  if (placed.status !== 201) throw new Error(`order: ${placed.status} ${JSON.stringify(placed.body)}`);
  const confirmed = await t.http.post(`/api/v1/store/pickups/${placed.body.id}/confirm`).set(auth(owner)).send({ paymentMethod: 'cash' });
  if (confirmed.status !== 200) throw new Error(`confirm: ${confirmed.status} ${JSON.stringify(confirmed.body)}`);
  return placed.body.id as string;
}

/** Runs the outbox dispatcher until nothing is due (what the job does), so subscribers have reacted. */
export async function drainOutbox(t: TestContext): Promise<void> {
  for (let i = 0; i < 20 && (await dispatchOutbox(t.deps, subscribers)) > 0; i++);
}

/** The first appliance the order's handover added (through the outbox, as in production). */
export async function applianceOf(t: TestContext, orderId: string): Promise<string> {
  await drainOutbox(t);
  const [rows] = await t.deps.db.query('SELECT id FROM appliances WHERE order_id = ? ORDER BY sku_id, unit_no LIMIT 1', [orderId]);
  const id = (rows as { id: string }[])[0]?.id;
  if (!id) throw new Error(`no appliance for order ${orderId}`);
  return id;
}

export async function openTicket(t: TestContext, token: string, body: Record<string, unknown>) {
  return t.http.post('/api/v1/tickets').set(auth(token)).send(body);
}

export const count = async (t: TestContext, sql: string, args: unknown[] = []) => Number(((await t.deps.db.query(sql, args))[0] as { n: number }[])[0].n);

/** A villager claims the running 空调立减100 coupon and buys an air conditioner with it at DEMO-001, handed over. */
export async function boughtWithCouponAndPickedUp(t: TestContext, villager: string, owner: string): Promise<{ orderId: string; couponId: string }> {
  const claim = await t.http.post('/api/v1/coupons/claim').set(auth(villager)).send({ templateId: 'NSNOW-AC100' });
  if (claim.status !== 201) throw new Error(`claim: ${claim.status} ${JSON.stringify(claim.body)}`);
  const couponId = claim.body.coupon.id as string;
  const placed = await t.http.post('/api/v1/orders').set(auth(villager)).set('Idempotency-Key', `as-${randomBytes(6).toString('hex')}`)
    .send({ storeId: 'DEMO-001', items: [{ skuId: 'AC-GREE-1-A', units: 1 }], couponId });
  if (placed.status !== 201) throw new Error(`order: ${placed.status} ${JSON.stringify(placed.body)}`);
  const confirmed = await t.http.post(`/api/v1/store/pickups/${placed.body.id}/confirm`).set(auth(owner)).send({ paymentMethod: 'cash' });
  if (confirmed.status !== 200) throw new Error(`confirm: ${confirmed.status} ${JSON.stringify(confirmed.body)}`);
  return { orderId: placed.body.id as string, couponId };
}

export async function availableOf(t: TestContext, skuId: string): Promise<number> {
  return count(t, 'SELECT available n FROM skus WHERE id = ?', [skuId]);
}
