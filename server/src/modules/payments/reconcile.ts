import type { Deps } from '../../lib/deps';
import { withTransaction } from '../../lib/db';
import { paymentMetrics } from './metrics';
import * as repo from './repository';
import { wechatPay } from './wechatpay';

/**
 * Reconciliation against WeChat Pay's daily trade bill (ALL: the day's payments and refunds). Every
 * difference is recorded once per bill date: a payment or refund in the bill we do not have as paid
 * or refunded (missing_here), one we have that the bill lacks (missing_there), or different amounts.
 * The metric `wechatpay_reconciliation_mismatches{kind}` holds the last run's counts.
 */
export type BillRow = { kind: 'payment' | 'refund'; outTradeNo: string; outRefundNo: string | null; fen: number };

/** Yuan with at most two decimals, as the bill writes them, to fen; NaN for anything else. */
export function yuanToFen(text: string): number {
  const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(text.trim());
  return m ? Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0')) : NaN;
}

/** The bill's detail rows (each field starts with a backtick, the header names the columns; the summary is left out). */
export function parseTradeBill(csv: string): BillRow[] {
  const lines = csv.replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim());
  if (!lines.length) return [];
  const head = lines[0].split(',');
  const col = (name: string) => {
    const i = head.indexOf(name);
    if (i < 0) throw new Error(`trade bill without column ${name}`);
    return i;
  };
  const [outTradeNo, state, orderFen, outRefundNo, refundFen] = [col('商户订单号'), col('交易状态'), col('订单金额'), col('商户退款单号'), col('申请退款金额')];
  const rows: BillRow[] = [];
  for (const line of lines.slice(1)) {
    if (line.startsWith('总交易单数')) break;
    const f = line.split(',').map((c) => c.replace(/^`/, ''));
    if (f[state] === 'SUCCESS') rows.push({ kind: 'payment', outTradeNo: f[outTradeNo], outRefundNo: null, fen: yuanToFen(f[orderFen]) });
    else if (f[state] === 'REFUND' || f[state] === 'REVOKED') rows.push({ kind: 'refund', outTradeNo: f[outTradeNo], outRefundNo: f[outRefundNo], fen: yuanToFen(f[refundFen]) });
  }
  return rows;
}

type OurPayment = Pick<repo.PaymentRow, 'id' | 'amountFen' | 'paidAt'>;
type OurRefund = Pick<repo.RefundRow, 'id' | 'amountFen' | 'status'>;

/**
 * The differences, given the bill, our payments paid that day and our refunds made that day
 * (`dayPayments`, `dayRefunds`) and anything else of ours the bill names (`known*`).
 */
export function compareBill(bill: BillRow[], ours: { dayPayments: OurPayment[]; dayRefunds: OurRefund[]; knownPayments: Map<string, OurPayment>; knownRefunds: Map<string, OurRefund> }): repo.Mismatch[] {
  const out: repo.Mismatch[] = [];
  const billed = new Set(bill.map((r) => (r.kind === 'payment' ? `p:${r.outTradeNo}` : `r:${r.outRefundNo}`)));
  for (const r of bill) {
    if (r.kind === 'payment') {
      const p = ours.knownPayments.get(r.outTradeNo);
      if (!p?.paidAt) out.push({ kind: 'missing_here', ref: r.outTradeNo, hereFen: p?.amountFen ?? null, thereFen: r.fen, detail: p ? 'paid at WeChat Pay, not paid here' : 'unknown out_trade_no' });
      else if (p.amountFen !== r.fen) out.push({ kind: 'amount_differs', ref: r.outTradeNo, hereFen: p.amountFen, thereFen: r.fen, detail: 'payment' });
    } else {
      const ref = r.outRefundNo ?? '';
      const ours_ = ours.knownRefunds.get(ref);
      if (!ours_ || !['processing', 'success', 'abnormal'].includes(ours_.status)) {
        out.push({ kind: 'missing_here', ref, hereFen: ours_?.amountFen ?? null, thereFen: r.fen, detail: ours_ ? `refund ${ours_.status} here` : `unknown out_refund_no (trade ${r.outTradeNo})` });
      } else if (ours_.amountFen !== r.fen) out.push({ kind: 'amount_differs', ref, hereFen: ours_.amountFen, thereFen: r.fen, detail: 'refund' });
    }
  }
  for (const p of ours.dayPayments) if (!billed.has(`p:${p.id}`)) out.push({ kind: 'missing_there', ref: p.id, hereFen: p.amountFen, thereFen: null, detail: 'paid here, not in the bill' });
  for (const r of ours.dayRefunds) if (!billed.has(`r:${r.id}`)) out.push({ kind: 'missing_there', ref: r.id, hereFen: r.amountFen, thereFen: null, detail: 'refund here, not in the bill' });
  return out;
}

/** A Beijing calendar day as UTC instants. */
export function beijingDay(billDate: string): { from: Date; to: Date } {
  const from = new Date(`${billDate}T00:00:00+08:00`);
  return { from, to: new Date(from.getTime() + 86_400_000) };
}

/** Downloads one day's bill, compares, and records the run and its mismatches (a rerun adds nothing). */
export async function reconcileBill(deps: Deps, billDate: string): Promise<{ rows: number; mismatches: repo.Mismatch[] }> {
  const csv = await wechatPay(deps).tradeBill(billDate);
  const bill = csv ? parseTradeBill(csv) : [];
  const { from, to } = beijingDay(billDate);
  const dayPayments = await repo.paymentsPaidBetween(deps.db, from, to);
  const knownPayments = await repo.paymentsByIds(deps.db, bill.filter((r) => r.kind === 'payment').map((r) => r.outTradeNo));
  for (const p of dayPayments) knownPayments.set(p.id, p);
  const refunds = await repo.refundsForBill(deps.db, bill.filter((r) => r.kind === 'refund').map((r) => r.outRefundNo ?? ''), from, to);
  const dayRefunds = refunds.filter((r) => r.createdAt >= from && r.createdAt < to && ['processing', 'success', 'abnormal'].includes(r.status));
  const mismatches = compareBill(bill, { dayPayments, dayRefunds, knownPayments, knownRefunds: new Map(refunds.map((r) => [r.id, r])) });
  await withTransaction(deps.db, (conn) => repo.recordBillRun(conn, billDate, bill.length, mismatches));
  const metrics = paymentMetrics(deps);
  for (const kind of ['missing_here', 'missing_there', 'amount_differs'] as const) {
    const n = mismatches.filter((m) => m.kind === kind).length;
    metrics.mismatches.set({ kind }, n);
    if (n) metrics.mismatchesTotal.inc({ kind }, n);
  }
  if (mismatches.length) deps.logger.error({ billDate, mismatches: mismatches.length }, 'WeChat Pay trade bill does not match our records (payment_mismatches)');
  return { rows: bill.length, mismatches };
}

/** The job: yesterday's bill (Beijing time), once, after WeChat has made it. */
export async function reconcileYesterday(deps: Deps, now = new Date()): Promise<void> {
  const beijing = new Date(now.getTime() + 8 * 3600_000);
  if (beijing.getUTCHours() < deps.config.wechatPay.billAfterHour) return;
  const yesterday = new Date(beijing.getTime() - 86_400_000).toISOString().slice(0, 10);
  if (await repo.billRunDone(deps.db, yesterday)) return;
  await reconcileBill(deps, yesterday);
}
