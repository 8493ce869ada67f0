import { randomBytes } from 'node:crypto';
import type { Db } from '../../server/src/lib/db';
import type { BffProcess } from '../helpers/processes';
import { payAtCashier } from '../helpers/wechatpay';

/**
 * The operations of the fault suite's mixed load. Each records what the product acknowledged
 * (a 2xx) and afterwards checks, from MySQL, that every acknowledged write is stored and the
 * capability's invariants hold.
 */
export type Outcome = { op: string; status: number; code?: string; acknowledged: string | null; error?: string; at?: number; ms?: number };

export type Workload = {
  name: string;
  step: (baseUrl: string) => Promise<Outcome>;
  verify: (acknowledged: string[]) => Promise<{ stored: number; lost: number; invariantViolations: string[] }>;
};

export type WorkloadContext = { db: Db; bffs: () => BffProcess[]; emulatorUrl: string };

export type WorkloadFactory = { name: string; setup: (ctx: WorkloadContext) => Workload | Promise<Workload> };

export async function call(baseUrl: string, method: string, path: string, body?: unknown, token?: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const json = (await res.json().catch(() => ({}))) as Record<string, unknown> & { error?: { code: string } };
  return { status: res.status, body: json, code: json.error?.code };
}

export async function loginAt(baseUrl: string, openid: string): Promise<string | null> {
  const r = await call(baseUrl, 'POST', '/api/v1/auth/wechat/login', { code: `test_${openid}.${randomBytes(5).toString('hex')}` });
  return r.status === 200 ? (r.body.token as string) : null;
}

/** First logins: an acknowledged login of a new openid is a user row. */
const firstLogins: WorkloadFactory = {
  name: 'first login',
  setup({ db }) {
    let n = 0;
    const run = randomBytes(3).toString('hex');
    return {
      name: 'first login',
      async step(baseUrl) {
        const openid = `fault_${run}_${n++}`;
        const r = await call(baseUrl, 'POST', '/api/v1/auth/wechat/login', { code: `test_${openid}.x${n}` });
        return { op: 'first login', status: r.status, code: r.code, acknowledged: r.status === 200 ? openid : null };
      },
      async verify(acks) {
        if (!acks.length) return { stored: 0, lost: 0, invariantViolations: [] };
        const [rows] = await db.query('SELECT openid FROM users WHERE openid IN (?)', [acks]);
        const stored = (rows as unknown[]).length;
        const [dupes] = await db.query('SELECT openid, COUNT(*) n FROM users WHERE openid IS NOT NULL GROUP BY openid HAVING n > 1');
        return { stored, lost: acks.length - stored, invariantViolations: (dupes as unknown[]).length ? ['an openid has two users'] : [] };
      },
    };
  },
};

/**
 * Signed-in users. Sessions are MySQL rows (a Redis restart keeps them), but like the client, a
 * user who gets 401 signs in again. When that sign-in fails (MariaDB or WeChat still down), the
 * outcome is what the sign-in answered (503, 502): reporting the stale 401 instead made a
 * dependency failure look like an authentication failure in the table.
 */
class Users {
  private tokens = new Map<string, string>();
  constructor(private readonly openids: string[]) {}
  static async create(baseUrl: string, prefix: string, n: number): Promise<Users> {
    const u = new Users(Array.from({ length: n }, (_, i) => `${prefix}_${i}`));
    for (const o of u.openids) {
      const t = await loginAt(baseUrl, o);
      if (t) u.tokens.set(o, t);
    }
    return u;
  }
  pick(): string {
    return this.openids[Math.floor(Math.random() * this.openids.length)];
  }
  /** Calls as this user, signing in again once on 401. */
  async call(openid: string, baseUrl: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const r = await call(baseUrl, method, path, body, this.tokens.get(openid), headers);
    if (r.status !== 401) return r;
    const signIn = await call(baseUrl, 'POST', '/api/v1/auth/wechat/login', { code: `test_${openid}.${randomBytes(5).toString('hex')}` });
    if (signIn.status !== 200) return signIn;
    this.tokens.set(openid, signIn.body.token as string);
    return call(baseUrl, method, path, body, signIn.body.token as string, headers);
  }
}

