import { readFileSync } from 'node:fs';
import path from 'node:path';
import { hostname } from 'node:os';
import type { PoolConnection } from 'mysql2/promise';
import type { Deps } from '../../lib/deps';
import { luaCommand } from '../../lib/redis';
import type { AuthUser } from '../../lib/auth';
import { newId } from '../../lib/ids';
import { conflict, dependencyUnavailable, notFound, rateLimited } from '../../lib/errors';
import { DEFAULT_LIMIT, pageInMemory, pageOf } from '../../lib/http';
import { withTransaction } from '../../lib/db';
import * as repo from './repository';
import { couponKeys, CONSUMER_GROUP } from './keys';

/**
 * The Super New Product Season rush. Redis admits a claim in one atomic script (window, stock,
 * per-user limit, then the claim on the template's stream); MySQL is the record: the claim is
 * written before the 201 (many claims per INSERT), and its unique keys — slot within the stock,
 * (user, seq) within the per-user limit — refuse an oversold or over-limit coupon even if Redis
 * forgot everything. A claim admitted but not written (the handler died, MySQL was away) waits on
 * the stream, and a consumer group writes it later; pending entries of a dead consumer are claimed
 * by another. When Redis has lost a template's counters they are rebuilt from MySQL (highest slot,
 * each user's highest seq) before any claim is admitted; meanwhile claims get 503.
 */
const CLAIM_LUA = readFileSync(path.join(__dirname, 'claim.lua'), 'utf8');

type ClaimResult = [string, string?, string?, string?];
const claimScript = luaCommand<ClaimResult>('claimCoupon', 6, CLAIM_LUA);

// Templates change rarely and are read on every claim: a few seconds of cache per process.
const templateCache = new WeakMap<Deps, Map<string, { at: number; row: repo.TemplateRow | null }>>();
async function templateOf(deps: Deps, id: string): Promise<repo.TemplateRow | null> {
  let cache = templateCache.get(deps);
  if (!cache) templateCache.set(deps, (cache = new Map<string, { at: number; row: repo.TemplateRow | null }>()));
  const hit = cache.get(id);
  if (hit && Date.now() - hit.at < 5000) return hit.row;
  const row = await repo.findTemplate(deps.db, id);
  cache.set(id, { at: Date.now(), row });
  return row;
}

/** Rebuilds a template's counters from MySQL, under a lock so only one process does it. */
export async function rebuildCounters(deps: Deps, tpl: repo.TemplateRow): Promise<void> {
  const k = couponKeys(tpl.id);
  const token = newId();
  if ((await deps.redis.set(k.rebuild, token, 'PX', 10_000, 'NX')) !== 'OK') {
    // Another request is rebuilding: wait a moment for it rather than failing the claim.
    for (let waited = 0; waited < 3000; waited += 50) {
      await new Promise((r) => setTimeout(r, 50));
      if (await deps.redis.exists(k.stock)) return;
    }
    throw dependencyUnavailable('优惠券正在准备中，请稍后再试');
  }
  try {
    if (await deps.redis.exists(k.stock)) return;
    const state = await repo.issuedState(deps.db, tpl.id);
    await deps.redis.xgroup('CREATE', k.stream, CONSUMER_GROUP, '0', 'MKSTREAM').catch((err: Error) => {
      if (!/BUSYGROUP/.test(err.message)) throw err;
    });
    const tx = deps.redis.multi().del(k.users).hset(k.meta, { startsAt: tpl.startsAt.getTime(), endsAt: tpl.endsAt.getTime(), limit: tpl.perUserLimit, total: tpl.total });
    if (state.users.length) tx.hset(k.users, Object.fromEntries(state.users.map((u) => [u.userId, u.maxSeq])));
    // The stock key goes last: its presence is what lets the claim script admit.
    tx.set(k.stock, Math.max(0, tpl.total - state.maxSlot));
    await tx.exec();
  } finally {
    if ((await deps.redis.get(k.rebuild)) === token) await deps.redis.del(k.rebuild);
  }
}

/**
 * Group commit: the claims that arrive while one INSERT runs go to MySQL together in the next.
 * One INSERT at a time per process also keeps concurrent batches from deadlocking on the unique
 * indexes; a deadlock with another process's batch is retried.
 */
class ClaimWriter {
  private queue: { coupon: repo.NewCoupon; entryId: string; done: (stored: boolean | Error) => void }[] = [];
  private flushing = false;
  private readonly metrics;
  constructor(private readonly deps: Deps) {
    this.metrics = {
      batches: deps.metrics.counter('coupon_claim_batches_total', 'Group-committed INSERTs of claims'),
      rows: deps.metrics.counter('coupon_claim_batch_rows_total', 'Claims written by group-committed INSERTs'),
      seconds: deps.metrics.counter('coupon_claim_batch_seconds_total', 'Time spent in group-committed INSERTs of claims'),
    };
  }

