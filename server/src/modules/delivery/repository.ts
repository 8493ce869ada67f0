import type { PoolConnection } from 'mysql2/promise';
import type { Db } from '../../lib/db';

/** The only place that reads and writes the delivery tables (terms, fees, slots, addresses, appointments). */
type Conn = Db | PoolConnection;
type Affected = { affectedRows: number };

export type Terms = { freeKm: number; remoteFenPerKm: number; maxKm: number };
export type CategoryFee = { category: string; deliveryFen: number; installFen: number; haulAwayFen: number };

export async function findStorePosition(db: Conn, storeId: string): Promise<{ lat: number; lng: number } | null> {
  const [rows] = await db.query('SELECT lat, lng FROM stores WHERE id = ?', [storeId]);
  const r = (rows as { lat: string; lng: string }[])[0];
  return r ? { lat: Number(r.lat), lng: Number(r.lng) } : null;
}

export async function findTerms(db: Conn, storeId: string): Promise<Terms | null> {
  const [rows] = await db.query('SELECT free_km AS freeKm, remote_fen_per_km AS remoteFenPerKm, max_km AS maxKm FROM store_delivery_terms WHERE store_id = ?', [storeId]);
  return (rows as Terms[])[0] ?? null;
}

export async function feesOf(db: Conn, storeId: string): Promise<CategoryFee[]> {
  const [rows] = await db.query(
    'SELECT category, delivery_fen AS deliveryFen, install_fen AS installFen, haul_away_fen AS haulAwayFen FROM store_delivery_fees WHERE store_id = ? ORDER BY category',
    [storeId],
  );
  return rows as CategoryFee[];
}

export async function serviceAreaOf(db: Conn, storeId: string): Promise<string[]> {
  const [rows] = await db.query('SELECT region_code AS code FROM store_service_areas WHERE store_id = ? ORDER BY region_code', [storeId]);
  return (rows as { code: string }[]).map((r) => r.code);
}

/** Whether the store serves the village, and where the village's centre is (null when not recorded). */
export async function villageInArea(db: Conn, storeId: string, villageCode: string): Promise<{ served: boolean; centre: { lat: number; lng: number } | null }> {
  const [rows] = await db.query(
    `SELECT (SELECT COUNT(*) FROM store_service_areas WHERE store_id = ? AND region_code = ?) AS served, c.lat, c.lng
       FROM (SELECT 1) one LEFT JOIN village_centres c ON c.region_code = ?`,
    [storeId, villageCode, villageCode],
  );
  const r = (rows as { served: number; lat: string | null; lng: string | null }[])[0];
  return { served: Number(r.served) > 0, centre: r.lat === null ? null : { lat: Number(r.lat), lng: Number(r.lng) } };
}

// Slots.

export type SlotRow = { id: string; storeId: string; slotDate: string; timeWindow: string; startsAt: Date; endsAt: Date; capacity: number; booked: number };
const SLOT_SELECT = `SELECT id, store_id AS storeId, DATE_FORMAT(slot_date, '%Y-%m-%d') AS slotDate, time_window AS timeWindow,
  starts_at AS startsAt, ends_at AS endsAt, capacity, booked FROM delivery_slots`;

export type NewSlot = { id: string; storeId: string; date: string; window: string; startsAt: Date; endsAt: Date; capacity: number };

/** Creates the slots not there yet (a slot that exists keeps its id, capacity and bookings). */
export async function insertMissingSlots(db: Conn, slots: NewSlot[]): Promise<void> {
  if (!slots.length) return;
  await db.query('INSERT IGNORE INTO delivery_slots (id, store_id, slot_date, time_window, starts_at, ends_at, capacity) VALUES ?', [
    slots.map((s) => [s.id, s.storeId, s.date, s.window, s.startsAt, s.endsAt, s.capacity]),
  ]);
}

export async function slotsBetween(db: Conn, storeId: string, from: string, to: string): Promise<SlotRow[]> {
  const [rows] = await db.query(`${SLOT_SELECT} WHERE store_id = ? AND slot_date BETWEEN ? AND ? ORDER BY starts_at`, [storeId, from, to]);
  return rows as SlotRow[];
}

export async function findSlot(db: Conn, id: string): Promise<SlotRow | null> {
  const [rows] = await db.query(`${SLOT_SELECT} WHERE id = ?`, [id]);
  return (rows as SlotRow[])[0] ?? null;
}

