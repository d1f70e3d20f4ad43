// The server's word: the fields, the hall's name and whether it takes bookings (and only
// bookings: online-only) (/api/services), the hall's live feed
// (waiting counts, counters opening and closing), the kiosk's own feed (its printer, its print
// jobs), and the pairing token that lets this kiosk issue numbers.

import { api } from '/shared/api.js';
import { follow } from '/shared/feed.js';
import { startPairing } from '/shared/pairing.js';
import { recheckAt } from './hours.js';
import { nav, S, t } from './state.js';
import { printState, setPrint } from './ticket.js';

const TOKEN_KEY = 'motcua.kiosk.token';

function applyServices(list) {
  S.services = (list || []).map((s) => ({ ...s }));
}

function recount() {
  for (const s of S.services) {
    let open = 0;
    for (const c of S.counters.values()) if (c.state === 'open' && c.services.includes(s.code)) open++;
    s.counters_open = open;
  }
}

let quotaTimer = null;
function quotasLater() {
  if (quotaTimer) return;
  quotaTimer = setTimeout(() => {
    quotaTimer = null;
    loadMeta();
  }, 300);
}

function onHall(m) {
  if (m.type === 'snapshot') {
    S.snapshot = true;
    if (m.hall) S.hall = m.hall.normalize('NFC');
    applyServices(m.services);
    S.counters = new Map((m.counters || []).map((c) => [c.no, c]));
    nav.dataChanged();
    // A snapshot while the feed stays up means the hall's set-up changed (the admin pages):
    // its notice, bookings and hours too. (After a connect, onState reads them.)
    if (S.hallUp) loadMeta();
  } else if (m.type === 'event') {
    if (m.waiting) for (const s of S.services) s.waiting = m.waiting[s.code] ?? 0;
    // A number given anywhere in the hall may take one of its field's quota: the hall feed
    // merges quiet changes, so the quotas are read again (once for a burst) rather than counted.
    if (m.kind === 'issued' && S.services.some((s) => s.quota_left != null)) quotasLater();
    if (m.counter) {
      S.counters.set(m.counter.no, m.counter);
      recount();
    }
    nav.dataChanged();
  }
}

export async function loadMeta() {
  try {
    const b = await api('GET', '/api/services');
    if (!b) throw new Error('no answer');
    S.hall = (b.hall || '').normalize('NFC');
    S.notice = (b.notice || '').normalize('NFC');
    S.tz = b.timezone || S.tz;
    S.priorities = b.priorities || [];
    if (!S.snapshot) applyServices(b.services);
    // The quotas as of now (the snapshot may be older: a new day started since).
    else
      for (const f of b.services || []) {
        const s = S.services.find((x) => x.code === f.code);
        if (s) s.quota_left = f.quota_left;
      }
    const was = S.bookings.online_only;
    S.bookings = { enabled: Boolean(b.bookings?.enabled), online_only: Boolean(b.bookings?.online_only) };
    S.issuing = b.issuing || { open: true };
    // Numbers stop or start at a time the server gave: read its word again then.
    recheckAt(loadMeta);
    S.metaOk = true;
    // The hall went online-only (or back) while someone is on the priority step: redraw it,
    // so it offers what the hall gives now.
    if (was !== S.bookings.online_only && S.screen === 'priority' && !S.busy) nav.draw();
  } catch {
    S.metaOk = false;
    if (S.hallUp) setTimeout(() => S.hallUp && !S.metaOk && loadMeta(), 2000);
  }
  nav.dataChanged();
}

function onKiosk(m) {
  if (m.type === 'snapshot' || m.type === 'printer') {
    S.printer = m.printer ?? null;
    // Only the snapshot says "no printer" (null); a printer frame always has one.
    S.noPrinter = m.type === 'snapshot' && !m.printer;
    nav.dataChanged();
  } else if (m.type === 'print') {
    S.printResults.set(m.job, m);
    if (S.printResults.size > 50) S.printResults.delete(S.printResults.keys().next().value);
    if (S.print && S.print.job === m.job) setPrint(printState(m.status), m.reason);
  }
}

/** The kiosk feed would not open: is the server up and refusing our token? */
async function checkPairing() {
  if (!S.token || S.screen === 'ticket') return;
  try {
    await api('GET', `/ws/kiosk?token=${encodeURIComponent(S.token)}`);
  } catch (e) {
    if (e.status === 401 || e.status === 403) unpair(true);
    // Anything else: the server is away, or it is there and takes the token; the feeds keep trying.
  }
}

let feeds = [];

export function connect() {
  loadMeta();
  setTimeout(() => {
    if (S.hallUp || S.hallLost) return;
    S.hallLost = true;
    nav.drawChrome();
  }, 5000);
  feeds = [
    follow('/ws/hall', {
      onFrame: onHall,
      onState(live) {
        if (!live) return;
        // The snapshot has come (onHall took it): the fields' names and the notice again.
        S.hallUp = true;
        S.hallLost = false;
        loadMeta();
      },
      onClose() {
        Object.assign(S, { hallUp: false, hallLost: true, snapshot: false });
        nav.drawChrome();
      },
    }),
    follow(`/ws/kiosk?token=${encodeURIComponent(S.token)}`, {
      onFrame: onKiosk,
      onClose({ opened }) {
        S.printer = null;
        S.noPrinter = false;
        if (!S.token) return false; // unpaired: nothing to follow
        if (!opened) checkPairing();
      },
    }),
  ];
}

export function unpair(revoked) {
  try {
    localStorage.removeItem(TOKEN_KEY);
  } catch {
    // Storage off: nothing kept anyway.
  }
  for (const f of feeds) f.close();
  feeds = [];
  Object.assign(S, { token: null, revoked, hallUp: false, hallLost: false, metaOk: false, busy: false });
  t.set('vi');
  nav.show('unpaired');
  loadMeta();
  pairByCode();
}

let pairing = null;

/**
 * Not paired: show a code for an admin to accept (/shared/pairing.js); once accepted the
 * token is kept as a ?token= one would be, and the kiosk starts.
 */
export function pairByCode() {
  pairing?.stop();
  pairing = startPairing({
    kind: 'kiosk',
    onChange(state) {
      S.pairing = { ...state };
      if (S.screen === 'unpaired') nav.draw();
    },
    onPaired(token) {
      pairing = null;
      S.pairing = null;
      try {
        localStorage.setItem(TOKEN_KEY, token);
      } catch {
        // Storage off: this page load only.
      }
      Object.assign(S, { token, revoked: false });
      nav.show('start');
      connect();
    },
  });
  S.pairing = { ...pairing.state };
}

/** ?token=… pairs this kiosk: kept in localStorage, taken out of the address bar. */
export function pairFromAddress() {
  const q = new URLSearchParams(location.search);
  let token = null;
  try {
    if (q.has('token')) {
      const given = (q.get('token') || '').trim();
      if (/^[\x21-\x7e]{8,128}$/.test(given)) localStorage.setItem(TOKEN_KEY, given);
    }
    token = localStorage.getItem(TOKEN_KEY);
  } catch {
    token = q.get('token'); // storage off: this page load only
  }
  if (q.has('token')) {
    q.delete('token');
    const rest = q.toString();
    history.replaceState(null, '', location.pathname + (rest ? `?${rest}` : '') + location.hash);
  }
  return token;
}
