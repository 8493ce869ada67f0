import { randomInt } from 'node:crypto';
import type { PoolConnection } from 'mysql2/promise';
import type { Deps } from '../../lib/deps';
import type { AuthUser } from '../../lib/auth';
import { withTransaction, type Db } from '../../lib/db';
import { AppError, conflict, notFound } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { quoteDelivery, type DeliveryFees, type FeeLine } from './service-area';
import { bookableAfter } from './slots';
import * as repo from './repository';

/**
 * A delivery order's visit, inside the order's own MySQL transaction (the orders module calls
 * these, as it calls the coupon and trade-in adjustments): the address is the buyer's, the village
 * in the store's area and reach, the fees computed, and one place taken in the slot by a
 * conditional UPDATE; the appointment row holds the address, the 6-digit delivery code and the slot.
 * Cancelling, expiring or moving the visit gives its place back only through the appointment's own
 * conditional state change in the same transaction, so never twice.
 */
export type DeliveryRequest = { addressId: string; slotId: string; install: boolean; haulAway: boolean };
export type BookedVisit = { appointmentId: string; slotId: string; startsAt: Date; endsAt: Date; deliveryCode: string; fees: DeliveryFees };

export const slotFull = () => conflict('SLOT_FULL', '该时段已约满或已截止预约，请另选时段');

/** 6 digits from a CSPRNG; the technician's complete accepts it a few times at most (rate-limited). */
export const newDeliveryCode = () => String(randomInt(0, 1_000_000)).padStart(6, '0');

/** Takes a place in the slot, or says why not: 404 (no such slot at this store), 409 SLOT_FULL (full, or too late to book). */
async function takePlaceOrExplain(conn: PoolConnection, deps: Deps, slotId: string, storeId: string): Promise<repo.SlotRow> {
  if (!(await repo.takePlace(conn, slotId, storeId, bookableAfter(deps)))) {
    const slot = await repo.findSlot(conn, slotId);
    if (!slot || slot.storeId !== storeId) throw notFound('预约时段不存在');
    throw slotFull();
  }
  return (await repo.findSlot(conn, slotId))!;
}

/**
 * Whether a slot still takes bookings, from a plain read: used only to turn away a rush on a full
 * slot before it queues for stock and slot row locks. It never admits anything: the conditional
 * UPDATE in `bookVisit` decides every booking. An unknown slot "takes bookings" here, so the
 * placement answers its 404.
 */
export async function slotTakesBookings(deps: Deps, slotId: string): Promise<boolean> {
  const slot = await repo.findSlot(deps.db, slotId);
  return !slot || (slot.booked < slot.capacity && slot.startsAt.getTime() > bookableAfter(deps).getTime());
}

export async function bookVisit(conn: PoolConnection, deps: Deps, input: DeliveryRequest & { userId: string; storeId: string; orderId: string; lines: FeeLine[] }): Promise<BookedVisit> {
  const address = await repo.findAddress(conn, input.addressId, input.userId);
  if (!address) throw notFound('收货地址不存在');
  const { fees, distanceM } = await quoteDelivery(conn, { storeId: input.storeId, villageCode: address.villageCode, lines: input.lines, install: input.install, haulAway: input.haulAway });
  const slot = await takePlaceOrExplain(conn, deps, input.slotId, input.storeId);
  const appointmentId = newId();
  const deliveryCode = newDeliveryCode();
  await repo.insertAppointment(conn, {
    id: appointmentId, orderId: input.orderId, userId: input.userId, storeId: input.storeId, slotId: slot.id, install: input.install, haulAway: input.haulAway,
    villageCode: address.villageCode, addressDetail: address.detail, contactName: address.contactName, phoneEnc: address.phoneEnc, distanceM, deliveryCode,
  });
  return { appointmentId, slotId: slot.id, startsAt: slot.startsAt, endsAt: slot.endsAt, deliveryCode, fees };
}

/** Inside the transaction that cancels or expires the order: the visit is cancelled and its place given back, once. */
export async function releaseVisit(conn: PoolConnection, orderId: string): Promise<void> {
  const slotId = await repo.cancelAppointment(conn, orderId);
  if (slotId) await repo.givePlaceBack(conn, slotId);
}

export type AppointmentView = {
  id: string; slotId: string; startsAt: string; endsAt: string; status: string; technician: { id: string; name: string } | null;
  install: boolean; haulAway: boolean; reschedules: number;
};
export type VisitOfOrder = { appointment: AppointmentView; deliveryCode: string };

const view = (a: repo.AppointmentRow): AppointmentView => ({
  id: a.id, slotId: a.slotId, startsAt: a.startsAt.toISOString(), endsAt: a.endsAt.toISOString(), status: a.status,
  technician: null, install: Boolean(a.install), haulAway: Boolean(a.haulAway), reschedules: a.reschedules,
});

/** The visits of these orders, by order id (what the orders module shows on a delivery order). */
export async function visitsOfOrders(db: Db | PoolConnection, orderIds: string[]): Promise<Map<string, VisitOfOrder>> {
  const rows = await repo.appointmentsOfOrders(db, orderIds);
  return new Map(rows.map((a) => [a.orderId, { appointment: view(a), deliveryCode: a.deliveryCode }]));
}

const notAllowed = (message: string) => new AppError(409, 'RESCHEDULE_NOT_ALLOWED', message);

/**
 * The buyer moves their visit to another slot of the same store: at most `maxReschedules` times,
 * not within `rescheduleCutoffMinutes` of the current window. The appointment moves by a
 * conditional UPDATE from the slot it holds; then the new place is taken and the old one given
 * back, the two slot rows locked in id order (two moves in opposite directions cannot deadlock).
 * `setExpiry` lets the orders module move the order's expiry with the window, in the same transaction.
 */
export async function rescheduleVisit(
  deps: Deps, user: AuthUser, orderId: string, toSlotId: string, setExpiry: (conn: PoolConnection, orderId: string, windowEndsAt: Date) => Promise<void>,
): Promise<void> {
  const { maxReschedules, rescheduleCutoffMinutes } = deps.config.delivery;
  await withTransaction(deps.db, async (conn) => {
    const current = (await repo.appointmentsOfOrders(conn, [orderId]))[0];
    if (!current || current.userId !== user.id) throw notFound('订单不存在');
    if (!['booked', 'assigned'].includes(current.status)) throw notAllowed('该预约已结束或已取消，不能改约');
    if (current.slotId === toSlotId) throw notAllowed('已是这个时段');
    if (current.reschedules >= maxReschedules) throw notAllowed(`每单最多改约 ${maxReschedules} 次`);
    if (current.startsAt.getTime() - Date.now() < rescheduleCutoffMinutes * 60_000) throw notAllowed(`上门前 ${rescheduleCutoffMinutes / 60} 小时内不能改约，请联系门店`);
    const target = await repo.findSlot(conn, toSlotId);
    if (!target || target.storeId !== current.storeId) throw notFound('预约时段不存在');
    // Rows are locked in the order a cancel locks them (the order, the appointment, then slots), so the two cannot deadlock.
    await setExpiry(conn, orderId, target.endsAt);
    if (!(await repo.moveAppointment(conn, current.id, current.slotId, toSlotId, maxReschedules))) throw notAllowed('该预约刚刚被改过或已取消，请刷新后再试');
    if (toSlotId < current.slotId) {
      await takePlaceOrExplain(conn, deps, toSlotId, current.storeId);
      await repo.givePlaceBack(conn, current.slotId);
    } else {
      await repo.givePlaceBack(conn, current.slotId);
      await takePlaceOrExplain(conn, deps, toSlotId, current.storeId);
    }
  });
}