/** Coupon claims against a small stock: acknowledged claims are stored; never oversold or over the limit. */
const couponClaims: WorkloadFactory = {
  name: 'coupon claim',
  async setup({ db, bffs }) {
    const base = () => bffs()[0].baseUrl;
    const admin = (await loginAt(base(), 'demo_admin'))!;
    const claimers = await Users.create(base(), `fault_claimer_${randomBytes(2).toString('hex')}`, 300);
    const created = await call(base(), 'POST', '/api/v1/admin/campaigns', {
      name: '故障演练', startsAt: new Date(Date.now() - 60_000).toISOString(), endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      coupons: [{ title: '演练券', kind: 'direct', thresholdFen: 0, discountFen: 100, categories: ['tv'], total: 400, perUserLimit: 2, validDays: 30 }],
    }, admin);
    const templateId = (created.body.coupons as { templateId: string }[])[0].templateId;
    return {
      name: 'coupon claim',
      async step(baseUrl) {
        const r = await claimers.call(claimers.pick(), baseUrl, 'POST', '/api/v1/coupons/claim', { templateId });
        return { op: 'coupon claim', status: r.status, code: r.code, acknowledged: r.status === 201 ? (r.body.coupon as { id: string }).id : null };
      },
      async verify(acks) {
        const [rows] = await db.query('SELECT id, user_id AS u FROM coupons WHERE template_id = ?', [templateId]);
        const stored = new Set((rows as { id: string }[]).map((r) => r.id));
        const perUser = new Map<string, number>();
        for (const r of rows as { u: string }[]) perUser.set(r.u, (perUser.get(r.u) ?? 0) + 1);
        const violations: string[] = [];
        if (stored.size > 400) violations.push(`oversold: ${stored.size} of 400`);
        if ([...perUser.values()].some((n) => n > 2)) violations.push('a user holds more than the limit');
        return { stored: acks.filter((a) => stored.has(a)).length, lost: acks.filter((a) => !stored.has(a)).length, invariantViolations: violations };
      },
    };
  },
};

/** Orders and their pickups: acknowledged orders are stored, each picked up at most once, stock never below zero. */
const ordersAndPickups: WorkloadFactory = {
  name: 'order + pickup',
  async setup({ db, bffs }) {
    const base = () => bffs()[0].baseUrl;
    await db.query("UPDATE skus SET available = 100000 WHERE id = 'SK-JOYOUNG-1-A'");
    const buyers = await Users.create(base(), `fault_buyer_${randomBytes(2).toString('hex')}`, 30);
    const owners = await Users.create(base(), 'demo_owner', 0);
    const owner = 'demo_owner';
    return {
      name: 'order + pickup',
      async step(baseUrl) {
        const r = await buyers.call(buyers.pick(), baseUrl, 'POST', '/api/v1/orders', { storeId: 'DEMO-001', items: [{ skuId: 'SK-JOYOUNG-1-A', units: 1 }] }, { 'idempotency-key': `f-${randomBytes(8).toString('hex')}` });
        if (r.status !== 201) return { op: 'order + pickup', status: r.status, code: r.code, acknowledged: null };
        const id = r.body.id as string;
        const v = await owners.call(owner, baseUrl, 'POST', '/api/v1/store/pickups/verify', { code: r.body.pickupCode }).catch(() => null);
        if (v?.status === 429) return { op: 'order + pickup', status: 201, acknowledged: `${id}:ordered` };
        const c = await owners.call(owner, baseUrl, 'POST', `/api/v1/store/pickups/${id}/confirm`, { code: r.body.pickupCode, paymentMethod: 'cash' }).catch(() => null);
        return { op: 'order + pickup', status: c?.status ?? 0, code: c?.code, acknowledged: c?.status === 200 ? `${id}:picked_up` : `${id}:ordered` };
      },
      async verify(acks) {
        const ids = acks.map((a) => a.split(':')[0]);
        if (!ids.length) return { stored: 0, lost: 0, invariantViolations: [] };
        const [rows] = await db.query('SELECT id, status FROM orders WHERE id IN (?)', [ids]);
        const status = new Map((rows as { id: string; status: string }[]).map((r) => [r.id, r.status]));
        const lost = acks.filter((a) => {
          const [id, what] = a.split(':');
          return !status.has(id) || (what === 'picked_up' && status.get(id) !== 'picked_up');
        }).length;
        const [twice] = await db.query("SELECT order_id FROM order_audit WHERE action = 'confirm_pickup' GROUP BY order_id HAVING COUNT(*) > 1");
        const [negative] = await db.query('SELECT id FROM skus WHERE available < 0');
        const violations = [
          ...((twice as unknown[]).length ? [`${(twice as unknown[]).length} orders picked up twice`] : []),
          ...((negative as unknown[]).length ? ['a SKU below zero'] : []),
        ];
        return { stored: acks.length - lost, lost, invariantViolations: violations };
      },
    };
  },
};

