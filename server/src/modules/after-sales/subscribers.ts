import { z } from 'zod';
import type { Subscriber } from '../../lib/outbox';
import { addAppliancesFromOrder } from './appliances';
import { tellEscalation, tellVillager } from './notifications';

/**
 * After-sales reacts to goods reaching a household: each unit of a picked-up or delivered order
 * becomes an appliance (idempotent per order, SKU and unit, so a redelivered event adds nothing);
 * and tells people of its tickets' moves (notifications.ts).
 */
const HandedOver = z.object({
  orderId: z.string(),
  userId: z.string(),
  storeId: z.string(),
  items: z.array(z.object({ skuId: z.string(), category: z.string(), brand: z.string(), name: z.string(), spec: z.string().optional(), units: z.number().int().positive() })),
  /** Delivery records each new unit's serial number, per SKU. */
  serialNumbers: z.record(z.string(), z.array(z.string())).optional(),
});

export const afterSalesSubscribers: Subscriber[] = [
  {
    name: 'after-sales.add-appliances',
    events: ['order.picked_up', 'order.delivered'],
    handle: async (deps, event) => {
      const order = HandedOver.parse(event.payload);
      await addAppliancesFromOrder(deps, order, event.createdAt);
    },
  },
  { name: 'after-sales.tell-villager', events: ['ticket.accepted', 'ticket.rejected', 'ticket.scheduled', 'ticket.resolved', 'ticket.refunded'], handle: tellVillager },
  { name: 'after-sales.tell-escalation', events: ['ticket.escalated'], handle: tellEscalation },
];
