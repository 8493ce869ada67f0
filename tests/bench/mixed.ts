import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { startBenchProduct } from './setup';

/**
 * npm run bench -- mixed [seconds] [connections]: a bounded mixed load against the whole product
 * (the BFF as its own process, fresh database): browse the catalogue, nearby stores (the demo point
 * and random points in China), claim a coupon of a big campaign, join a group-buy with a far
 * deadline, place an order (Idempotency-Key), verify a pickup code as the store's owner.
 * Loopback only; a fixed number of connections, each with one request in flight; stops by itself.
 * Errors = anything not 2xx and not 409/429 (by design: sold out, group full, verify rate limit),
 * plus transport errors. Prints throughput, p50/p99 per operation, and the overall line last.
 */
type Req = { method: 'GET' | 'POST'; path: string; token?: string; body?: unknown; headers?: Record<string, string> };
type Op = { name: string; weight: number; make: () => Req; onOk?: (body: string) => void };
type Stat = { latencies: number[]; statuses: Record<string, number>; errors: number };

const BY_DESIGN = new Set([409, 429]);
const SKUS = 50;
const STOCK = 1_000_000;

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export default async function run(args: string[]): Promise<void> {
  const seconds = Number(args[0] ?? 60);
  const connections = Math.min(32, Math.max(1, Number(args[1] ?? 24)));
  const p = await startBenchProduct();
  const { t } = p;
  const base = new URL(p.bff.baseUrl);
  if (!/^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/.test(base.hostname)) throw new Error(`benchmarks load loopback only, not ${p.bff.baseUrl}`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });

  const send = (r: Req): Promise<{ status: number; body: string }> =>
    new Promise((resolve, reject) => {
      const payload = r.body === undefined ? undefined : JSON.stringify(r.body);
      const req = http.request(
        {
          host: base.hostname, port: base.port, path: r.path, method: r.method, agent,
          headers: {
            ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
            ...(r.token ? { authorization: `Bearer ${r.token}` } : {}),
            ...(r.headers ?? {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.end(payload);
    });

  try {
    // ---- fixtures: a big campaign, stocked SKUs, an open group with a far deadline, buyers, pickup codes
    await t.deps.db.query("INSERT INTO campaigns (id, name, starts_at, ends_at) VALUES ('MIXBENCH', '混合压测', NOW(3) - INTERVAL 1 HOUR, NOW(3) + INTERVAL 1 DAY)");
    await t.deps.db.query(
      "INSERT INTO coupon_templates (id, campaign_id, title, kind, threshold_fen, discount_fen, categories, total, per_user_limit, valid_days) VALUES ('MIXBENCH-C', 'MIXBENCH', '压测立减', 'direct', 0, 100, 'tv', 5000000, 1000, 30)",
    );
    await t.deps.db.query("INSERT INTO products (id, name, brand, category, description, image_url, tags, price_fen) VALUES ('MIXBENCH', '压测商品', '海尔', 'tv', '', '/api/v1/images/tv.svg', '', 100000)");
    await t.deps.db.query('INSERT INTO skus (id, product_id, spec, price_fen, available) VALUES ?', [Array.from({ length: SKUS }, (_, i) => [`MIXBENCH-${i}`, 'MIXBENCH', `规格 ${i}`, 100000, STOCK])]);

    const buyers = await p.tokens(200, 'mix_user');
    const leader = await t.login('demo_leader');
    const owner = await t.login('demo_owner');
    const opened = await send({
      method: 'POST', path: '/api/v1/group-buys', token: leader, headers: { 'idempotency-key': `mix-${randomBytes(8).toString('hex')}` },
      body: { skuId: 'AC-MIDEA-1-A', storeId: 'DEMO-001', tiers: [{ minUnits: 3, priceFen: 259900 }], deadline: new Date(Date.now() + 7 * 86400_000).toISOString(), maxUnits: 100_000, maxUnitsPerMember: 3 },
    });
    if (opened.status !== 201) throw new Error(`opening the group failed: ${opened.status} ${opened.body}`);
    const groupId = (JSON.parse(opened.body) as { id: string }).id;

    const products = JSON.parse((await send({ method: 'GET', path: '/api/v1/products?limit=100' })).body).items.map((x: { id: string }) => x.id) as string[];
    const codes: string[] = [];
    for (let i = 0; i < 50; i++) {
      const o = await send({ method: 'POST', path: '/api/v1/orders', token: buyers[i], headers: { 'idempotency-key': `mix-${randomBytes(8).toString('hex')}` }, body: { storeId: 'DEMO-001', items: [{ skuId: `MIXBENCH-${i % SKUS}`, units: 1 }] } });
      if (o.status === 201) codes.push((JSON.parse(o.body) as { pickupCode: string }).pickupCode);
    }
    if (!codes.length || !products.length) throw new Error('fixtures failed: no pickup codes or no products');

    const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)];
    const ops: Op[] = [
      { name: 'browse GET /products', weight: 20, make: () => ({ method: 'GET', path: pick(['/api/v1/products', '/api/v1/products?category=air_conditioner', '/api/v1/products?tag=new_season', '/api/v1/products?limit=50']) }) },
      { name: 'browse GET /products/:id', weight: 20, make: () => ({ method: 'GET', path: `/api/v1/products/${encodeURIComponent(pick(products))}` }) },
      {
        name: 'nearby GET /stores/nearby', weight: 15,
        make: () =>
          Math.random() < 0.5
            ? { method: 'GET', path: '/api/v1/stores/nearby?lat=38.87&lng=115.46' }
            : { method: 'GET', path: `/api/v1/stores/nearby?lat=${(18 + Math.random() * 35).toFixed(4)}&lng=${(73 + Math.random() * 62).toFixed(4)}&radiusKm=${pick([20, 50, 100])}` },
      },
      { name: 'claim POST /coupons/claim', weight: 12, make: () => ({ method: 'POST', path: '/api/v1/coupons/claim', token: pick(buyers), body: { templateId: 'MIXBENCH-C' } }) },
      { name: 'join POST /group-buys/:id/join', weight: 12, make: () => ({ method: 'POST', path: `/api/v1/group-buys/${groupId}/join`, token: pick(buyers), body: { units: 1 + Math.floor(Math.random() * 3) } }) },
      {
        name: 'order POST /orders', weight: 12,
        make: () => ({ method: 'POST', path: '/api/v1/orders', token: pick(buyers), headers: { 'idempotency-key': `mix-${randomBytes(8).toString('hex')}` }, body: { storeId: 'DEMO-001', items: [{ skuId: `MIXBENCH-${Math.floor(Math.random() * SKUS)}`, units: 1 }] } }),
      },
      { name: 'verify POST /store/pickups/verify', weight: 9, make: () => ({ method: 'POST', path: '/api/v1/store/pickups/verify', token: owner, body: { code: pick(codes) } }) },
    ];
    const totalWeight = ops.reduce((s, o) => s + o.weight, 0);
    const choose = () => {
      let r = Math.random() * totalWeight;
      for (const o of ops) if ((r -= o.weight) < 0) return o;
      return ops[ops.length - 1];
    };
    const stats = new Map<string, Stat>(ops.map((o) => [o.name, { latencies: [], statuses: {}, errors: 0 }]));

    // ---- the load: `connections` workers, one request in flight each, until the deadline
    console.log(`mixed load: ${connections} connections for ${seconds} s against ${p.bff.baseUrl} …`);
    const started = Date.now();
    const deadline = started + seconds * 1000;
    const worker = async () => {
      while (Date.now() < deadline) {
        const op = choose();
        const s = stats.get(op.name)!;
        const t0 = process.hrtime.bigint();
        try {
          const res = await send(op.make());
          s.latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
          s.statuses[res.status] = (s.statuses[res.status] ?? 0) + 1;
          if (!(res.status >= 200 && res.status < 300) && !BY_DESIGN.has(res.status)) s.errors++;
        } catch {
          s.latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
          s.statuses.transport = (s.statuses.transport ?? 0) + 1;
          s.errors++;
        }
      }
    };
    await Promise.all(Array.from({ length: connections }, worker));
    const elapsed = (Date.now() - started) / 1000;
    agent.destroy();

    const rows = ops.map((o) => {
      const s = stats.get(o.name)!;
      const sorted = [...s.latencies].sort((a, b) => a - b);
      return {
        operation: o.name,
        requests: sorted.length,
        'req/s': Math.round(sorted.length / elapsed),
        'p50 ms': Number(percentile(sorted, 50).toFixed(1)),
        'p99 ms': Number(percentile(sorted, 99).toFixed(1)),
        statuses: JSON.stringify(s.statuses),
        errors: s.errors,
        'error %': sorted.length ? Number(((100 * s.errors) / sorted.length).toFixed(2)) : 0,
      };
    });
    const all = [...stats.values()].flatMap((s) => s.latencies).sort((a, b) => a - b);
    const errors = [...stats.values()].reduce((n, s) => n + s.errors, 0);
    const byDesign = [...stats.values()].reduce((n, s) => n + (s.statuses['409'] ?? 0) + (s.statuses['429'] ?? 0), 0);

    console.log(`\n== mixed: ${connections} connections, ${elapsed.toFixed(1)} s (errors = not 2xx and not 409/429 by design)`);
    console.table(rows);
    console.log(`by design (409/429): ${byDesign}`);
    console.log(
      `overall: ${all.length} requests, ${Math.round(all.length / elapsed)} req/s, p50 ${percentile(all, 50).toFixed(1)} ms, p99 ${percentile(all, 99).toFixed(1)} ms, errors ${errors} (${all.length ? ((100 * errors) / all.length).toFixed(2) : '0.00'}%)`,
    );
  } finally {
    agent.destroy();
    await p.stop();
  }
}
