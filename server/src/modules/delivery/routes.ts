import type { Module } from '../index';
import { API_BASE, defineRoute } from '../../lib/http';
import {
  Address, AddressList, AddressParams, AddressesQuery, AssignBody, CompleteBody, DayQuery, NewAddressBody, NewTechnicianBody, ServiceArea, SetCapacityBody, Slot, SlotList,
  SlotsQuery, StoreParams, StoreVisit, StoreVisitList, TaskList, TasksQuery, Technician, TechnicianList, TechnicianTask, VisitParams,
} from './schemas';
import { assignTechnician, bindTechnician, completeTask, listMyTasks, listStoreVisits, listTechnicians, stepTask } from './visits';
import { getServiceArea } from './service-area';
import { listSlots, setSlotCapacity } from './slots';
import { addAddress, listMyAddresses, removeAddress } from './addresses';

export const deliveryModule: Module = {
  name: 'delivery',
  register({ api, deps }) {
    defineRoute(api, API_BASE, {
      method: 'get', path: '/stores/:id/service-area', summary: "The villages a store delivers to and its fees (fees null: it does not deliver)", tags: ['delivery'],
      access: 'public', params: StoreParams, response: ServiceArea, errors: [{ status: 404, code: 'NOT_FOUND' }],
      handler: ({ params }) => getServiceArea(deps, params.id),
    });
    defineRoute(api, API_BASE, {
      method: 'get', path: '/stores/:id/slots',
      summary: 'Delivery and installation windows (morning 09–12, afternoon 13–17, evening 18–20, Asia/Shanghai) from `from` (default today) for `days` (default 7, at most 14, within the next 14 days), with places left',
      tags: ['delivery'], access: 'public', params: StoreParams, query: SlotsQuery, response: SlotList, errors: [{ status: 404, code: 'NOT_FOUND' }],
      handler: ({ params, query }) => listSlots(deps, params.id, query),
    });
    defineRoute(api, API_BASE, {
      method: 'post', path: '/store/slots/capacity',
      summary: "The owner sets how many visits a window of their store takes (never below what is booked: 409 SLOT_CAPACITY_BELOW_BOOKED); another store's is 404",
      tags: ['store'], access: ['store_owner'], body: SetCapacityBody, response: Slot,
      errors: [{ status: 404, code: 'NOT_FOUND' }, { status: 409, code: 'SLOT_CAPACITY_BELOW_BOOKED' }],
      handler: ({ body, user }) => setSlotCapacity(deps, user!, body),
    });
    defineRoute(api, API_BASE, {
      method: 'post', path: '/me/addresses', summary: 'Add a delivery address (the phone is stored encrypted and shown masked)', tags: ['delivery'],
      access: 'user', body: NewAddressBody, response: Address, status: 201, errors: [{ status: 409, code: 'ADDRESS_LIMIT_REACHED' }],
      handler: ({ body, user }) => addAddress(deps, user!, body),
    });
    defineRoute(api, API_BASE, {
      method: 'get', path: '/me/addresses', summary: 'My delivery addresses, newest first', tags: ['delivery'], access: 'user', query: AddressesQuery, response: AddressList,
      handler: ({ query, user }) => listMyAddresses(deps, user!, query),
    });
    defineRoute(api, API_BASE, {
      method: 'delete', path: '/me/addresses/:id', summary: 'Delete one of my addresses (visits already booked keep their copy)', tags: ['delivery'],
      access: 'user', params: AddressParams, status: 204, errors: [{ status: 404, code: 'NOT_FOUND' }],
      handler: async ({ params, user }) => {
        await removeAddress(deps, user!, params.id);
      },
    });

    // The store's side: technicians and the day's visits.
    defineRoute(api, API_BASE, {
      method: 'post', path: '/store/technicians', summary: "Bind a signed-in user to one of the owner's stores as its technician (one store each: 409 TECHNICIAN_ALREADY_BOUND)", tags: ['store'],
      access: ['store_owner'], body: NewTechnicianBody, response: Technician, status: 201,
      errors: [{ status: 404, code: 'NOT_FOUND' }, { status: 409, code: 'TECHNICIAN_ALREADY_BOUND' }],
      handler: ({ body, user }) => bindTechnician(deps, user!, body),
    });
    defineRoute(api, API_BASE, {
      method: 'get', path: '/store/technicians', summary: "The technicians of the owner's stores", tags: ['store'], access: ['store_owner'], query: AddressesQuery, response: TechnicianList,
      handler: ({ query, user }) => listTechnicians(deps, user!, query),
    });
    defineRoute(api, API_BASE, {
      method: 'get', path: '/store/appointments', summary: "The day's visits (date in Asia/Shanghai) at the owner's stores, in window order", tags: ['store'],
      access: ['store_owner'], query: DayQuery, response: StoreVisitList,
      handler: ({ query, user }) => listStoreVisits(deps, user!, query),
    });
    defineRoute(api, API_BASE, {
      method: 'post', path: '/store/appointments/:id/assign', summary: 'Give an open visit at the owner\'s store to one of its technicians (409 VISIT_STATE_CONFLICT once it is under way or closed)', tags: ['store'],
      access: ['store_owner'], params: VisitParams, body: AssignBody, response: StoreVisit,
      errors: [{ status: 404, code: 'NOT_FOUND' }, { status: 409, code: 'VISIT_STATE_CONFLICT' }],
      handler: ({ params, body, user }) => assignTechnician(deps, user!, params.id, body.technicianId),
    });
    defineRoute(api, API_BASE, {
      method: 'get', path: '/technician/tasks', summary: 'The visits assigned to me on a day, with the address and the full phone number (only here)', tags: ['technician'],
      access: ['technician'], query: TasksQuery, response: TaskList, errors: [{ status: 404, code: 'NOT_FOUND' }],
      handler: ({ query, user }) => listMyTasks(deps, user!, query),
    });
    for (const step of ['depart', 'arrive', 'no-show'] as const) {
      defineRoute(api, API_BASE, {
        method: 'post', path: `/technician/tasks/:id/${step}`, summary: `My visit: ${step} (409 VISIT_STATE_CONFLICT from a state it does not follow)`, tags: ['technician'],
        access: ['technician'], params: VisitParams, response: TechnicianTask,
        errors: [{ status: 404, code: 'NOT_FOUND' }, { status: 409, code: 'VISIT_STATE_CONFLICT' }, { status: 409, code: 'ALREADY_COMPLETED' }],
        handler: ({ params, user }) => stepTask(deps, user!, params.id, step),
      });
    }
    defineRoute(api, API_BASE, {
      method: 'post', path: '/technician/tasks/:id/complete',
      summary: "Complete my visit with the buyer's 6-digit delivery code: the order becomes delivered, exactly once (409 ALREADY_COMPLETED); wrong codes are 409 DELIVERY_CODE_MISMATCH and limited per technician and per store",
      tags: ['technician'], access: ['technician'], params: VisitParams, body: CompleteBody, response: TechnicianTask,
      errors: [
        { status: 404, code: 'NOT_FOUND' }, { status: 409, code: 'ALREADY_COMPLETED' }, { status: 409, code: 'DELIVERY_CODE_MISMATCH' }, { status: 409, code: 'VISIT_STATE_CONFLICT' },
        { status: 409, code: 'ORDER_NOT_CANCELLABLE' }, { status: 409, code: 'ORDER_PREPAID' }, { status: 409, code: 'ORDER_NOT_PAID' }, { status: 429, code: 'RATE_LIMITED' },
      ],
      handler: ({ params, body, user }) => completeTask(deps, user!, params.id, body),
    });
  },
};
