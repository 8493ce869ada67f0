import type { Db, PrismaClient } from '../../server/src/lib/db';
import { withTransaction } from '../../server/src/lib/db';
import { newId } from '../../server/src/lib/ids';

type Handler = (body: Record<string, unknown>, url: URL) => Promise<{ status: number; body: unknown }>;

/** Baseline modes of the capability benchmarks (stores, coupons, group-buy, slots): one entry each. */
export function modes(db: Db, prisma: PrismaClient): Record<string, Handler> {
  return {
    /** The naive join: a Prisma interactive transaction that re-reads the group and the member, checks, writes. */
    'naive-join': async (body) => {
      const { userId, groupBuyId, units } = body as { userId: string; groupBuyId: string; units: number };
      try {
        return await prisma.$transaction(async (tx) => {
          const g = await tx.groupBuy.findUnique({ where: { id: groupBuyId } });
          if (!g || g.status !== 'open' || g.deadline.getTime() <= Date.now()) return { status: 409, body: { error: { code: 'GROUP_BUY_CLOSED' } } };
          const m = await tx.groupBuyMember.findFirst({ where: { groupBuyId, userId } });
          const delta = units - (m?.units ?? 0);
          if (g.unitsJoined + delta > g.maxUnits) return { status: 409, body: { error: { code: 'GROUP_BUY_FULL' } } };
          await tx.groupBuy.update({ where: { id: groupBuyId }, data: { unitsJoined: g.unitsJoined + delta, membersCount: g.membersCount + (m ? 0 : 1) } });
          if (m) await tx.groupBuyMember.update({ where: { id: m.id }, data: { units } });
          else await tx.groupBuyMember.create({ data: { id: newId(), groupBuyId, userId, units } });
          return { status: 200, body: { ok: true } };
        }, { timeout: 20000, maxWait: 20000 });
      } catch (err) {
        return { status: 503, body: { error: String((err as Error).message).slice(0, 200) } };
      }
    },
    /**
     * The naive slot booking: read the places left, then write the booking and the new count
     * computed from what was read (no lock, no condition), as the mall projects STYLE.md warns of do.
     */
    'naive-slot-booking': async (body) => {
      const { slotId, userId } = body as { slotId: string; userId: string };
      try {
        const [rows] = await db.query('SELECT capacity, booked FROM delivery_slots WHERE id = ?', [slotId]);
        const slot = (rows as { capacity: number; booked: number }[])[0];
        if (!slot || slot.booked >= slot.capacity) return { status: 409, body: { error: { code: 'SLOT_FULL' } } };
        const id = newId();
        await db.query('INSERT INTO bench_naive_bookings (id, slot_id, user_id) VALUES (?, ?, ?)', [id, slotId, userId]);
        await db.query('UPDATE delivery_slots SET booked = ? WHERE id = ?', [slot.booked + 1, slotId]);
        return { status: 201, body: { id } };
      } catch (err) {
        return { status: 503, body: { error: String((err as Error).message).slice(0, 200) } };
      }
    },
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
