import type { Module } from '../index';
import { API_BASE, defineRoute } from '../../lib/http';
import { Address, AddressList, AddressParams, AddressesQuery, NewAddressBody, ServiceArea, SetCapacityBody, Slot, SlotList, SlotsQuery, StoreParams } from './schemas';
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
  },
};