export async function findSlotAt(db: Conn, storeId: string, date: string, window: string): Promise<SlotRow | null> {
  const [rows] = await db.query(`${SLOT_SELECT} WHERE store_id = ? AND slot_date = ? AND time_window = ?`, [storeId, date, window]);
  return (rows as SlotRow[])[0] ?? null;
}

/** The owner's new capacity, never below the places already booked; false when it would be. */
export async function setCapacity(db: Conn, id: string, capacity: number): Promise<boolean> {
  const [r] = await db.query('UPDATE delivery_slots SET capacity = ? WHERE id = ? AND booked <= ?', [capacity, id, capacity]);
  return (r as Affected).affectedRows === 1;
}

/**
 * Takes one place in the slot, where the count is kept: one conditional UPDATE, so of any number of
 * concurrent bookings only as many as there are places get through. False when the slot is full,
 * is another store's, or no longer takes bookings.
 */
export async function takePlace(conn: PoolConnection, slotId: string, storeId: string, bookableAfter: Date): Promise<boolean> {
  const [r] = await conn.query('UPDATE delivery_slots SET booked = booked + 1 WHERE id = ? AND store_id = ? AND booked < capacity AND starts_at > ?', [slotId, storeId, bookableAfter]);
  return (r as Affected).affectedRows === 1;
}

/** Gives one place back. Called only after the appointment's own state change in the same transaction succeeded. */
export async function givePlaceBack(conn: PoolConnection, slotId: string): Promise<void> {
  await conn.query('UPDATE delivery_slots SET booked = booked - 1 WHERE id = ?', [slotId]);
}

export async function isStoreOwner(db: Conn, userId: string, storeId: string): Promise<boolean> {
  const [rows] = await db.query('SELECT 1 FROM store_owners WHERE user_id = ? AND store_id = ?', [userId, storeId]);
  return (rows as unknown[]).length > 0;
}

export async function storeExists(db: Conn, storeId: string): Promise<boolean> {
  const [rows] = await db.query('SELECT 1 FROM stores WHERE id = ?', [storeId]);
  return (rows as unknown[]).length > 0;
}

// Addresses.

export type AddressRow = { id: string; userId: string; villageCode: string; detail: string; contactName: string; phoneEnc: Buffer; createdAt: Date };
const ADDRESS_SELECT = 'SELECT id, user_id AS userId, village_code AS villageCode, detail, contact_name AS contactName, phone_enc AS phoneEnc, created_at AS createdAt FROM user_addresses';

export async function insertAddress(db: Conn, a: Omit<AddressRow, 'createdAt'> & { phoneHash: string }): Promise<void> {
  await db.query('INSERT INTO user_addresses (id, user_id, village_code, detail, contact_name, phone_enc, phone_hash) VALUES (?, ?, ?, ?, ?, ?, ?)', [
    a.id, a.userId, a.villageCode, a.detail, a.contactName, a.phoneEnc, a.phoneHash,
  ]);
}

export async function listAddresses(db: Conn, userId: string, after: string | null, limit: number): Promise<AddressRow[]> {
  const [rows] = await db.query(`${ADDRESS_SELECT} WHERE user_id = ?${after ? ' AND id < ?' : ''} ORDER BY id DESC LIMIT ?`, after ? [userId, after, limit] : [userId, limit]);
  return rows as AddressRow[];
}

export async function findAddress(db: Conn, id: string, userId: string): Promise<AddressRow | null> {
  const [rows] = await db.query(`${ADDRESS_SELECT} WHERE id = ? AND user_id = ?`, [id, userId]);
  return (rows as AddressRow[])[0] ?? null;
}

export async function countAddresses(db: Conn, userId: string): Promise<number> {
  const [rows] = await db.query('SELECT COUNT(*) AS n FROM user_addresses WHERE user_id = ?', [userId]);
  return Number((rows as { n: number }[])[0].n);
}

export async function deleteAddress(db: Conn, id: string, userId: string): Promise<boolean> {
  const [r] = await db.query('DELETE FROM user_addresses WHERE id = ? AND user_id = ?', [id, userId]);
  return (r as Affected).affectedRows === 1;
}

// Appointments.

