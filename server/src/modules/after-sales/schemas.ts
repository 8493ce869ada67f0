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
    /** Photos uploaded first (POST /photos), at most 6. */
    photoIds: z.array(Id).max(6).optional(),
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
    rating: z
      .object({ stars: z.number().int(), comment: z.string().nullable(), photoId: z.string().nullable(), photoUrl: z.string().nullable(), wallStatus: z.string().nullable(), ratedAt: Time.nullable() })
      .nullable(),
    photos: z.array(z.object({ id: z.string(), url: z.string(), width: z.number().int(), height: z.number().int() })),
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
  /** Ratings whose photo was offered for the wall (pending), or already decided. */
  wall: z.enum(['pending', 'approved', 'declined']).optional(),
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
    /** cash or the store's WeChat QR code at the counter; online: back through WeChat Pay (orders paid online, and only those). */
    method: z.enum(['cash', 'wechat_qr', 'online']),
  })
  .strict()
  .openapi('RefundTicketBody');

// Maintenance reminders

export const Reminder = z
  .object({
    id: z.string(),
    appliance: z.object({ id: z.string(), name: z.string(), category: z.string(), categoryName: z.string() }),
    storeId: z.string().nullable(),
    cycle: z.string(),
    dueAt: Time,
    channel: z.enum(['pending', 'sent', 'call_list', 'unreachable']),
    notifiedAt: Time.nullable(),
    calledAt: Time.nullable(),
    callNote: z.string().nullable(),
    customer: z.object({ nickname: z.string() }).nullable(),
  })
  .openapi('Reminder');
export const ReminderList = z.object({ items: z.array(Reminder), nextCursor: z.string().nullable() });
export const StoreRemindersQuery = ListQuery.extend({ status: z.enum(['to_call', 'called']).optional() }).strict();
export const CalledBody = z.object({ note: z.string().trim().min(1).max(200).nullable().optional() }).strict();

// The grid manager's view, the owner's today, the photo wall

export const GridStoresQuery = ListQuery;
export const WeeklyQuery = z.object({ weeks: z.coerce.number().int().min(1).max(26).optional() }).strict();

const WeekFigures = z.object({
  week: z.string(), ticketsOpened: z.number().int(), answeredInTime: z.number().int(), answeredRate: z.number().nullable(),
  ratings: z.number().int(), averageRating: z.number().nullable(), remindersDone: z.number().int(),
});
export const GridStore = z.object({ id: z.string(), name: z.string(), open: z.number().int(), escalated: z.number().int(), overdue: z.number().int(), thisWeek: WeekFigures });
export const GridStoreList = z.object({ items: z.array(GridStore), nextCursor: z.string().nullable() });
export const StoreWeekly = z
  .object({
    store: z.object({ id: z.string(), name: z.string() }), open: z.number().int(), escalated: z.number().int(), overdue: z.number().int(),
    asOf: z.string(), weeks: z.array(WeekFigures),
  })
  .openapi('StoreWeekly');

export const WallDecisionBody = z.object({ approve: z.boolean() }).strict();
export const WallQuery = ListQuery.extend({ cursor: z.string().regex(/^\d{1,15}\.[0-9A-Z]{26}$/, 'a cursor from the previous page').optional() }).strict();
export const WallList = z.object({
  items: z.array(z.object({
    ticketId: z.string(), photo: z.object({ url: z.string(), width: z.number().int(), height: z.number().int() }), stars: z.number().int(),
    comment: z.string().nullable(), nickname: z.string(), applianceName: z.string().nullable(), ratedAt: Time,
  })),
  nextCursor: z.string().nullable(),
});

export const Today = z
  .object({
    date: z.string(),
    pickups: z.object({ count: z.number().int(), items: z.array(z.object({ orderId: z.string(), buyerNickname: z.string(), payableFen: z.number().int(), createdAt: Time, expiresAt: Time })) }),
    visits: z.object({ count: z.number().int(), items: z.array(z.object({ ticketId: z.string(), kind: z.string(), applianceName: z.string().nullable(), customerNickname: z.string(), startsAt: Time.nullable(), endsAt: Time.nullable() })) }),
    tickets: z.object({
      open: z.number().int(), overdue: z.number().int(),
      items: z.array(z.object({ id: z.string(), kind: z.string(), status: z.string(), applianceName: z.string().nullable(), respondBy: Time, overdue: z.boolean(), customerNickname: z.string() })),
    }),
    reminders: z.object({ toCall: z.number().int(), items: z.array(Reminder) }),
  })
  .openapi('StoreToday');
