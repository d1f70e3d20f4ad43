// The number, duration, share and date formats the figures are written in, shared by the
// hall's dashboard, its daily report and the city's page (the collector serves this file at
// /dashboard/format.js too), and who may read the figures.

/** Whether a signed-in user may see the figures. */
export const mayRead = (user) => user?.role === 'manager' || user?.role === 'admin';

/**
 * Number, duration, share and date formats in the page's language: "12,5 phút" and
 * "31%" in Vietnamese, "12.5 min" in English; a missing figure is "—".
 */
export function makeFormat(t) {
  const locale = () => (t.lang() === 'en' ? 'en-GB' : 'vi-VN');
  const cache = new Map();
  const nf = (opts) => {
    const key = `${locale()}|${JSON.stringify(opts)}`;
    if (!cache.has(key)) cache.set(key, new Intl.NumberFormat(locale(), opts));
    return cache.get(key);
  };
  const missing = (v) => v == null || Number.isNaN(v);
  const DASH = '—';
  const f = {
    DASH,
    int: (n) => (missing(n) ? DASH : nf({ maximumFractionDigits: 0 }).format(n)),
    /** Seconds as minutes, one decimal at most, without the unit (tables, axes). */
    minutesNumber: (s) => (missing(s) ? DASH : nf({ maximumFractionDigits: 1 }).format(s / 60)),
    /** Seconds as "12,5 phút". */
    minutes: (s) => (missing(s) ? DASH : t('unit.min', { n: f.minutesNumber(s) })),
    /** Whole minutes as "12 phút". */
    wholeMinutes: (m) =>
      missing(m) ? DASH : t('unit.min', { n: nf({ maximumFractionDigits: 0 }).format(m) }),
    /** A long stretch (a counter's open time) as "3 giờ 20 phút". */
    hours: (s) => {
      if (missing(s)) return DASH;
      const total = Math.round(s / 60);
      const h = Math.floor(total / 60);
      const m = total % 60;
      if (!h) return t('unit.min', { n: m });
      return m ? t('unit.hm', { h, m }) : t('unit.h', { h });
    },
    percent: (share, digits = 0) =>
      missing(share) ? DASH : nf({ style: 'percent', maximumFractionDigits: digits }).format(share),
    /** The hall's wall-clock time of an RFC 3339 instant: it carries the hall's offset. */
    time: (iso) => (typeof iso === 'string' && iso.length >= 16 ? iso.slice(11, 16) : DASH),
    /** How long ago, from minutes: "vừa xong", "12 phút trước", "3 giờ trước", "2 ngày trước". */
    ago: (m) => {
      if (missing(m)) return DASH;
      if (m < 1) return t('ago.now');
      if (m < 120) return t('ago.min', { n: Math.floor(m) });
      if (m < 48 * 60) return t('ago.h', { n: Math.floor(m / 60) });
      return t('ago.d', { n: Math.floor(m / 1440) });
    },
    /**
     * An instant's wall-clock time, with its day when that is not `today`: "14:32",
     * "24/11 14:32", "24/11/2025 14:32" (another year).
     */
    stamp: (iso, today) => {
      if (typeof iso !== 'string' || iso.length < 16) return DASH;
      const day = iso.slice(0, 10);
      const time = iso.slice(11, 16);
      if (day === today) return time;
      const sameYear = day.slice(0, 4) === String(today).slice(0, 4);
      return `${sameYear ? f.dayMonth(day) : f.dateShort(day)} ${time}`;
    },
    timeSeconds: (iso) => (typeof iso === 'string' && iso.length >= 19 ? iso.slice(11, 19) : DASH),
    /** "25/11/2026" from "2026-11-25". */
    dateShort: (day) => {
      const [y, m, d] = String(day).split('-');
      return d ? t('date.short', { d, m, y }) : DASH;
    },
    /** "25/11" from "2026-11-25". */
    dayMonth: (day) => {
      const [, m, d] = String(day).split('-');
      return d ? `${d}/${m}` : DASH;
    },
    /** "Thứ Tư, ngày 25 tháng 11 năm 2026" / "Wednesday, 25 November 2026". */
    dateLong: (day) => {
      const [y, m, d] = String(day).split('-').map(Number);
      if (!d) return DASH;
      const weekday = t(`weekday.${new Date(Date.UTC(y, m - 1, d)).getUTCDay()}`);
      return t('date.long', { weekday, d, m, y, month: t(`month.${m}`) });
    },
  };
  return f;
}

// ---------- local dates (YYYY-MM-DD strings, no time zone involved) ----------

export const dates = {
  /** The hall's date of an RFC 3339 instant (it is written in the hall's offset). */
  of: (iso) => String(iso).slice(0, 10),
  add(day, n) {
    const [y, m, d] = day.split('-').map(Number);
    return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
  },
  monthStart: (day) => `${day.slice(0, 8)}01`,
  /** The range a quick button names ('today', '7', '30' days, 'month'), ending `today`. */
  quick(today, which) {
    switch (which) {
      case '7':
        return { from: dates.add(today, -6), to: today };
      case '30':
        return { from: dates.add(today, -29), to: today };
      case 'month':
        return { from: dates.monthStart(today), to: today };
      default:
        return { from: today, to: today };
    }
  },
  valid: (day) => /^\d{4}-\d{2}-\d{2}$/.test(day ?? '') && !Number.isNaN(Date.parse(`${day}T00:00:00Z`)),
  /** The browser's own date, until the server has said what day it is in the hall. */
  browserToday() {
    const now = new Date();
    const two = (n) => String(n).padStart(2, '0');
    return `${now.getFullYear()}-${two(now.getMonth() + 1)}-${two(now.getDate())}`;
  },
};
