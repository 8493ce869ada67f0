import type { SeedStep } from './types';

/** The demo accounts API.md names, by openid, and the two demo stores of 河北省保定市清苑区. */
export const DEMO_USERS = [
  { id: '01DEMO0VILLAGER00000000000', openid: 'demo_villager', nickname: '王大妈', roles: [] as string[], stores: [] as string[] },
  { id: '01DEMO0LEADER0000000000000', openid: 'demo_leader', nickname: '李团长', roles: ['leader'], stores: [] },
  { id: '01DEMO0OWNER00000000000000', openid: 'demo_owner', nickname: '张店长', roles: ['store_owner'], stores: ['DEMO-001'] },
  { id: '01DEMO0OWNER20000000000000', openid: 'demo_owner2', nickname: '赵店长', roles: ['store_owner'], stores: ['DEMO-002'] },
  { id: '01DEMO0ADMIN00000000000000', openid: 'demo_admin', nickname: '运营小刘', roles: ['admin'], stores: [] },
];

export const DEMO_STORES = [
  {
    id: 'DEMO-001', name: '星火家电 清苑镇店', type: 'appliance', regionCode: '130608100',
    address: '河北省保定市清苑区清苑镇 清苑大街 88 号', lat: 38.8738, lng: 115.4646, phone: '0312-8012001',
    openHours: '08:00-20:00', services: 'delivery,installation,trade_in,after_sales_24h,haul_away',
  },
  {
    id: 'DEMO-002', name: '星火智慧厨房 臧村镇店', type: 'smart_kitchen', regionCode: '130608107',
    address: '河北省保定市清苑区臧村镇 臧村大街 12 号', lat: 38.9008, lng: 115.4646, phone: '0312-8012002',
    openHours: '08:30-19:30', services: 'delivery,installation,trade_in',
  },
];

export const accountsStep: SeedStep = {
  name: 'demo accounts and stores',
  async run({ db, progress }) {
    const total = DEMO_STORES.length + DEMO_USERS.length;
    let done = 0;
    for (const s of DEMO_STORES) {
      await db.query(
        `INSERT INTO stores (id, name, type, region_code, address, lat, lng, phone, open_hours, services)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON DUPLICATE KEY UPDATE name = VALUES(name), type = VALUES(type), region_code = VALUES(region_code), address = VALUES(address),
           lat = VALUES(lat), lng = VALUES(lng), phone = VALUES(phone), open_hours = VALUES(open_hours), services = VALUES(services)`,
        [s.id, s.name, s.type, s.regionCode, s.address, s.lat, s.lng, s.phone, s.openHours, s.services],
      );
      progress('demo accounts and stores', ++done, total);
    }
    for (const u of DEMO_USERS) {
      await db.query('INSERT INTO users (id, openid, nickname) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE nickname = VALUES(nickname)', [u.id, u.openid, u.nickname]);
      for (const r of u.roles) await db.query('INSERT IGNORE INTO user_roles (user_id, role) VALUES (?, ?)', [u.id, r]);
      for (const s of u.stores) await db.query('INSERT IGNORE INTO store_owners (user_id, store_id) VALUES (?, ?)', [u.id, s]);
      progress('demo accounts and stores', ++done, total);
    }
  },
};
