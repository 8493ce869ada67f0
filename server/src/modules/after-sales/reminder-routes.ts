import type Router from '@koa/router';
import type { Deps } from '../../lib/deps';
import { API_BASE, defineRoute } from '../../lib/http';
import { CalledBody, IdParams, ListQuery, Reminder, ReminderList, StoreRemindersQuery } from './schemas';
import { listMyReminders, listStoreReminders, markReminderCalled } from './reminders';

export function registerReminderRoutes(api: Router, deps: Deps): void {
  defineRoute(api, API_BASE, {
    method: 'get', path: '/me/reminders', summary: 'My maintenance reminders (保养提醒), newest first', tags: ['after-sales'],
    access: 'user', query: ListQuery, response: ReminderList,
    handler: ({ query, user }) => listMyReminders(deps, user!, query),
  });
  defineRoute(api, API_BASE, {
    method: 'get', path: '/store/reminders',
    summary: "The call list (回访名单): reminders WeChat could not deliver at the caller's stores, to call (default) or called",
    tags: ['after-sales'], access: ['store_owner', 'grid_manager', 'admin'], query: StoreRemindersQuery, response: ReminderList,
    handler: ({ query, user }) => listStoreReminders(deps, user!, query),
  });
  defineRoute(api, API_BASE, {
    method: 'post', path: '/store/reminders/:id/called', summary: 'Mark a reminder on the call list called, with an optional note', tags: ['after-sales'],
    access: ['store_owner'], params: IdParams, body: CalledBody, response: Reminder,
    errors: [{ status: 404, code: 'NOT_FOUND' }, { status: 409, code: 'REMINDER_ALREADY_CALLED' }, { status: 409, code: 'REMINDER_NOT_ON_CALL_LIST' }],
    handler: ({ params, body, user }) => markReminderCalled(deps, user!, params.id, body.note ?? null),
  });
}
