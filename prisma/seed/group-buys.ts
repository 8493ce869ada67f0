import type { SeedStep } from './types';
import { encryptPhone, hashPhone } from '../../server/src/lib/phone';
import { DEMO_USERS } from './accounts';

/** demo_leader leads for DEMO-001 from 南大冉一村 (清苑镇), with one open group to join. */
export const groupBuysStep: SeedStep = {
  name: 'group-buys',
  async run({ db, config, progress }) {
    const leader = DEMO_USERS.find((u) => u.openid === 'demo_leader')!;
    const owner = DEMO_USERS.find((u) => u.openid === 'demo_owner')!;
    await db.query(
      `INSERT IGNORE INTO leaders (user_id, store_id, village_code, real_name, phone_enc, phone_hash, status, approved_by, approved_at)
       VALUES (?, 'DEMO-001', '130608100200', '李团长', ?, ?, 'approved', ?, NOW(3))`,
      [leader.id, encryptPhone(config.crypto, '13800001234'), hashPhone(config.crypto, '13800001234'), owner.id],
    );
    await db.query(
      `INSERT IGNORE INTO group_buys (id, leader_id, store_id, sku_id, tiers, max_units, max_units_per_member, units_joined, members_count, status, deadline, share_code)
       VALUES ('01DEMO0GR0UPBUY0000000000', ?, 'DEMO-001', 'AC-MIDEA-1-A', ?, 50, 3, 0, 0, 'open', NOW(3) + INTERVAL 3 DAY, 'DEMOGB01')`,
      [leader.id, JSON.stringify([{ minUnits: 3, priceFen: 259900 }, { minUnits: 6, priceFen: 249900 }, { minUnits: 10, priceFen: 239900 }])],
    );
    progress('group-buys', 1, 1);
  },
};
