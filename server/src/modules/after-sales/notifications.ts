import type { Deps } from '../../lib/deps';
import type { OutboxEvent } from '../../lib/outbox';
import { contactsOf, usersWithRole } from '../auth/roles';
import { findStoresByIds } from '../stores/repository';
import { gridManagersOfStore } from './grid-repository';
import type { TicketEventPayload } from './events';
import { KIND_NAMES, STATE_NAMES } from './tickets';
import { shanghaiMinute } from './upkeep';

/**
 * Who hears of a ticket's moves, as outbox subscribers (so no message is lost when a process dies;
 * one may be sent twice, never none): the villager when the store answers or the technician
 * finishes; the store's grid managers and every admin when a ticket escalates. WeChat refusing a
 * message (not subscribed) changes nothing.
 */
export async function tellVillager(deps: Deps, event: OutboxEvent): Promise<void> {
  const e = event.payload as TicketEventPayload;
  const [villager] = await contactsOf(deps, [e.userId]);
  if (!villager?.openid) return;
  await deps.wechat.notify({
    touser: villager.openid, template: 'ticketUpdated', page: `pages/ticket/index?id=${e.ticketId}`,
    data: { thing1: { value: `${KIND_NAMES[e.kind as keyof typeof KIND_NAMES]}：${STATE_NAMES[e.toState]}` }, thing2: { value: (e.note ?? '').slice(0, 20) || '点击查看详情' } },
  });
}

export async function tellEscalation(deps: Deps, event: OutboxEvent): Promise<void> {
  const e = event.payload as TicketEventPayload;
  const [store] = await findStoresByIds(deps.db, [e.storeId]);
  const people = [...(await contactsOf(deps, await gridManagersOfStore(deps.db, e.storeId))), ...(await usersWithRole(deps, 'admin'))];
  const openids = new Set(people.filter((p) => p.openid).map((p) => p.openid!));
  for (const openid of openids) {
    await deps.wechat.notify({
      touser: openid, template: 'ticketEscalated', page: `pages/grid/index?ticket=${e.ticketId}`,
      data: { thing1: { value: `${store?.name ?? e.storeId}的${KIND_NAMES[e.kind as keyof typeof KIND_NAMES]}工单超时未受理` }, time2: { value: shanghaiMinute(new Date(e.respondBy)) } },
    });
  }
}