  write(coupon: repo.NewCoupon, entryId: string): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.queue.push({ coupon, entryId, done: (r) => (r instanceof Error ? reject(r) : resolve(r)) });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length) {
        const batch = this.queue.splice(0, 1000);
        const started = process.hrtime.bigint();
        try {
          const stored = await this.insert(batch.map((b) => b.coupon));
          this.metrics.batches.inc();
          this.metrics.rows.inc(batch.length);
          this.metrics.seconds.inc(Number(process.hrtime.bigint() - started) / 1e9);
          for (const b of batch) b.done(stored.has(b.coupon.id));
          // Written claims need no consumer: take them off their streams (and out of any pending list).
          // Only housekeeping, so the answers above do not wait for it.
          const byStream = new Map<string, string[]>();
          for (const b of batch) {
            if (!stored.has(b.coupon.id)) continue;
            const ids = byStream.get(b.coupon.templateId);
            if (ids) ids.push(b.entryId);
            else byStream.set(b.coupon.templateId, [b.entryId]);
          }
          for (const [templateId, ids] of byStream) {
            const k = couponKeys(templateId);
            void this.deps.redis.multi().xack(k.stream, CONSUMER_GROUP, ...ids).xdel(k.stream, ...ids).exec().catch(() => undefined);
          }
        } catch (err) {
          for (const b of batch) b.done(err as Error);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  /**
   * On a connection of the writer's own: through the shared pool, each batch would queue behind every
   * request's queries (authentication, pages), and the whole rush would wait on that queue.
   */
  private conn: PoolConnection | null = null;
  private async insert(coupons: repo.NewCoupon[]): Promise<Set<string>> {
    for (let attempt = 0; ; attempt++) {
      const conn = this.conn ?? (this.conn = await this.deps.db.getConnection());
      try {
        return await repo.insertCoupons(conn, coupons);
      } catch (err) {
        const e = err as { code?: string; fatal?: boolean };
        if (e.fatal) {
          // The connection is gone (MySQL restarted, idle timeout): a fresh one, once.
          this.conn = null;
          conn.destroy();
          if (attempt < 1) continue;
        }
        if (e.code === 'ER_LOCK_DEADLOCK' && attempt < 3) continue;
        throw err;
      }
    }
  }
}

const writers = new WeakMap<Deps, ClaimWriter>();
const writerOf = (deps: Deps) => {
  let w = writers.get(deps);
  if (!w) writers.set(deps, (w = new ClaimWriter(deps)));
  return w;
};

const CLAIM_ERRORS: Record<string, [string, string]> = {
  CAMPAIGN_NOT_STARTED: ['CAMPAIGN_NOT_STARTED', '活动还没开始'],
  CAMPAIGN_ENDED: ['CAMPAIGN_ENDED', '活动已结束'],
  COUPON_LIMIT_REACHED: ['COUPON_LIMIT_REACHED', '您已领满该券'],
  COUPON_SOLD_OUT: ['COUPON_SOLD_OUT', '优惠券已抢完'],
};

/**
 * One Redis round trip: the session was checked in the process (lib/auth.ts), and the script checks
 * both rate limits (per user, then per client address; a user over their limit spends none of the
 * address's) and admits the claim. The template comes from the process's cache. Then the MySQL
 * record, shared with the claims of the same moment.
 */
export async function claimCoupon(deps: Deps, user: AuthUser, templateId: string, address: string) {
  const tpl = await templateOf(deps, templateId);
  if (!tpl) throw notFound('优惠券不存在');
  const k = couponKeys(tpl.id);
  const perUser = deps.config.rateLimits.claimPerUser;
  const perAddress = deps.config.rateLimits.claimPerIp;
  const claimId = newId();
  for (let attempt = 0; attempt < 2; attempt++) {
    const now = Date.now();
    const [outcome, seq, slot, entryId] = await claimScript(
      deps.redis, k.meta, k.stock, k.users, k.stream, k.userLimit(user.id), k.addressLimit(address),
      user.id, String(now), claimId, perUser.points, perUser.durationSeconds * 1000, perAddress.points, perAddress.durationSeconds * 1000,
    );
    if (outcome === 'RATE_LIMITED') throw rateLimited(Number(seq) / 1000);
    if (outcome === 'NOT_READY') {
      await rebuildCounters(deps, tpl);
      continue;
    }
    if (outcome !== 'OK') {
      const [code, message] = CLAIM_ERRORS[outcome] ?? ['COUPON_SOLD_OUT', '优惠券已抢完'];
      throw conflict(code, message);
    }
    const coupon: repo.NewCoupon = { id: claimId, templateId: tpl.id, userId: user.id, slot: Number(slot), seq: Number(seq), claimedAt: new Date(now), expiresAt: new Date(now + tpl.validDays * 86_400_000) };
    let stored: boolean;
    try {
      stored = await writerOf(deps).write(coupon, entryId!);
    } catch {
      // Admitted but not yet written: the stream keeps it and the consumer writes it when MySQL answers.
      throw dependencyUnavailable('领券人数太多，请稍后在“我的优惠券”查看');
    }
    if (!stored) throw dependencyUnavailable('领券人数太多，请稍后再试');
    return { coupon: { id: claimId, templateId: tpl.id, status: 'unused' as const, expiresAt: coupon.expiresAt.toISOString() } };
  }
  throw dependencyUnavailable('优惠券正在准备中，请稍后再试');
}

const HANDLER_GRACE_MS = 1000;
const PENDING_IDLE_MS = 3000;

/** Persists admitted claims whose handler did not write them; takes over a dead consumer's pending ones. */
export async function persistPendingClaims(deps: Deps, consumer: string, templates: repo.TemplateRow[]): Promise<number> {
  let written = 0;
  for (const tpl of templates) {
    const k = couponKeys(tpl.id);
    if (!(await deps.redis.exists(k.stream))) continue;
    await deps.redis.xgroup('CREATE', k.stream, CONSUMER_GROUP, '0', 'MKSTREAM').catch(() => undefined);
    // Handlers delete what they wrote, so during a rush the stream holds only claims being written
    // right now: read new entries only when the oldest one has waited past the grace period.
    // A fresh entry read anyway is left pending (unacknowledged); if nobody acknowledges it,
    // XAUTOCLAIM hands it back once it has been idle long enough.
    const settled = Date.now() - HANDLER_GRACE_MS;
    const oldest = (await deps.redis.xrange(k.stream, '-', '+', 'COUNT', 1))[0];
    const fresh = oldest && Number(oldest[0].split('-')[0]) < settled
      ? ((await deps.redis.xreadgroup('GROUP', CONSUMER_GROUP, consumer, 'COUNT', 500, 'STREAMS', k.stream, '>')) as [string, [string, string[]][]][] | null)
      : null;
    const claimed = (await deps.redis.xautoclaim(k.stream, CONSUMER_GROUP, consumer, PENDING_IDLE_MS, '0-0', 'COUNT', 500)) as [string, [string, string[]][]];
    const old = (fresh?.[0]?.[1] ?? []).filter(([id]) => Number(id.split('-')[0]) < settled);
    const entries = [...old, ...(claimed?.[1] ?? [])].filter(([, fields]) => fields && fields.length);
    if (!entries.length) continue;
    const coupons = entries.map(([, fields]) => {
      const f: Record<string, string> = {};
      for (let i = 0; i < fields.length; i += 2) f[fields[i]] = fields[i + 1];
      const at = Number(f.at);
      return { id: f.claimId, templateId: tpl.id, userId: f.userId, slot: Number(f.slot), seq: Number(f.seq), claimedAt: new Date(at), expiresAt: new Date(at + tpl.validDays * 86_400_000) };
    });
    const stored = await repo.insertCoupons(deps.db, coupons);
    written += stored.size;
    const ids = entries.map(([id]) => id);
    await deps.redis.multi().xack(k.stream, CONSUMER_GROUP, ...ids).xdel(k.stream, ...ids).exec();
  }
  return written;
}

/** Compares what Redis says was issued with what MySQL holds; the difference goes to a metric. */
export async function reconcile(deps: Deps): Promise<Record<string, number>> {
  const templates = await repo.activeTemplates(deps.db, 7);
  const counts = await repo.issuedCounts(deps.db, templates.map((t) => t.id));
  const out: Record<string, number> = {};
  for (const t of templates) {
    const stock = await deps.redis.get(couponKeys(t.id).stock);
    if (stock === null) continue;
    out[t.id] = t.total - Number(stock) - (counts.get(t.id) ?? 0);
  }
  return out;
}

export async function activeCampaigns(deps: Deps, user: AuthUser | null, page: { cursor?: string; limit?: number } = {}) {
  const templates = await repo.activeTemplates(deps.db, 7);
  const counts = await repo.issuedCounts(deps.db, templates.map((t) => t.id));
  const mine = user ? await repo.myClaimCounts(deps.db, user.id, templates.map((t) => t.id)) : new Map<string, number>();
  // One GET per template, not MGET: the templates' keys sit in different slots of a Redis Cluster.
  const stocks = await Promise.all(templates.map((t) => deps.redis.get(couponKeys(t.id).stock).catch(() => null)));
  const campaigns = new Map<string, { id: string; name: string; startsAt: string; endsAt: string; coupons: unknown[] }>();
  templates.forEach((t, i) => {
    let c = campaigns.get(t.campaignId);
    if (!c) campaigns.set(t.campaignId, (c = { id: t.campaignId, name: t.campaignName, startsAt: t.startsAt.toISOString(), endsAt: t.endsAt.toISOString(), coupons: [] }));
    // Live from Redis while it holds the counters; from MySQL otherwise.
    const remaining = stocks[i] !== null && stocks[i] !== undefined ? Math.max(0, Number(stocks[i])) : Math.max(0, t.total - (counts.get(t.id) ?? 0));
    c.coupons.push({
      templateId: t.id, title: t.title, kind: t.kind, thresholdFen: t.thresholdFen, discountFen: t.discountFen, categories: t.categories.split(','),
      total: t.total, remaining, perUserLimit: t.perUserLimit, validDays: t.validDays, claimedByMe: mine.get(t.id) ?? 0,
    });
  });
  // A handful run at once: the page is cut from the whole list, in the order they start.
  return { serverTime: new Date().toISOString(), ...pageInMemory([...campaigns.values()], page) };
}

export async function myCoupons(deps: Deps, user: AuthUser, q: { status?: 'unused' | 'used' | 'expired'; cursor?: string; limit?: number }) {
  const limit = q.limit ?? DEFAULT_LIMIT;
  const { items: rows, nextCursor } = pageOf(await repo.listMyCoupons(deps.db, user.id, { status: q.status, before: q.cursor, limit: limit + 1 }), limit, (r) => r.id);
  const now = Date.now();
  return {
    items: rows.map((r) => ({
      id: r.id, templateId: r.templateId, title: r.title, kind: r.kind, thresholdFen: r.thresholdFen, discountFen: r.discountFen,
      categories: r.categories.split(','), status: r.status === 'used' ? 'used' : r.expiresAt.getTime() <= now ? 'expired' : 'unused',
      claimedAt: r.claimedAt.toISOString(), expiresAt: r.expiresAt.toISOString(), usedAt: r.usedAt ? r.usedAt.toISOString() : null, orderId: r.orderId,
    })),
    nextCursor,
  };
}

export type NewCampaign = {
  name: string; startsAt: string; endsAt: string;
  coupons: { title: string; kind: 'threshold' | 'direct'; thresholdFen: number; discountFen: number; categories: string[]; total: number; perUserLimit: number; validDays: number }[];
};

export async function createCampaign(deps: Deps, body: NewCampaign) {
  const id = newId();
  const templates = body.coupons.map((c) => ({ ...c, id: newId() }));
  await withTransaction(deps.db, async (conn) => {
    await conn.query('INSERT INTO campaigns (id, name, starts_at, ends_at) VALUES (?, ?, ?, ?)', [id, body.name, new Date(body.startsAt), new Date(body.endsAt)]);
    await conn.query(
      'INSERT INTO coupon_templates (id, campaign_id, title, kind, threshold_fen, discount_fen, categories, total, per_user_limit, valid_days) VALUES ?',
      [templates.map((t) => [t.id, id, t.title, t.kind, t.thresholdFen, t.discountFen, t.categories.join(','), t.total, t.perUserLimit, t.validDays])],
    );
  });
  for (const t of templates) {
    const row = await repo.findTemplate(deps.db, t.id);
    if (row) await rebuildCounters(deps, row).catch(() => undefined);
  }
  return {
    id, name: body.name, startsAt: new Date(body.startsAt).toISOString(), endsAt: new Date(body.endsAt).toISOString(),
    coupons: templates.map((t) => ({ templateId: t.id, title: t.title, kind: t.kind, thresholdFen: t.thresholdFen, discountFen: t.discountFen, categories: t.categories, total: t.total, remaining: t.total, perUserLimit: t.perUserLimit, validDays: t.validDays })),
  };
}

/** One name per started consumer: a restarted one is a new consumer, and XAUTOCLAIM hands it the old one's pending entries. */
export const consumerName = () => `${hostname()}-${process.pid}-${newId().slice(-6)}`;
