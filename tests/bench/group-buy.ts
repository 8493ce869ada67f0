import { runLoad, printResults, printRatio, startBaseline } from './lib';
import { startBenchProduct } from './setup';
import { withTransaction } from '../../server/src/lib/db';
import { newId } from '../../server/src/lib/ids';
import { placeOrderInTx } from '../../server/src/modules/orders/service';
import { settleGroupBuy } from '../../server/src/modules/group-buys/service';

/**
 * npm run bench -- group-buy [seconds] [connections]: joins a second on one hot group through the
 * BFF (conditional UPDATE) against the naive way (a Prisma transaction re-reading the group), and
 * the time to settle a group of 5,000 members in one transaction with batched inserts against
 * settling it one order at a time through the same order path.
 */
const MEMBERS = 5000;

async function hotGroup(db: import('../../server/src/lib/db').Db, id: string, leaderId: string, deadlineSeconds: number) {
  await db.query(
    `INSERT INTO group_buys (id, leader_id, store_id, sku_id, tiers, max_units, max_units_per_member, units_joined, members_count, status, deadline, share_code)
     VALUES (?, ?, 'DEMO-001', 'AC-MIDEA-1-A', ?, 10000000, 1000, 0, 0, 'open', NOW(3) + INTERVAL ? SECOND, ?)`,
    [id, leaderId, JSON.stringify([{ minUnits: 2, priceFen: 250000 }]), deadlineSeconds, id.slice(-8)],
  );
}

export default async function run(args: string[]): Promise<void> {
  const seconds = Number(args[0] ?? 10);
  const connections = Number(args[1] ?? 32);
  const p = await startBenchProduct();
  const { t } = p;
  try {
    const [l] = await t.deps.db.query("SELECT id FROM users WHERE openid = 'demo_leader'");
    const leaderId = (l as { id: string }[])[0].id;
    const ours = newId();
    const naive = newId();
    await hotGroup(t.deps.db, ours, leaderId, 3600);
    await hotGroup(t.deps.db, naive, leaderId, 3600);
    const tokens = await p.tokens(300, 'bench_neighbour');
    const [users] = await t.deps.db.query("SELECT id FROM users WHERE openid LIKE 'bench_neighbour_%'");
    const userIds = (users as { id: string }[]).map((u) => u.id);
    const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)];
    const units = () => 1 + Math.floor(Math.random() * 1000);

    const bff = await runLoad({
      name: 'BFF join (conditional UPDATE)', url: p.bff.baseUrl, connections, durationSeconds: seconds, method: 'POST',
      request: () => ({ path: `/api/v1/group-buys/${ours}/join`, method: 'POST', headers: { authorization: `Bearer ${pick(tokens)}` }, body: JSON.stringify({ units: units() }) }),
    });
    const baseline = await startBaseline('naive-join', { DATABASE_URL: t.config.databaseUrl });
    const theirs = await runLoad({
      name: 'naive Prisma transaction', url: baseline.url, connections, durationSeconds: seconds, method: 'POST',
      request: () => ({ path: '/join', method: 'POST', body: JSON.stringify({ userId: pick(userIds), groupBuyId: naive, units: units() }) }),
    });
    await baseline.close();
    printResults(`joins on one hot group: ${connections} connections, ${seconds} s each`, [bff, theirs]);
    printRatio('joins/s, BFF vs naive', bff.rps, theirs.rps);
    for (const [name, id] of [['BFF', ours], ['naive', naive]] as const) {
      const [g] = await t.deps.db.query('SELECT units_joined AS u FROM group_buys WHERE id = ?', [id]);
      const [m] = await t.deps.db.query('SELECT COALESCE(SUM(units), 0) AS s FROM group_buy_members WHERE group_buy_id = ?', [id]);
      console.log(`${name}: group total ${(g as { u: number }[])[0].u}, sum of members ${Number((m as { s: number }[])[0].s)} (they must match)`);
    }

    // Settling 5,000 members.
    await t.deps.db.query("UPDATE skus SET available = 1000000 WHERE id = 'AC-MIDEA-1-A'");
    const settleOurs = newId();
    await hotGroup(t.deps.db, settleOurs, leaderId, 3600);
    const members = Array.from({ length: MEMBERS }, () => [newId(), settleOurs, newId(), 1]);
    await t.deps.db.query('INSERT INTO group_buy_members (id, group_buy_id, user_id, units) VALUES ?', [members]);
    await t.deps.db.query("UPDATE group_buys SET units_joined = ?, members_count = ?, deadline = NOW(3) - INTERVAL 1 SECOND WHERE id = ?", [MEMBERS, MEMBERS, settleOurs]);
    let started = Date.now();
    const outcome = await settleGroupBuy(t.deps, settleOurs);
    const oursMs = Date.now() - started;

    started = Date.now();
    const naiveGroup = newId();
    for (const [, , userId] of members) {
      await withTransaction(t.deps.db, (conn) =>
        placeOrderInTx(conn, t.deps, { userId: userId as string, storeId: 'DEMO-001', items: [{ skuId: 'AC-MIDEA-1-A', units: 1 }], unitPriceFenOverride: 250000, source: 'group_buy', groupBuyId: naiveGroup, groupBuyMemberId: newId() }),
      );
    }
    const naiveMs = Date.now() - started;
    const [made] = await t.deps.db.query('SELECT COUNT(*) AS n FROM orders WHERE group_buy_id = ?', [settleOurs]);
    console.log(`\n== settling a group of ${MEMBERS} members`);
    console.table([
      { way: 'one transaction, batched inserts', ms: oursMs, outcome, orders: Number((made as { n: number }[])[0].n) },
      { way: 'one order at a time', ms: naiveMs, outcome: 'succeeded', orders: MEMBERS },
    ]);
    printRatio('settlement speed, batched vs one at a time', naiveMs, oursMs);
  } finally {
    await p.stop();
  }
}
