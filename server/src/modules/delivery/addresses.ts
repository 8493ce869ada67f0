import type { Deps } from '../../lib/deps';
import type { AuthUser } from '../../lib/auth';
import { conflict, notFound, validationFailed } from '../../lib/errors';
import { DEFAULT_LIMIT, pageOf } from '../../lib/http';
import { newId } from '../../lib/ids';
import { decryptPhone, encryptPhone, hashPhone, maskPhone } from '../../lib/phone';
import { getRegion } from '../regions/service';
import * as repo from './repository';

/**
 * A villager's delivery addresses: a village (by code), the rest in words, who to ask for and
 * their phone, which is kept encrypted and shown masked (the assigned technician alone sees it whole).
 */
const MAX_ADDRESSES = 20;

async function villagePath(deps: Deps, code: string): Promise<string | null> {
  try {
    const region = await getRegion(deps, code);
    return region.level === 'village' ? region.path : null;
  } catch {
    return null;
  }
}

function present(deps: Deps, a: repo.AddressRow, path: string) {
  return {
    id: a.id, villageCode: a.villageCode, path, detail: a.detail, contactName: a.contactName,
    phoneMasked: maskPhone(decryptPhone(deps.config.crypto, a.phoneEnc)), createdAt: a.createdAt.toISOString(),
  };
}

export async function addAddress(deps: Deps, user: AuthUser, input: { villageCode: string; detail: string; contactName: string; phone: string }) {
  const path = await villagePath(deps, input.villageCode);
  if (path === null) throw validationFailed([{ path: 'body.villageCode', message: 'not a village' }], '请选择到村');
  if ((await repo.countAddresses(deps.db, user.id)) >= MAX_ADDRESSES) throw conflict('ADDRESS_LIMIT_REACHED', `最多保存 ${MAX_ADDRESSES} 个地址，请先删除不用的`);
  const id = newId();
  await repo.insertAddress(deps.db, {
    id, userId: user.id, villageCode: input.villageCode, detail: input.detail, contactName: input.contactName,
    phoneEnc: encryptPhone(deps.config.crypto, input.phone), phoneHash: hashPhone(deps.config.crypto, input.phone),
  });
  return present(deps, (await repo.findAddress(deps.db, id, user.id))!, path);
}

export async function listMyAddresses(deps: Deps, user: AuthUser, q: { cursor?: string; limit?: number }) {
  const limit = q.limit ?? DEFAULT_LIMIT;
  const page = pageOf(await repo.listAddresses(deps.db, user.id, q.cursor ?? null, limit + 1), limit, (a) => a.id);
  const paths = new Map(await Promise.all([...new Set(page.items.map((a) => a.villageCode))].map(async (c) => [c, (await villagePath(deps, c)) ?? ''] as const)));
  return { items: page.items.map((a) => present(deps, a, paths.get(a.villageCode) ?? '')), nextCursor: page.nextCursor };
}

export async function removeAddress(deps: Deps, user: AuthUser, id: string): Promise<void> {
  if (!(await repo.deleteAddress(deps.db, id, user.id))) throw notFound('地址不存在');
}
