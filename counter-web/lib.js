// Shared by the clerk console and the rating tablet: the JSON API, the server's clock,
// the live counter feed with reconnection, and a tiny translation helper.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || code);
    this.status = status;
    this.code = code;
  }
}

/** Call the API with the session cookie. Answers the parsed JSON, or null for 204. */
export async function api(method, path, body) {
  const init = { method, credentials: 'same-origin', headers: { accept: 'application/json' } };
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
  clock.fromResponse(res);
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

/**
 * The server's "now". Ticket times come from the server's clock, so timers are measured
 * against it: first from the HTTP Date header, then from the time stamp of each live
 * event (which is the hall's own clock, even when it is not the machine's).
 */
let offset = 0;
let fromEvents = false;
export const clock = {
  now: () => Date.now() + offset,
  fromResponse(res) {
    const date = res.headers.get('date');
    if (fromEvents || !date) return;
    const t = Date.parse(date);
    if (!Number.isNaN(t)) offset = t + 500 - Date.now();
  },
  /** An instant the server stamped as "now" just before we received it. */
  serverSaidNow(iso) {
    const t = Date.parse(iso);
    if (Number.isNaN(t)) return;
    const o = t + 500 - Date.now();
    if (!fromEvents || Math.abs(o - offset) > 1500) offset = o;
    fromEvents = true;
  },
  /** An instant that has certainly passed: the clock is never behind it. */
  saw(iso) {
    const t = iso ? Date.parse(iso) : NaN;
    if (t > clock.now()) offset = t - Date.now();
  },
};

/**
 * Follow /ws/counters/{no}: `onFrame` gets every frame (snapshot or event), `onState`
 * says whether the feed is live. Reconnects by itself (0.5 s doubling to 5 s) and checks
 * the server every 15 s so a silently dead link is noticed.
 */
export function counterFeed(no, onFrame, onState) {
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws/counters/${no}`;
  let ws = null;
  let delay = 500;
  let retry = null;
  let stopped = false;
  let live = false;
  const setLive = (v) => {
    if (v !== live) {
      live = v;
      onState(v);
    }
  };

  function connect() {
    retry = null;
    const sock = new WebSocket(url);
    ws = sock;
    sock.onmessage = (e) => {
      let frame;
      try {
        frame = JSON.parse(e.data);
      } catch {
        return;
      }
      if (frame.type === 'snapshot') {
        delay = 500;
        setLive(true);
      }
      if (frame.type === 'event' && frame.at) clock.serverSaidNow(frame.at);
      onFrame(frame);
    };
    sock.onclose = () => {
      if (ws !== sock) return;
      setLive(false);
      if (!stopped && !retry) {
        retry = setTimeout(connect, delay);
        delay = Math.min(delay * 2, 5000);
      }
    };
    sock.onerror = () => sock.close();
  }

  const watchdog = setInterval(async () => {
    if (!live || !ws) return;
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), 5000);
    try {
      const res = await fetch('/healthz', { signal: ctl.signal, cache: 'no-store' });
      if (!res.ok) throw new Error();
    } catch {
      ws?.close();
    } finally {
      clearTimeout(timer);
    }
  }, 15000);

  connect();
  onState(false);
  return {
    close() {
      stopped = true;
      clearInterval(watchdog);
      clearTimeout(retry);
      const sock = ws;
      ws = null;
      sock?.close();
    },
  };
}

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
  t.set = (l) => {
    lang = l;
    localStorage.setItem('motcua.lang', l);
    document.documentElement.lang = l;
    applyStatic(t);
  };
  document.documentElement.lang = lang;
  return t;
}

/** Fill every `data-i18n` element (and `data-i18n-placeholder`) from the strings. */
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
  const text = t(key);
  if (text !== key) return text;
  if (err.status === 401) return t('err.unauthenticated');
  if (err.status === 403) return t('err.forbidden');
  if (err.status >= 500) return t('err.internal');
  return `${t('err.generic')} (${err.code})`;
}

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
