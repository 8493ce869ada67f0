import { runLoad, printResults, printRatio, startBaseline } from './lib';
import { startBenchProduct } from './setup';

/**
 * npm run bench -- slots [requests] [connections]: a rush on a few hot delivery slots. The BFF books
 * through POST /orders with fulfilment delivery (stock, caps, fees, the appointment and one
 * conditional UPDATE on the slot, in one transaction) against, in the same run, the naive way (read
 * the places left, then write the booking and the count read + 1). Each gets its own hot slots of
 * the same capacity and the same number of requests; printed: bookings/s (every answer, 201 or 409
 * SLOT_FULL), p99, and how many bookings each slot holds beyond its capacity (the BFF: 0).
 */
const HOT_SLOTS = 4;
const CAPACITY = 25;
// Several products, so the rush meets on the slots rather than on one SKU's stock row.
const SKUS = ['WM-HAIER-1-A', 'AC-GREE-1-A', 'RF-HAIER-1-A', 'TV-KONKA-1-A', 'DW-BSH-1-A'];

export default async function run(args: string[]): Promise<void> {
  const amount = Number(args[0] ?? 3000);
  const connections = Number(args[1] ?? 50);
  const p = await startBenchProduct({ DB_POOL_SIZE: '20' });
  const { t } = p;
  try {
    await t.deps.db.query('UPDATE skus SET available = 1000000');
    // Villagers with an address each, a few at a time (a loaded shared machine can time a burst of logins out).
    const tokens: string[] = [];
    const addresses: string[] = [];
    for (let i = 0; i < 200; i += 5) {
      for (const [token, address] of await Promise.all(Array.from({ length: 5 }, async (_, k) => {
        const token = await t.login(`bench_slots_${i + k}`);
        const res = await t.http.post('/api/v1/me/addresses').set('Authorization', `Bearer ${token}`).send({ villageCode: '130608100201', detail: '压测 1 号', contactName: '压测', phone: '13900000000' });
        return [token, res.body.id as string] as const;
      }))) {
        tokens.push(token);
        addresses.push(address);
      }
    }
    const [users] = await t.deps.db.query("SELECT id FROM users WHERE openid LIKE 'bench_slots_%'");
    const userIds = (users as { id: string }[]).map((u) => u.id);
    // Hot slots: tomorrow's and the day after's windows, half for the BFF, half for the naive way.
    const date = (d: number) => new Date(Date.now() + 8 * 3_600_000 + d * 86_400_000).toISOString().slice(0, 10);
    const slotsOf = async (d: number): Promise<string[]> => (await t.http.get(`/api/v1/stores/DEMO-001/slots?from=${date(d)}&days=2`)).body.items.map((s: { id: string }) => s.id);
    const bffSlots = (await slotsOf(1)).slice(0, HOT_SLOTS);
    const naiveSlots = (await slotsOf(4)).slice(0, HOT_SLOTS);
    await t.deps.db.query('UPDATE delivery_slots SET capacity = ?, booked = 0 WHERE id IN (?)', [CAPACITY, [...bffSlots, ...naiveSlots]]);
    await t.deps.db.query('CREATE TABLE bench_naive_bookings (id VARCHAR(26) PRIMARY KEY, slot_id VARCHAR(26) NOT NULL, user_id VARCHAR(26) NOT NULL)');

    const pick = (n: number) => Math.floor(Math.random() * n);
    const ours = await runLoad({
      name: 'BFF POST /orders (delivery)', url: p.bff.baseUrl, connections, amount, method: 'POST',
      request: () => {
        const i = pick(tokens.length);
        return {
          path: '/api/v1/orders', method: 'POST',
          headers: { authorization: `Bearer ${tokens[i]}`, 'idempotency-key': `bench-${Date.now()}-${Math.random().toString(36).slice(2)}` },
          body: JSON.stringify({ storeId: 'DEMO-001', items: [{ skuId: SKUS[pick(SKUS.length)], units: 1 }], fulfilment: { mode: 'delivery', addressId: addresses[i], slotId: bffSlots[pick(HOT_SLOTS)], install: true, haulAway: false } }),
        };
      },
    });
    const naive = await startBaseline('naive-slot-booking', { DATABASE_URL: t.config.databaseUrl });
    const theirs = await runLoad({
      name: 'naive: read remaining, then write', url: naive.url, connections, amount, method: 'POST',
      request: () => ({ path: '/book', method: 'POST', body: JSON.stringify({ slotId: naiveSlots[pick(HOT_SLOTS)], userId: userIds[pick(userIds.length)] }) }),
    });
    await naive.close();

    printResults(`slot rush: ${amount} bookings into ${HOT_SLOTS} slots of ${CAPACITY} places, ${connections} connections`, [ours, theirs]);
    printRatio('bookings/s (answers, 201 or 409), BFF vs naive', ours.rps, theirs.rps);
    const overbooked = async (sql: string, slots: string[]) => {
      const [rows] = await t.deps.db.query(sql, [slots]);
      return (rows as { n: number }[]).reduce((sum, r) => sum + Math.max(0, Number(r.n) - CAPACITY), 0);
    };
    const bffHeld = await overbooked("SELECT COUNT(*) AS n FROM delivery_appointments WHERE slot_id IN (?) AND status = 'booked' GROUP BY slot_id", bffSlots);
    const [bffCounts] = await t.deps.db.query('SELECT COALESCE(SUM(booked), 0) AS n FROM delivery_slots WHERE id IN (?)', [bffSlots]);
    const naiveHeld = await overbooked('SELECT COUNT(*) AS n FROM bench_naive_bookings WHERE slot_id IN (?) GROUP BY slot_id', naiveSlots);
    const [naiveCounts] = await t.deps.db.query('SELECT COALESCE(SUM(booked), 0) AS n FROM delivery_slots WHERE id IN (?)', [naiveSlots]);
    console.log(`BFF: ${ours.statuses['201'] ?? 0} booked (of ${HOT_SLOTS * CAPACITY} places), slots count ${Number((bffCounts as { n: number }[])[0].n)}; overbooked: ${bffHeld} (must be 0)`);
    console.log(`naive: ${theirs.statuses['201'] ?? 0} booked (of ${HOT_SLOTS * CAPACITY} places), slots count ${Number((naiveCounts as { n: number }[])[0].n)} (lost updates); overbooked: ${naiveHeld}`);
  } finally {
    await p.stop();
  }
}