/**
 * Group-buy joins: the demo leader keeps opening short groups (a few seconds to their deadline) and
 * neighbours join them, so settlement runs while the faults happen. Every acknowledged join is a
 * member row with the units last acknowledged; every group settles exactly once: it ends
 * `succeeded` with one order per member for the member's units at one price and no commission on
 * an order that was not picked up, or `failed` with none.
 */
const groupBuyJoins: WorkloadFactory = {
  name: 'group-buy join',
  async setup({ db, bffs }) {
    const base = () => bffs()[0].baseUrl;
    const skuId = 'SK-JOYOUNG-1-A';
    await db.query('UPDATE skus SET available = 100000 WHERE id = ?', [skuId]);
    const [skuRows] = await db.query('SELECT price_fen AS p FROM skus WHERE id = ?', [skuId]);
    const priceFen = (skuRows as { p: number }[])[0].p;
    const leaders = await Users.create(base(), 'demo_leader', 0);
    const joiners = await Users.create(base(), `fault_joiner_${randomBytes(2).toString('hex')}`, 40);
    let current: { id: string; deadline: number } | null = null;
    let seq = 0;
    const unknown: { key: string; units: number; seq: number }[] = [];
    return {
      name: 'group-buy join',
      async step(baseUrl) {
        if (!current || current.deadline - Date.now() < 1500) {
          const deadline = Date.now() + 5000;
          const r = await leaders.call('demo_leader', baseUrl, 'POST', '/api/v1/group-buys', {
            skuId, storeId: 'DEMO-001', deadline: new Date(deadline).toISOString(), maxUnits: 60, maxUnitsPerMember: 3,
            tiers: [{ minUnits: 4, priceFen: priceFen - 1000 }, { minUnits: 12, priceFen: priceFen - 2000 }],
          });
          if (r.status !== 201) return { op: 'group-buy join', status: r.status, code: r.code, acknowledged: null };
          current = { id: r.body.id as string, deadline };
        }
        const openid = joiners.pick();
        const units = 1 + Math.floor(Math.random() * 3);
        const r = await joiners.call(openid, baseUrl, 'POST', `/api/v1/group-buys/${current.id}/join`, { units });
        const at = seq++;
        // No answer or a 5xx says nothing of the outcome: the join may have committed before the connection broke.
        if (r.status === 0 || r.status >= 500) unknown.push({ key: `${current.id}|${openid}`, units, seq: at });
        return { op: 'group-buy join', status: r.status, code: r.code, acknowledged: r.status === 200 ? `${current.id}|${openid}|${units}|${at}` : null };
      },
      async verify(acks) {
        if (!acks.length) return { stored: 0, lost: 0, invariantViolations: [] };
        // The last acknowledged units of each (group, user): the loop is sequential, so `seq` orders them.
        const last = new Map<string, { group: string; openid: string; units: number; seq: number }>();
        for (const a of acks) {
          const [group, openid, units, s] = a.split('|');
          const k = `${group}|${openid}`;
          if ((last.get(k)?.seq ?? -1) < Number(s)) last.set(k, { group, openid, units: Number(units), seq: Number(s) });
        }
        const groups = [...new Set([...last.values()].map((v) => v.group))];
        const violations: string[] = [];
        // Settlement runs every 200 ms with a 2 s lease: give the groups time to reach their end.
        const until = Date.now() + 30_000;
        for (;;) {
          const [pending] = await db.query("SELECT COUNT(*) n FROM group_buys WHERE id IN (?) AND status IN ('open', 'settling')", [groups]);
          if (Number((pending as { n: number }[])[0].n) === 0) break;
          if (Date.now() > until) {
            violations.push(`${(pending as { n: number }[])[0].n} groups past their deadline never settled`);
            break;
          }
          await new Promise((r) => setTimeout(r, 250));
        }
        const [members] = await db.query(
          'SELECT m.group_buy_id AS g, u.openid, m.units FROM group_buy_members m JOIN users u ON u.id = m.user_id WHERE m.group_buy_id IN (?)',
          [groups],
        );
        const stored = new Map((members as { g: string; openid: string; units: number }[]).map((m) => [`${m.g}|${m.openid}`, m.units]));
        // A join is lost when its member row is missing, or the last acknowledged units are not what is stored.
        const lost = acks.filter((a) => {
          const [group, openid] = a.split('|');
          const k = `${group}|${openid}`;
          const have = stored.get(k);
          if (have === last.get(k)!.units) return false;
          // What a later attempt with an unknown outcome asked for is not a lost acknowledgement.
          return !unknown.some((u) => u.key === k && u.seq > last.get(k)!.seq && u.units === have);
        }).length;
        const [rows] = await db.query(
          `SELECT g.id, g.status, g.units_joined AS unitsJoined, g.settled_price_fen AS price,
             (SELECT COUNT(*) FROM group_buy_members m WHERE m.group_buy_id = g.id AND m.units > 0) AS members,
             (SELECT COALESCE(SUM(m.units), 0) FROM group_buy_members m WHERE m.group_buy_id = g.id) AS memberUnits,
             (SELECT COUNT(*) FROM orders o WHERE o.group_buy_id = g.id) AS orders,
             (SELECT COALESCE(SUM(i.units), 0) FROM orders o JOIN order_items i ON i.order_id = o.id WHERE o.group_buy_id = g.id) AS orderUnits,
             (SELECT COUNT(DISTINCT i.unit_price_fen) FROM orders o JOIN order_items i ON i.order_id = o.id WHERE o.group_buy_id = g.id) AS prices,
             (SELECT COALESCE(SUM(c.amount_fen <> 0), 0) FROM commission_entries c JOIN orders o ON o.id = c.order_id
               WHERE c.group_buy_id = g.id AND o.status NOT IN ('picked_up', 'delivered')
                 AND NOT EXISTS (SELECT 1 FROM commission_entries r WHERE r.order_id = c.order_id AND r.kind = 'reversal')) AS commissions
           FROM group_buys g WHERE g.id IN (?)`,
          [groups],
        );
        // Most groups reach a tier: if none did, settlement was not exercised and the check proves nothing.
        if (acks.length >= 20 && !(rows as { status: string }[]).some((g) => g.status === 'succeeded')) violations.push('no group succeeded: settlement was not exercised');
        for (const g of rows as Record<string, number | string>[]) {
          const n = (k: string) => Number(g[k]);
          if (n('unitsJoined') !== n('memberUnits')) violations.push(`group ${g.id}: units_joined ${g.unitsJoined} but members hold ${g.memberUnits}`);
          if (g.status === 'succeeded') {
            if (n('orders') !== n('members') || n('orderUnits') !== n('unitsJoined') || n('prices') !== 1 || n('commissions') !== 0)
              violations.push(`group ${g.id} settled wrongly or twice: ${n('members')} members / ${n('orders')} orders, ${n('unitsJoined')} units / ${n('orderUnits')} ordered, ${n('prices')} prices, ${n('commissions')} commissions on orders not picked up`);
          } else if (g.status === 'failed' && (n('orders') || n('commissions'))) {
            violations.push(`failed group ${g.id} has ${n('orders')} orders and ${n('commissions')} commissions`);
          }
        }
        return { stored: acks.length - lost, lost, invariantViolations: violations };
      },
    };
  },
};

