import type { Db, PrismaClient } from '../../server/src/lib/db';
import { withTransaction } from '../../server/src/lib/db';
import { newId } from '../../server/src/lib/ids';

type Handler = (body: Record<string, unknown>, url: URL) => Promise<{ status: number; body: unknown }>;

/** Baseline modes of the capability benchmarks (stores, coupons, group-buy): one entry each. */
export function modes(db: Db, _prisma: PrismaClient): Record<string, Handler> {
  return {
    /** The row-lock way: lock the template row, count, check, insert, in one MySQL transaction. */
    'rowlock-claims': async (body) => {
      const { userId, templateId } = body as { userId: string; templateId: string };
      try {
        return await withTransaction(db, async (conn) => {
          const [t] = await conn.query('SELECT total, per_user_limit AS lim, valid_days AS days FROM coupon_templates WHERE id = ? FOR UPDATE', [templateId]);
          const tpl = (t as { total: number; lim: number; days: number }[])[0];
          const [[issued], [mine]] = (await Promise.all([
            conn.query('SELECT COUNT(*) AS n FROM coupons WHERE template_id = ?', [templateId]),
            conn.query('SELECT COUNT(*) AS n FROM coupons WHERE template_id = ? AND user_id = ?', [templateId, userId]),
          ]).then((r) => r.map(([rows]) => rows))) as [{ n: number }[], { n: number }[]];
          if (Number(issued.n) >= tpl.total) return { status: 409, body: { error: { code: 'COUPON_SOLD_OUT' } } };
          if (Number(mine.n) >= tpl.lim) return { status: 409, body: { error: { code: 'COUPON_LIMIT_REACHED' } } };
          const id = newId();
          await conn.query("INSERT INTO coupons (id, template_id, user_id, slot, seq, status, claimed_at, expires_at) VALUES (?, ?, ?, ?, ?, 'unused', NOW(3), NOW(3) + INTERVAL ? DAY)", [id, templateId, userId, Number(issued.n) + 1, Number(mine.n) + 1, tpl.days]);
          return { status: 201, body: { coupon: { id } } };
        });
      } catch (err) {
        return { status: 503, body: { error: String((err as Error).message).slice(0, 200) } };
      }
    },
  };
}
