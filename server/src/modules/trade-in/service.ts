import type { Deps } from '../../lib/deps';
import type { AuthUser } from '../../lib/auth';
import { conflict, notFound } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { categoryName, describeCategories, type TradeInCategory } from './categories';
import { priceTradeIn } from './pricing';
import { TradeInRules } from './rules';
import type { QuoteAnswers } from './schemas';
import * as repo from './repository';

/**
 * Trade-in quotes (以旧换新): a villager answers a few questions about an old appliance and gets
 * what it is worth against a new one, priced with the latest published rule version, valid for a
 * configured number of days and usable on one order.
 */
export const listCategories = describeCategories;

// Published versions never change, so a parsed version can be kept for the life of the process.
const parsedRules = new Map<number, TradeInRules>();

export function parseStoredRules(version: number, raw: unknown): TradeInRules {
  let rules = parsedRules.get(version);
  if (!rules) parsedRules.set(version, (rules = TradeInRules.parse(raw)));
  return rules;
}

export function presentQuote(q: repo.QuoteRow, now = new Date()) {
  return {
    id: q.id,
    category: q.category,
    categoryName: categoryName(q.category as TradeInCategory),
    answers: q.answers,
    amountFen: q.amountFen,
    subsidyFen: q.subsidyFen,
    totalFen: q.totalFen,
    breakdown: q.breakdown,
    ruleVersion: q.ruleVersion,
    createdAt: q.createdAt.toISOString(),
    expiresAt: q.expiresAt.toISOString(),
    status: q.orderId ? ('used' as const) : q.expiresAt.getTime() <= now.getTime() ? ('expired' as const) : ('valid' as const),
    orderId: q.orderId,
    inspection:
      q.inspectedAt && q.inspectedCondition && q.inspectedWorking !== null && q.finalFen !== null
        ? { condition: q.inspectedCondition as 'excellent', working: q.inspectedWorking, finalFen: q.finalFen, breakdown: q.finalBreakdown ?? [], inspectedAt: q.inspectedAt.toISOString() }
        : null,
  };
}

export async function quoteTradeIn(deps: Deps, user: AuthUser, answers: QuoteAnswers) {
  const latest = await repo.latestRules(deps.db);
  if (!latest) throw conflict('TRADE_IN_UNAVAILABLE', '估价规则尚未发布，请稍后再试');
  const priced = priceTradeIn(parseStoredRules(latest.version, latest.rules), answers);
  const createdAt = new Date();
  const row = {
    id: newId(),
    userId: user.id,
    category: answers.category,
    ruleVersion: latest.version,
    answers: { ...answers } as Record<string, unknown>,
    ...priced,
    createdAt,
    expiresAt: new Date(createdAt.getTime() + deps.config.tradeIn.quoteValidDays * 86_400_000),
  };
  await repo.insertQuote(deps.db, row);
  return presentQuote({ ...row, orderId: null, creditFen: null, creditCapFen: null, inspectedCondition: null, inspectedWorking: null, finalFen: null, finalBreakdown: null, inspectedAt: null }, createdAt);
}

export async function getMyQuote(deps: Deps, user: AuthUser, id: string) {
  const q = await repo.findUserQuote(deps.db, id, user.id);
  if (!q) throw notFound('估价不存在');
  return presentQuote(q);
}

export async function listMyQuotes(deps: Deps, user: AuthUser, query: { cursor?: string; limit?: number }) {
  const limit = Math.min(query.limit ?? 20, 50);
  const rows = await repo.listUserQuotes(deps.db, user.id, query.cursor, limit);
  const page = rows.slice(0, limit);
  return { items: page.map((q) => presentQuote(q)), nextCursor: rows.length > limit ? page[page.length - 1].id : null };
}

export async function publishRules(deps: Deps, admin: AuthUser, rules: TradeInRules) {
  const publishedAt = new Date();
  const version = await repo.insertNextRuleVersion(deps.db, rules, admin.id, publishedAt);
  deps.logger.info({ version, by: admin.id }, 'trade-in rules published');
  return { version, publishedAt: publishedAt.toISOString(), publishedBy: admin.id, rules };
}

export async function currentRules(deps: Deps) {
  const latest = await repo.latestRules(deps.db);
  if (!latest) throw notFound('估价规则尚未发布');
  return { version: latest.version, publishedAt: latest.publishedAt.toISOString(), publishedBy: latest.publishedBy, rules: parseStoredRules(latest.version, latest.rules) };
}
