import type { TradeInAdjustment } from '../orders/adjustments';
import { conflict, notFound } from '../../lib/errors';
import { priceTradeIn } from './pricing';
import type { QuoteAnswers } from './schemas';
import type { TradeInRules } from './rules';
import type { TradeInCategory } from './categories';
import { parseStoredRules } from './service';
import * as repo from './repository';

/**
 * The most a trade-in may credit against new appliances of its category worth `newItemsFen`,
 * under the rules' cap for that category (a share of the new items' price and a fixed maximum).
 * A rule version published before caps existed has none: the payable floor still holds.
 */
export function creditCapOf(rules: TradeInRules, category: TradeInCategory, newItemsFen: number): number {
  const cap = rules.categories[category].creditCap;
  if (!cap) return newItemsFen;
  return Math.min(cap.maxFen, Math.floor((newItemsFen * cap.maxBpsOfNewItem) / 10_000));
}

/**
 * A trade-in quote on an order, inside the order's transaction. The credit is the quote's total
 * (value + subsidy), at most the rules' cap for the new items' category and never so much that the
 * order goes below the payable floor; the cap is kept with the quote, so the store's inspection at
 * the counter can lower the credit but never raise it past the cap. The quote becomes the order's
 * by a conditional UPDATE, so a quote credits one order only.
 *
 * 404 NOT_FOUND: no such quote of this user. 409 QUOTE_EXPIRED: past its validity.
 * 409 QUOTE_ALREADY_USED: another order holds it. 409 TRADE_IN_NOT_APPLICABLE: the order holds
 * no new appliance of the quote's category.
 */
export const tradeInAdjustment: TradeInAdjustment = {
  async apply(ctx, quoteId) {
    const q = await repo.findUserQuote(ctx.conn, quoteId, ctx.userId);
    if (!q) throw notFound('以旧换新估价不存在');
    const expired = () => q.expiresAt.getTime() <= ctx.now.getTime();
    if (expired()) throw conflict('QUOTE_EXPIRED', '估价已过期，请重新估价');
    if (q.orderId) throw conflict('QUOTE_ALREADY_USED', '该估价已用于其他订单');
    const newItemsFen = ctx.lines.filter((l) => l.category === q.category).reduce((n, l) => n + l.units * l.unitPriceFen, 0);
    if (newItemsFen === 0) throw conflict('TRADE_IN_NOT_APPLICABLE', '订单里没有同类新家电，不能使用该以旧换新估价');
    const rules = parseStoredRules(q.ruleVersion, await repo.rulesOfVersion(ctx.conn, q.ruleVersion));
    const capFen = Math.max(0, Math.min(newItemsFen, creditCapOf(rules, q.category as TradeInCategory, newItemsFen), ctx.roomFen));
    const creditFen = Math.min(q.totalFen, capFen);
    if (!(await repo.takeQuote(ctx.conn, { id: quoteId, userId: ctx.userId, orderId: ctx.orderId, creditFen, creditCapFen: capFen, now: ctx.now }))) {
      throw expired() ? conflict('QUOTE_EXPIRED', '估价已过期，请重新估价') : conflict('QUOTE_ALREADY_USED', '该估价已用于其他订单');
    }
    return creditFen;
  },

  async release(conn, orderId) {
    await repo.releaseQuote(conn, orderId);
  },

  async inspect(conn, orderId, inspection) {
    const q = await repo.findQuoteOfOrder(conn, orderId);
    if (!q) return null;
    const quotedFen = q.creditFen ?? q.totalFen;
    if (q.inspectedAt && q.finalFen !== null) return { quotedFen, finalFen: q.finalFen };
    const raw = await repo.rulesOfVersion(conn, q.ruleVersion);
    const answers = { ...q.answers, condition: inspection.condition, working: inspection.working } as QuoteAnswers;
    const priced = priceTradeIn(parseStoredRules(q.ruleVersion, raw), answers);
    const finalFen = Math.min(priced.totalFen, q.creditCapFen ?? priced.totalFen);
    await repo.recordInspection(conn, { orderId, condition: inspection.condition, working: inspection.working, finalFen, breakdown: priced.breakdown, at: new Date() });
    return { quotedFen, finalFen };
  },
};