/** Browsing as a villager does: nearest stores, the catalogue, the store's group-buys, my orders. Nothing to store. */
const browsing: WorkloadFactory = {
  name: 'browse',
  async setup({ bffs }) {
    const base = () => bffs()[0].baseUrl;
    const villagers = await Users.create(base(), `fault_browser_${randomBytes(2).toString('hex')}`, 10);
    const pages = [
      '/api/v1/stores/nearby?lat=38.8738&lng=115.4646&radiusKm=20',
      '/api/v1/products?limit=20',
      '/api/v1/group-buys?storeId=DEMO-001',
      '/api/v1/orders',
      '/api/v1/me',
    ];
    let n = 0;
    return {
      name: 'browse',
      async step(baseUrl) {
        const r = await villagers.call(villagers.pick(), baseUrl, 'GET', pages[n++ % pages.length]);
        return { op: 'browse', status: r.status, code: r.code, acknowledged: null };
      },
      verify: () => Promise.resolve({ stored: 0, lost: 0, invariantViolations: [] }),
    };
  },
};

/**
 * Online payments: a buyer orders with `payment: "online"`, gets the signed parameters and pays in
 * WeChat's cashier (the emulator). Acknowledged: WeChat took the money. Stored: the payment is paid
 * in MySQL (WeChat keeps notifying, through the balancer, until a BFF answers 204). Invariants: paid
 * once (one event, one order update), and a payment the order did not take is being refunded.
 */
