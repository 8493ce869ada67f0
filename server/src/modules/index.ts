import type Router from '@koa/router';
import type { Deps } from '../lib/deps';
import { opsModule } from './ops/routes';
import { authModule } from './auth/routes';
import { catalogueModule } from './catalogue/routes';
import { ordersModule } from './orders/routes';
import { couponsModule } from './coupons/routes';
import { leadersModule } from './leaders/routes';
import { groupBuysModule } from './group-buys/routes';
import { regionsModule } from './regions/routes';
import { storesModule } from './stores/routes';
import { tradeInModule } from './trade-in/routes';
import { paymentsModule } from './payments/routes';
import { afterSalesModule } from './after-sales/routes';
import { deliveryModule } from './delivery/routes';

/** A capability: it adds its routes to `api` (under /api/v1) or `root`. */
export type Module = { name: string; register: (r: { root: Router; api: Router; deps: Deps }) => void };

// One line per capability. The OpenAPI document is generated from what these register.
export const modules: Module[] = [opsModule, authModule, catalogueModule, ordersModule, couponsModule, tradeInModule, regionsModule, storesModule, leadersModule, groupBuysModule, afterSalesModule, paymentsModule, deliveryModule];
