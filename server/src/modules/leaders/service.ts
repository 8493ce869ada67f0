import type { Deps } from '../../lib/deps';
import { forgetUser, type AuthUser } from '../../lib/auth';
import { withTransaction } from '../../lib/db';
import { conflict, notFound, validationFailed } from '../../lib/errors';
import { decryptPhone, encryptPhone, hashPhone, maskPhone } from '../../lib/phone';
import { DEFAULT_LIMIT, pageInMemory, pageOf } from '../../lib/http';

/**
 * Leaders (团长): a villager applies to lead for a store and a real village; only that store's
 * owner approves (ownership is part of the UPDATE), and approval grants the leader role.
 */
export async function applyToLead(deps: Deps, user: AuthUser, body: { storeId: string; villageCode: string; realName: string; phone: string }) {
  const [store] = await deps.db.query('SELECT id FROM stores WHERE id = ?', [body.storeId]);
  if (!(store as unknown[]).length) throw notFound('门店不存在');
  const [village] = await deps.db.query("SELECT code FROM regions WHERE code = ? AND level = 5", [body.villageCode]);
  if (!(village as unknown[]).length) throw validationFailed([{ path: 'body.villageCode', message: 'not a village code' }]);
  await deps.db.query(
    `INSERT INTO leaders (user_id, store_id, village_code, real_name, phone_enc, phone_hash, status) VALUES (?, ?, ?, ?, ?, ?, 'pending')
     ON DUPLICATE KEY UPDATE village_code = IF(status = 'pending', VALUES(village_code), village_code), real_name = IF(status = 'pending', VALUES(real_name), real_name)`,
    [user.id, body.storeId, body.villageCode, body.realName, encryptPhone(deps.config.crypto, body.phone), hashPhone(deps.config.crypto, body.phone)],
  );
  const [rows] = await deps.db.query('SELECT status FROM leaders WHERE user_id = ? AND store_id = ?', [user.id, body.storeId]);
  return { storeId: body.storeId, villageCode: body.villageCode, status: (rows as { status: string }[])[0].status };
}

/** The cursor of the owner's leader list: the last row's application time, user and store. */
const LEADER_CURSOR = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)\|([0-9A-Z]{1,26})\|(.{1,32})$/;

/** Leaders of the owner's stores in the order they applied, paged. */
export async function listStoreLeaders(deps: Deps, owner: AuthUser, q: { status?: string; cursor?: string; limit?: number }) {
  const limit = q.limit ?? DEFAULT_LIMIT;
  const after = q.cursor === undefined ? null : LEADER_CURSOR.exec(q.cursor);
  if (q.cursor !== undefined && !after) throw validationFailed([{ path: 'query.cursor', message: 'not a cursor of this list' }]);
  const [rows] = await deps.db.query(
    `SELECT l.user_id AS userId, l.store_id AS storeId, l.village_code AS villageCode, l.real_name AS realName, l.phone_enc AS phoneEnc, l.status,
            u.nickname, r.name AS villageName, l.created_at AS createdAt
     FROM leaders l JOIN users u ON u.id = l.user_id LEFT JOIN regions r ON r.code = l.village_code
     WHERE l.store_id IN (SELECT store_id FROM store_owners WHERE user_id = ?) ${q.status ? 'AND l.status = ?' : ''}
       ${after ? 'AND (l.created_at, l.user_id, l.store_id) > (?, ?, ?)' : ''}
     ORDER BY l.created_at, l.user_id, l.store_id LIMIT ?`,
    [owner.id, ...(q.status ? [q.status] : []), ...(after ? [new Date(after[1]), after[2], after[3]] : []), limit + 1],
  );
  type Row = { userId: string; storeId: string; villageCode: string; realName: string; phoneEnc: Buffer; status: string; nickname: string; villageName: string | null; createdAt: Date };
  const page = pageOf(rows as Row[], limit, (l) => `${l.createdAt.toISOString()}|${l.userId}|${l.storeId}`);
  return {
    items: page.items.map((l) => ({
      userId: l.userId, storeId: l.storeId, villageCode: l.villageCode, villageName: l.villageName, realName: l.realName, nickname: l.nickname,
      phone: maskPhone(decryptPhone(deps.config.crypto, l.phoneEnc)), status: l.status, createdAt: l.createdAt.toISOString(),
    })),
    nextCursor: page.nextCursor,
  };
}

export async function approveLeader(deps: Deps, owner: AuthUser, userId: string) {
  const approved = await withTransaction(deps.db, async (conn) => {
    const [r] = await conn.query(
      `UPDATE leaders SET status = 'approved', approved_by = ?, approved_at = NOW(3)
       WHERE user_id = ? AND status = 'pending' AND store_id IN (SELECT store_id FROM store_owners WHERE user_id = ?)`,
      [owner.id, userId, owner.id],
    );
    if ((r as { affectedRows: number }).affectedRows === 0) {
      const [rows] = await conn.query("SELECT status FROM leaders WHERE user_id = ? AND store_id IN (SELECT store_id FROM store_owners WHERE user_id = ?)", [userId, owner.id]);
      if (!(rows as unknown[]).length) throw notFound('没有这位团长的申请');
      throw conflict('ALREADY_APPROVED', '已经批准过了');
    }
    await conn.query("INSERT IGNORE INTO user_roles (user_id, role) VALUES (?, 'leader')", [userId]);
    return { userId, status: 'approved' };
  });
  // The new role counts from the leader's next request.
  await forgetUser(deps.redis, userId);
  return approved;
}

/** The stores a leader may open groups at. */
export async function approvedStores(deps: Deps, userId: string): Promise<string[]> {
  const [rows] = await deps.db.query("SELECT store_id AS s FROM leaders WHERE user_id = ? AND status = 'approved'", [userId]);
  return (rows as { s: string }[]).map((r) => r.s);
}

/** The stores a user leads or applied to lead for: a handful at most, paged from the whole list. */
export async function myLeaderships(deps: Deps, user: AuthUser, page: { cursor?: string; limit?: number }) {
  const [rows] = await deps.db.query(
    'SELECT l.store_id AS storeId, s.name AS storeName, l.village_code AS villageCode, l.status FROM leaders l JOIN stores s ON s.id = l.store_id WHERE l.user_id = ? ORDER BY l.created_at, l.store_id',
    [user.id],
  );
  return pageInMemory(rows as { storeId: string; storeName: string; villageCode: string; status: string }[], page);
}

/** An account being deleted: its applications to lead (real name, phone, village) are removed, for every store. */
export async function forgetLeaderApplications(deps: Deps, userId: string): Promise<void> {
  await deps.db.query('DELETE FROM leaders WHERE user_id = ?', [userId]);
}
