// Shared by the dashboard, the daily report and the city's dashboard (the collector serves
// these files at /shared/): the JSON API, translations, number and date formats, the live
// hall feed with reconnection, and a tiny element builder.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || code);
    this.status = status;
    this.code = code;
  }
}

/** Call the API with the session cookie. Answers the parsed JSON, or null for 204. */
export async function api(method, path, body) {
  const init = {
    method,
    credentials: 'same-origin',
    headers: { accept: 'application/json' },
    cache: 'no-store',
  };
  if (method !== 'GET' && method !== 'DELETE') {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body ?? {});
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch {
    throw new ApiError(0, 'network', '');
  }
  if (res.status === 204) return null;
  let data = null;
  try {
    data = await res.json();
  } catch {
    /* not JSON: handled below */
  }
  if (!res.ok) {
    throw new ApiError(res.status, data?.error?.code || `http_${res.status}`, data?.error?.message || '');
  }
  return data;
}

/** Whether a signed-in user may see the figures. */
export const mayRead = (user) => user?.role === 'manager' || user?.role === 'admin';

// ---------- translations ----------

/** Translations: `t('key', {vars})` in the chosen language, Vietnamese by default. */
export function makeI18n(strings) {
  const param = new URLSearchParams(location.search).get('lang');
  let lang = param === 'en' || param === 'vi' ? param : localStorage.getItem('motcua.lang') || 'vi';
  if (!strings[lang]) lang = 'vi';
  const t = (key, vars = {}) => {
    const s = strings[lang][key] ?? strings.vi[key] ?? key;
    return s.replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? ''));
  };
  t.lang = () => lang;
  t.has = (key) => key in strings[lang] || key in strings.vi;
  t.set = (l) => {
    lang = l;
    localStorage.setItem('motcua.lang', l);
    document.documentElement.lang = l;
    applyStatic(t);
  };
  document.documentElement.lang = lang;
  return t;
}

/** Fill every `data-i18n` element (and placeholders, titles) from the strings. */
export function applyStatic(t) {
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll('[data-i18n-placeholder]'))
    el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of document.querySelectorAll('[data-i18n-title]')) el.title = t(el.dataset.i18nTitle);
}

/** A sentence for people from an API error: known codes in plain words, never raw JSON. */
export function errorText(t, err) {
  if (!(err instanceof ApiError)) return t('err.generic');
  const key = `err.${err.code}`;
  if (t.has(key)) return t(key);
  if (err.status === 401) return t('err.unauthenticated');
  if (err.status === 403) return t('err.forbidden');
  if (err.status >= 500) return t('err.internal');
  // A refusal the page has no words for: the server's own message says what was wrong.
  const detail = err.message && err.message !== err.code ? `: ${err.message}` : '';
  return `${t('err.generic')} (${err.code}${detail})`;
}

// ---------- formats ----------

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
  valid: (day) => /^\d{4}-\d{2}-\d{2}$/.test(day ?? '') && !Number.isNaN(Date.parse(`${day}T00:00:00Z`)),
  /** The browser's own date, until the server has said what day it is in the hall. */
  browserToday() {
    const now = new Date();
    const two = (n) => String(n).padStart(2, '0');
    return `${now.getFullYear()}-${two(now.getMonth() + 1)}-${two(now.getDate())}`;
  },
};

// ---------- the live hall feed ----------

const FIRST_DELAY = 500;
const MAX_DELAY = 10000;
const QUIET_MS = 30000;

/**
 * Follow /ws/hall: `onFrame` gets every frame (snapshot or event), `onState(live)` says
 * whether the feed is up; live only once a snapshot has arrived. Reconnects by itself
 * (0.5 s doubling to 10 s); after 30 s of silence asks /healthz whether the server is
 * still there, so a silently dead link is noticed.
 */
export function hallFeed(onFrame, onState) {
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws/hall`;
  let ws = null;
  let delay = FIRST_DELAY;
  let retry = null;
  let stopped = false;
  let live = false;
  let lastHeard = Date.now();
  const setLive = (v) => {
    if (v !== live) {
      live = v;
      onState(v);
    }
  };

  function open() {
    retry = null;
    const socket = new WebSocket(url);
    ws = socket;
    socket.onmessage = (message) => {
      lastHeard = Date.now();
      let frame;
      try {
        frame = JSON.parse(message.data);
      } catch {
        return;
      }
      if (frame.type === 'snapshot') {
        delay = FIRST_DELAY;
        setLive(true);
      }
      onFrame(frame);
    };
    socket.onclose = () => lost(socket);
    socket.onerror = () => lost(socket);
  }

  function lost(socket) {
    if (socket !== ws) return;
    ws = null;
    socket.onmessage = socket.onclose = socket.onerror = null;
    try {
      socket.close();
    } catch {
      /* already closed */
    }
    setLive(false);
    if (!stopped && !retry) {
      retry = setTimeout(open, delay);
      delay = Math.min(delay * 2, MAX_DELAY);
    }
  }

  const watchdog = setInterval(async () => {
    const socket = ws;
    if (!socket || Date.now() - lastHeard < QUIET_MS) return;
    try {
      const r = await fetch('/healthz', { cache: 'no-store', signal: AbortSignal.timeout(5000) });
      if (!r.ok) throw new Error(`healthz ${r.status}`);
      lastHeard = Date.now();
    } catch {
      lost(socket);
    }
  }, 5000);

  open();
  onState(false);
  return {
    close() {
      stopped = true;
      clearInterval(watchdog);
      clearTimeout(retry);
      const socket = ws;
      ws = null;
      if (socket) {
        socket.onmessage = socket.onclose = socket.onerror = null;
        socket.close();
      }
    },
  };
}

// ---------- DOM ----------

/** Create an element: h('li', {class: 'x', dataset: {id: 1}}, child, 'text'). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'class') el.className = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    // Through the CSSOM: a style attribute would be inline style, which the CSP forbids.
    else if (k === 'style') el.style.cssText = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  el.append(...children.flat().filter((c) => c != null && c !== false));
  return el;
}