export type AppointmentRow = {
  id: string; orderId: string; userId: string; storeId: string; slotId: string; status: string; install: number; haulAway: number;
  villageCode: string; addressDetail: string; contactName: string; phoneEnc: Buffer; distanceM: number | null; deliveryCode: string;
  technicianId: string | null; reschedules: number; startsAt: Date; endsAt: Date;
};
const APPOINTMENT_SELECT = `SELECT a.id, a.order_id AS orderId, a.user_id AS userId, a.store_id AS storeId, a.slot_id AS slotId, a.status,
  a.install, a.haul_away AS haulAway, a.village_code AS villageCode, a.address_detail AS addressDetail, a.contact_name AS contactName,
  a.phone_enc AS phoneEnc, a.distance_m AS distanceM, a.delivery_code AS deliveryCode, a.technician_id AS technicianId,
  a.reschedules, s.starts_at AS startsAt, s.ends_at AS endsAt
  FROM delivery_appointments a JOIN delivery_slots s ON s.id = a.slot_id`;

/** The states in which a visit still holds its place in a slot. */
export const OPEN_APPOINTMENT = "'booked', 'assigned'";

export type NewAppointment = Omit<AppointmentRow, 'status' | 'technicianId' | 'reschedules' | 'startsAt' | 'endsAt' | 'install' | 'haulAway'> & { install: boolean; haulAway: boolean };

export async function insertAppointment(conn: PoolConnection, a: NewAppointment): Promise<void> {
  await conn.query(
    `INSERT INTO delivery_appointments (id, order_id, user_id, store_id, slot_id, status, install, haul_away, village_code, address_detail, contact_name, phone_enc, distance_m, delivery_code)
     VALUES (?, ?, ?, ?, ?, 'booked', ?, ?, ?, ?, ?, ?, ?, ?)`,
    [a.id, a.orderId, a.userId, a.storeId, a.slotId, a.install, a.haulAway, a.villageCode, a.addressDetail, a.contactName, a.phoneEnc, a.distanceM, a.deliveryCode],
  );
}

export async function appointmentsOfOrders(db: Conn, orderIds: string[]): Promise<AppointmentRow[]> {
  if (!orderIds.length) return [];
  const [rows] = await db.query(`${APPOINTMENT_SELECT} WHERE a.order_id IN (?)`, [orderIds]);
  return rows as AppointmentRow[];
}

/** Moves an open visit to cancelled, once; the slot it held, or null when it was not open. */
export async function cancelAppointment(conn: PoolConnection, orderId: string): Promise<string | null> {
  const [r] = await conn.query(`UPDATE delivery_appointments SET status = 'cancelled', closed_at = NOW(3) WHERE order_id = ? AND status IN (${OPEN_APPOINTMENT})`, [orderId]);
  if ((r as Affected).affectedRows !== 1) return null;
  const [rows] = await conn.query('SELECT slot_id AS slotId FROM delivery_appointments WHERE order_id = ?', [orderId]);
  return (rows as { slotId: string }[])[0].slotId;
}

/**
 * Moves an open visit from one slot to another, once per reschedule: only from the slot it holds
 * now and while it has reschedules left, so of two concurrent moves one wins and the other finds
 * nothing to move (and gives no place back).
 */
export async function moveAppointment(conn: PoolConnection, id: string, fromSlotId: string, toSlotId: string, maxReschedules: number): Promise<boolean> {
  const [r] = await conn.query(
    `UPDATE delivery_appointments SET slot_id = ?, reschedules = reschedules + 1
      WHERE id = ? AND slot_id = ? AND status IN (${OPEN_APPOINTMENT}) AND reschedules < ?`,
    [toSlotId, id, fromSlotId, maxReschedules],
  );
  return (r as Affected).affectedRows === 1;
}

// Technicians and the day's visits.

export type TechnicianRow = { id: string; storeId: string; userId: string; name: string; phoneEnc: Buffer; createdAt: Date };
const TECHNICIAN_SELECT = 'SELECT id, store_id AS storeId, user_id AS userId, name, phone_enc AS phoneEnc, created_at AS createdAt FROM store_technicians';