const onlinePayments: WorkloadFactory = {
  name: 'online payment',
  async setup({ db, bffs, emulatorUrl }) {
    const base = () => bffs()[0].baseUrl;
    await db.query("UPDATE skus SET available = 100000 WHERE id = 'TV-TCL-1-A'");
    const buyers = await Users.create(base(), `fault_payer_${randomBytes(2).toString('hex')}`, 20);
    const op = 'online payment';
    return {
      name: op,
      async step(baseUrl) {
        const buyer = buyers.pick();
        const order = await buyers.call(buyer, baseUrl, 'POST', '/api/v1/orders', { storeId: 'DEMO-001', items: [{ skuId: 'TV-TCL-1-A', units: 1 }], payment: 'online' }, { 'idempotency-key': `p-${randomBytes(8).toString('hex')}` });
        if (order.status !== 201) return { op, status: order.status, code: order.code, acknowledged: null };
        const pay = await buyers.call(buyer, baseUrl, 'POST', `/api/v1/orders/${order.body.id as string}/pay`);
        if (pay.status !== 200) return { op, status: pay.status, code: pay.code, acknowledged: null };
        const paid = await payAtCashier(emulatorUrl, pay.body.params as { package: string } & Record<string, string>).catch(() => ({ status: 0, errMsg: 'unreachable' }));
        return { op, status: paid.status, acknowledged: paid.status === 200 ? `${order.body.id as string}:${pay.body.paymentId as string}` : null };
      },
      async verify(acks) {
        if (!acks.length) return { stored: 0, lost: 0, invariantViolations: [] };
        const ids = acks.map((a) => a.split(':')[1]);
        const paidCount = async () => Number(((await db.query(`SELECT COUNT(*) n FROM payments WHERE id IN (?) AND status <> 'created'`, [ids]))[0] as { n: number }[])[0].n);
        // WeChat retries on its schedule (scaled down here): give the last notifications time to land.
        for (const until = Date.now() + 60_000; (await paidCount()) < ids.length && Date.now() < until; ) await new Promise((r) => setTimeout(r, 250));
        const [rows] = await db.query(
          `SELECT p.id, p.status, o.paid_at IS NOT NULL AS orderPaid,
             (SELECT COUNT(*) FROM outbox_events e WHERE e.type = 'payment.paid' AND e.aggregate_id = p.id) AS events,
             (SELECT COUNT(*) FROM order_audit a WHERE a.order_id = p.order_id AND a.action = 'paid_online') AS orderUpdates,
             (SELECT COUNT(*) FROM payment_refunds r WHERE r.payment_id = p.id) AS refunds
           FROM payments p JOIN orders o ON o.id = p.order_id WHERE p.id IN (?)`,
          [ids],
        );
        const list = rows as { id: string; status: string; orderPaid: number; events: number; orderUpdates: number; refunds: number }[];
        const stored = list.filter((r) => r.status !== 'created').length;
        const violations: string[] = [];
        for (const r of list) {
          if (Number(r.events) > 1 || Number(r.orderUpdates) > 1) violations.push(`payment ${r.id} applied twice (${r.events} events, ${r.orderUpdates} order updates)`);
          if (r.status !== 'created' && !Number(r.orderPaid) && !Number(r.refunds)) violations.push(`payment ${r.id} paid, not taken by its order, and not refunded`);
        }
        return { stored, lost: ids.length - stored, invariantViolations: violations };
      },
    };
  },
};

// One line per capability's workload.
export const workloads: WorkloadFactory[] = [firstLogins, couponClaims, groupBuyJoins, ordersAndPickups, onlinePayments, browsing];
