import type { Deps } from '../../lib/deps';

/** The payments module's metrics, one set per app instance (tests build many). */
function build(deps: Deps) {
  return {
    notifications: deps.metrics.counter('wechatpay_notifications_total', 'WeChat Pay notifications by event type and outcome', ['event', 'outcome']),
    rejected: deps.metrics.counter('wechatpay_notifications_rejected_total', 'Notifications refused before any change, by reason', ['reason']),
    mismatches: deps.metrics.gauge('wechatpay_reconciliation_mismatches', 'Mismatches found by the last trade bill reconciliation, by kind', ['kind']),
    mismatchesTotal: deps.metrics.counter('wechatpay_reconciliation_mismatches_total', 'Mismatches found by trade bill reconciliations, by kind', ['kind']),
    refunds: deps.metrics.counter('wechatpay_refunds_total', 'Refunds by outcome', ['outcome']),
    shipments: deps.metrics.counter('wechatpay_shipping_uploads_total', 'Shipping info uploads by outcome', ['outcome']),
  };
}

const cache = new WeakMap<Deps, ReturnType<typeof build>>();

export function paymentMetrics(deps: Deps): ReturnType<typeof build> {
  let m = cache.get(deps);
  if (!m) {
    m = build(deps);
    cache.set(deps, m);
  }
  return m;
}