/** Binds a user to a store as its technician; false when the user is already a technician (of any store). */
export async function insertTechnician(db: Conn, t: Omit<TechnicianRow, 'createdAt'> & { phoneHash: string }): Promise<boolean> {
  const [r] = await db.query('INSERT IGNORE INTO store_technicians (id, store_id, user_id, name, phone_enc, phone_hash) VALUES (?, ?, ?, ?, ?, ?)', [
    t.id, t.storeId, t.userId, t.name, t.phoneEnc, t.phoneHash,
  ]);
  return (r as Affected).affectedRows === 1;
}

export async function techniciansOfOwner(db: Conn, ownerId: string, after: string | null, limit: number): Promise<TechnicianRow[]> {
  const [rows] = await db.query(
    `${TECHNICIAN_SELECT} WHERE store_id IN (SELECT store_id FROM store_owners WHERE user_id = ?)${after ? ' AND id > ?' : ''} ORDER BY id LIMIT ?`,
    after ? [ownerId, after, limit] : [ownerId, limit],
  );
  return rows as TechnicianRow[];
}

export async function findTechnician(db: Conn, where: { id?: string; userId?: string }): Promise<TechnicianRow | null> {
  const [rows] = await db.query(`${TECHNICIAN_SELECT} WHERE ${where.id ? 'id = ?' : 'user_id = ?'}`, [where.id ?? where.userId]);
  return (rows as TechnicianRow[])[0] ?? null;
}

export async function namesOfTechnicians(db: Conn, ids: string[]): Promise<Map<string, string>> {
  if (!ids.length) return new Map();
  const [rows] = await db.query('SELECT id, name FROM store_technicians WHERE id IN (?)', [ids]);
  return new Map((rows as { id: string; name: string }[]).map((r) => [r.id, r.name]));
}

/** The visits of a day (Asia/Shanghai date of the slot) at the owner's stores, or given to a technician. */
export async function visitsOfDay(db: Conn, where: { ownerId?: string; technicianId?: string; date: string; status?: string }): Promise<AppointmentRow[]> {
  const scope = where.ownerId ? 'a.store_id IN (SELECT store_id FROM store_owners WHERE user_id = ?)' : 'a.technician_id = ?';
  const [rows] = await db.query(
    `${APPOINTMENT_SELECT} WHERE ${scope} AND s.slot_date = ?${where.status ? ' AND a.status = ?' : ''} ORDER BY s.starts_at, a.id LIMIT 500`,
    [where.ownerId ?? where.technicianId, where.date, ...(where.status ? [where.status] : [])],
  );
  return rows as AppointmentRow[];
}

export async function findVisit(db: Conn, id: string): Promise<AppointmentRow | null> {
  const [rows] = await db.query(`${APPOINTMENT_SELECT} WHERE a.id = ?`, [id]);
  return (rows as AppointmentRow[])[0] ?? null;
}

/** The owner gives an open visit at their own store to one of its technicians (or another). */
export async function assignVisit(db: Conn, id: string, ownerId: string, technicianId: string): Promise<boolean> {
  const [r] = await db.query(
    `UPDATE delivery_appointments a JOIN store_technicians t ON t.id = ? AND t.store_id = a.store_id
        SET a.technician_id = t.id, a.status = 'assigned'
      WHERE a.id = ? AND a.status IN (${OPEN_APPOINTMENT}) AND a.store_id IN (SELECT store_id FROM store_owners WHERE user_id = ?)`,
    [technicianId, id, ownerId],
  );
  return (r as Affected).affectedRows >= 1;
}

/** A step of the assigned technician's visit, from the states it may follow; false when it does not apply. */
export async function stepVisit(conn: Conn, id: string, technicianId: string, from: string[], to: string, extra: { departed?: boolean; arrived?: boolean; closed?: boolean; serialNumbers?: string } = {}): Promise<boolean> {
  const sets = ['status = ?', extra.departed ? 'departed_at = NOW(3)' : '', extra.arrived ? 'arrived_at = NOW(3)' : '', extra.closed ? 'closed_at = NOW(3)' : '', extra.serialNumbers !== undefined ? 'serial_numbers = ?' : '']
    .filter(Boolean).join(', ');
  const [r] = await conn.query(`UPDATE delivery_appointments SET ${sets} WHERE id = ? AND technician_id = ? AND status IN (?)`, [
    to, ...(extra.serialNumbers !== undefined ? [extra.serialNumbers] : []), id, technicianId, from,
  ]);
  return (r as Affected).affectedRows === 1;
}
