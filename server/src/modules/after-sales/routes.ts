import type { Module } from '../index';
import { registerApplianceRoutes } from './appliance-routes';
import { registerTicketRoutes } from './ticket-routes';
import { registerGridRoutes } from './grid-routes';
import { registerPhotoRoutes } from './photos/routes';
import { registerReminderRoutes } from './reminder-routes';
import { registerStoreViewRoutes } from './store-routes';

/** After-sales (24小时售后管家): appliances, tickets, refunds, photos, reminders, grid managers. */
export const afterSalesModule: Module = {
  name: 'after-sales',
  register({ api, deps }) {
    registerApplianceRoutes(api, deps);
    registerTicketRoutes(api, deps);
    registerGridRoutes(api, deps);
    registerPhotoRoutes(api, deps);
    registerReminderRoutes(api, deps);
    registerStoreViewRoutes(api, deps);
  },
};
