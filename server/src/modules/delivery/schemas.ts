import { z, q, ListQuery, listOf } from '../../lib/http';
import { CATEGORY_IDS } from '../catalogue/categories';

const Id = z.string().min(1).max(40);
const DateText = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');

export const TimeWindow = z.enum(['morning', 'afternoon', 'evening']);
export const StoreParams = z.object({ id: Id }).strict();

export const ServiceArea = z
  .object({
    storeId: z.string(),
    /** The villages (12-digit codes) the store delivers to. */
    regionCodes: z.array(z.string()),
    /** null: the store does not deliver. */
    fees: z
      .object({
        freeKm: z.number().int(),
        remoteFenPerKm: z.number().int(),
        maxKm: z.number().int(),
        byCategory: z.array(z.object({ category: z.string(), deliveryFen: z.number().int(), installFen: z.number().int(), haulAwayFen: z.number().int() })),
      })
      .nullable(),
  })
  .openapi('ServiceArea');

// The list convention's limit and cursor too; by default the whole window comes in one page (at most 14 days × 3).
export const SlotsQuery = ListQuery.extend({ from: DateText.optional(), days: q.int(1, 14).optional() }).strict();

export const Slot = z
  .object({
    id: z.string(),
    date: z.string().describe('YYYY-MM-DD in Asia/Shanghai'),
    window: TimeWindow,
    startsAt: z.string(),
    endsAt: z.string(),
    capacity: z.number().int(),
    /** Places left; 0 once the slot no longer takes bookings (it starts within the booking cut-off). */
    remaining: z.number().int(),
  })
  .openapi('DeliverySlot');

export const SlotList = listOf(Slot).openapi('DeliverySlots');

export const SetCapacityBody = z
  .object({ storeId: Id, date: DateText, window: TimeWindow, capacity: z.number().int().min(0).max(200) })
  .strict()
  .openapi('SetSlotCapacityBody');

export const NewAddressBody = z
  .object({
    villageCode: z.string().regex(/^\d{12}$/, "a village's 12-digit code"),
    detail: z.string().trim().min(1).max(200),
    contactName: z.string().trim().min(1).max(40),
    phone: z.string().regex(/^1[3-9]\d{9}$/, 'a mainland mobile number'),
  })
  .strict()
  .openapi('NewAddressBody');

export const Address = z
  .object({ id: z.string(), villageCode: z.string(), path: z.string(), detail: z.string(), contactName: z.string(), phoneMasked: z.string(), createdAt: z.string() })
  .openapi('Address');

export const AddressList = listOf(Address);
export const AddressesQuery = ListQuery;
export const AddressParams = z.object({ id: Id }).strict();

export const Fulfilment = z
  .discriminatedUnion('mode', [
    z.object({ mode: z.literal('pickup') }).strict(),
    z.object({ mode: z.literal('delivery'), addressId: Id, slotId: Id, install: z.boolean().default(false), haulAway: z.boolean().default(false) }).strict(),
  ])
  .openapi('Fulfilment');

export const Appointment = z
  .object({
    id: z.string(),
    slotId: z.string(),
    startsAt: z.string(),
    endsAt: z.string(),
    status: z.enum(['booked', 'assigned', 'en_route', 'arrived', 'completed', 'no_show', 'cancelled']),
    technician: z.object({ id: z.string(), name: z.string() }).nullable(),
    install: z.boolean(),
    haulAway: z.boolean(),
    reschedules: z.number().int(),
  })
  .openapi('Appointment');

export const RescheduleBody = z.object({ slotId: Id }).strict().openapi('RescheduleBody');

export { CATEGORY_IDS };

export const NewTechnicianBody = z
  .object({ storeId: Id, userId: Id, name: z.string().trim().min(1).max(40), phone: z.string().regex(/^1[3-9]\d{9}$/, 'a mainland mobile number') })
  .strict()
  .openapi('NewTechnicianBody');

export const Technician = z
  .object({ id: z.string(), storeId: z.string(), userId: z.string(), name: z.string(), phoneMasked: z.string(), createdAt: z.string() })
  .openapi('Technician');

export const VisitStatus = z.enum(['booked', 'assigned', 'en_route', 'arrived', 'completed', 'no_show', 'cancelled']);

const VisitFields = {
  id: z.string(), orderId: z.string(), storeId: z.string(), status: VisitStatus, startsAt: z.string(), endsAt: z.string(),
  tasks: z.array(z.enum(['deliver', 'install', 'haul_away', 'repair', 'maintain'])),
  technician: z.object({ id: z.string(), name: z.string() }).nullable(),
  address: z.object({ villageCode: z.string(), path: z.string(), detail: z.string() }),
  contactName: z.string(),
  phoneMasked: z.string(),
};

/** A visit as the store's console sees it (the phone masked). */
export const StoreVisit = z.object(VisitFields).openapi('StoreVisit');
/** A visit as its assigned technician sees it: the full phone number, only here. */
export const TechnicianTask = z.object({ ...VisitFields, phone: z.string() }).openapi('TechnicianTask');

export const DayQuery = ListQuery.extend({ date: DateText, status: VisitStatus.optional() }).strict();
export const TasksQuery = ListQuery.extend({ date: DateText }).strict();
export const AssignBody = z.object({ technicianId: Id }).strict().openapi('AssignBody');
export const CompleteBody = z
  .object({
    deliveryCode: z.string().regex(/^\d{6}$/, 'the 6-digit delivery code'),
    serialNumbers: z.array(z.string().trim().min(1).max(60)).max(5).optional(),
    paymentMethod: z.enum(['cash', 'wechat_qr', 'prepaid']),
    tradeInInspection: z.object({ condition: z.enum(['excellent', 'good', 'fair', 'poor']), working: z.boolean() }).strict().optional(),
  })
  .strict()
  .openapi('CompleteTaskBody');
export const VisitParams = z.object({ id: Id }).strict();
export const TechnicianList = listOf(Technician);
export const StoreVisitList = listOf(StoreVisit);
export const TaskList = listOf(TechnicianTask);
