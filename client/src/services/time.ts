/**
 * Times as a villager reads them, in China's time (Asia/Shanghai, UTC+8 all year) whatever the
 * phone's own zone, without Intl time zones (old WeChat base libraries lack them).
 */
const SHANGHAI_MS = 8 * 3600_000

function parts(iso: string) {
  const d = new Date(Date.parse(iso) + SHANGHAI_MS)
  return { y: d.getUTCFullYear(), mo: d.getUTCMonth() + 1, d: d.getUTCDate(), h: d.getUTCHours(), mi: d.getUTCMinutes() }
}

/** 11月30日 14:05, with the year when it is not this year: 2025年11月30日 14:05. */
export function dateTime(iso: string, now = Date.now()): string {
  const t = parts(iso)
  const year = t.y === parts(new Date(now).toISOString()).y ? '' : `${t.y}年`
  return `${year}${t.mo}月${t.d}日 ${String(t.h).padStart(2, '0')}:${String(t.mi).padStart(2, '0')}`
}
