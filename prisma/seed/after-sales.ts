import type { SeedStep } from './types';

/** A demo grid manager (网格经理) for both demo stores, appointed by the demo admin. */
export const DEMO_GRID_MANAGER = { id: '01DEMO0GR1DMANAGER00000000', openid: 'demo_grid', nickname: '孙经理', stores: ['DEMO-001', 'DEMO-002'] };

export const afterSalesStep: SeedStep = {
  name: 'demo grid manager',
  async run({ db, progress }) {
    const g = DEMO_GRID_MANAGER;
    await db.query('INSERT INTO users (id, openid, nickname) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE nickname = VALUES(nickname)', [g.id, g.openid, g.nickname]);
    await db.query("INSERT IGNORE INTO user_roles (user_id, role) VALUES (?, 'grid_manager')", [g.id]);
    for (const s of g.stores) {
      await db.query("INSERT IGNORE INTO grid_manager_stores (user_id, store_id, appointed_by) VALUES (?, ?, '01DEMO0ADMIN00000000000000')", [g.id, s]);
    }
    progress('demo grid manager', 1, 1);
  },
};
