import { z, ListQuery } from '../../lib/http';
import { CATEGORY_IDS } from '../catalogue/categories';
import { TICKET_KINDS, TICKET_STATES } from './ticket-machine';

const Id = z.string().min(1).max(40);
const Time = z.string();

export const IdParams = z.object({ id: Id }).strict();

// 我的家电

export const AddApplianceBody = z
  .object({
    category: z.enum(CATEGORY_IDS),
    brand: z.string().trim().min(1).max(40),
    ageYears: z.number().int().min(0).max(40),
    model: z.string().trim().min(1).max(100).nullable().optional(),
    /** The store whose call list gets its upkeep reminders (optional for one bought elsewhere). */
    storeId: Id.nullable().optional(),
  })
  .strict()
  .openapi('AddApplianceBody');

export const Appliance = z
  .object({
    id: z.string(),
    category: z.string(),
    categoryName: z.string(),
    brand: z.string(),
    name: z.string(),
    model: z.string().nullable(),
    serialNumber: z.string().nullable(),
    source: z.enum(['order', 'self']),
    orderId: z.string().nullable(),
    storeId: z.string().nullable(),
    installedAt: Time,
    ageYears: z.number().int(),
    warrantyUntil: Time.nullable(),
    inWarranty: z.boolean(),
    nextMaintenanceAt: Time.nullable(),
    typicalLifeYears: z.number().nullable(),
    replacement: z
      .object({
        suggested: z.boolean(),
        tradeInPrefill: z.object({ category: z.string(), brand: z.string(), ageYears: z.number().int() }).nullable(),
      })
      .nullable(),
  })
  .openapi('Appliance');

export const ApplianceList = z.object({ items: z.array(Appliance), nextCursor: z.string().nullable() });

export { ListQuery };

// Tickets

export const TicketKind = z.enum(TICKET_KINDS);
export const TicketState = z.enum(TICKET_STATES);

export const OpenTicketBody = z
  .object({
    kind: TicketKind,
    applianceId: Id.nullable().optional(),
    orderId: Id.nullable().optional(),
    /** Only for an appliance added by hand without a store. */
    storeId: Id.nullable().optional(),
    description: z.string().trim().min(2).max(500),
  })
  .strict()
  .openapi('OpenTicketBody');

export const TicketEvent = z.object({
  seq: z.number().int(),
  actor: z.enum(['villager', 'store', 'technician', 'system']),
  actorName: z.string().nullable(),
  action: z.string(),
  fromState: TicketState.nullable(),
  toState: TicketState,
  note: z.string().nullable(),
  at: Time,
});

export const Ticket = z
  .object({
    id: z.string(),
    kind: TicketKind,
    status: TicketState,
    store: z.object({ id: z.string(), name: z.string(), phone: z.string() }),
    applianceId: z.string().nullable(),
    applianceName: z.string().nullable(),
    orderId: z.string().nullable(),
    description: z.string(),
    respondBy: Time,
    overdue: z.boolean(),
    escalatedAt: Time.nullable(),
    acceptedAt: Time.nullable(),
    resolvedAt: Time.nullable(),
    closedAt: Time.nullable(),
    rejectReason: z.string().nullable(),
    visit: z.object({ id: z.string(), startsAt: Time.nullable(), endsAt: Time.nullable() }).nullable(),
    rating: z.object({ stars: z.number().int(), comment: z.string().nullable(), photoId: z.string().nullable(), wallStatus: z.string().nullable(), ratedAt: Time.nullable() }).nullable(),
    refund: z.object({ amountFen: z.number().int(), method: z.string(), at: Time }).nullable(),
    customer: z.object({ nickname: z.string() }).nullable(),
    createdAt: Time,
    events: z.array(TicketEvent),
  })
  .openapi('Ticket');

export const TicketList = z.object({ items: z.array(Ticket), nextCursor: z.string().nullable() });

export const MyTicketsQuery = ListQuery.extend({ status: TicketState.optional() }).strict();
/** The inbox is ordered by deadline, so its cursor is a position in that order. */
export const StoreTicketsQuery = ListQuery.extend({
  cursor: z.string().regex(/^\d{1,6}$/, 'a cursor from the previous page').optional(),
  status: z.union([TicketState, z.enum(['open', 'all'])]).optional(),
  storeId: Id.optional(),
}).strict();

const Note = z.string().trim().min(1).max(200);
export const NoteBody = z.object({ note: Note.nullable().optional() }).strict();
export const CancelBody = z.object({ reason: Note.nullable().optional() }).strict();
export const RejectBody = z.object({ reason: Note }).strict();
export const RateBody = z
  .object({
    stars: z.number().int().min(1).max(5),
    comment: z.string().trim().max(300).nullable().optional(),
    /** Show the photo on the store's wall (老用户照片墙) once the owner approves. */
    showOnWall: z.boolean().optional(),
    photoId: Id.nullable().optional(),
  })
  .strict()
  .openapi('RateTicketBody');

// Grid managers

export const AppointGridManagerBody = z
  .object({ userId: Id, storeIds: z.array(Id).max(200) })
  .strict()
  .openapi('AppointGridManagerBody');

export const GridManager = z.object({ userId: z.string(), storeIds: z.array(z.string()) });
export const GridManagerList = z.object({ items: z.array(GridManager.extend({ nickname: z.string() })), nextCursor: z.string().nullable() });

export const RefundBody = z
  .object({
    amountFen: z.number().int().min(0).max(100_000_000),
    /** Paid back at the counter: cash or the store's WeChat QR code. */
    method: z.enum(['cash', 'wechat_qr']),
  })
  .strict()
  .openapi('RefundTicketBody');
