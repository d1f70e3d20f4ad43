// What the kiosk knows: the state `S` every screen is drawn from, its words (`t`), and what
// follows from them (which fields are open, what ails the printer). No drawing here.

import { makeI18n } from '/shared/i18n.js';
import { kioskStrings } from './strings.js';

// Vietnamese for every new citizen: the choice of English is never kept for the next one.
export const t = makeI18n(kioskStrings, { remember: false });

/** The language not chosen now, for the small text under the chosen one. */
export const otherLang = () => (t.lang() === 'vi' ? 'en' : 'vi');

export const PRIORITY_KINDS = ['elderly', 'disabled', 'pregnant', 'war_invalid', 'meritorious'];

export const S = {
  token: null,
  revoked: false,
  // Not paired: how pairing by a code stands (/shared/pairing.js), drawn on the unpaired screen.
  pairing: null,
  screen: null,
  shownAt: 0,
  hall: '',
  tz: 'Asia/Ho_Chi_Minh',
  notice: '',
  services: [],
  priorities: [],
  counters: new Map(),
  printer: null,
  noPrinter: false, // the kiosk feed's snapshot says this kiosk has no printer at all
  hallUp: false, // the hall feed is live (its snapshot came)
  hallLost: false, // it closed (or never opened within a few seconds) and is not back yet
  metaOk: false, // /api/services answered (since the hall feed last opened)
  snapshot: false, // the hall feed's snapshot arrived since it opened
  // /api/services: the hall takes bookings (the kiosk checks them in); online-only, walk-in
  // numbers are for the priority kinds alone.
  bookings: { enabled: false, online_only: false },
  // /api/services: whether numbers are given now ({open, until} or {open: false, why, since,
  // reopens, closed_vi, closed_en}), by the hall's hours.
  issuing: { open: true },
  field: null,
  priority: 'none',
  busy: false,
  error: null,
  retryAfter: 10,
  ticket: null,
  // The check-in screen: {typed (the code so far), via: keypad|scan|card, error, booking
  // (looked up to say when to come back), retryAfter}. Never the ID card's number.
  checkin: null,
  booking: null, // the ticket shown is a check-in's: {outcome: checked_in|walk_in, booking}
  // The result screen: {receipt: {dossier, procedure} (never shown), choose (the citizen picks
  // the field), error, retryAfter}.
  result: null,
  resultTicket: false, // the ticket shown is a result pick-up ticket ("Nhận kết quả")
  print: null, // {job, state: printing|waiting|printed|failed, reason}
  printResults: new Map(), // job -> the kiosk feed's word, in case it beats our own answer
  pointerDown: false,
  redrawLater: false,
};

/**
 * The page's moves, filled in by app.js, so the screens' modules call them without importing
 * the module that imports them: show(name), draw(), drawChrome(), dataChanged(), goStart(),
 * armIdle(keep), unpair(revoked), notice(key) (a short word over any screen), forgetTicket().
 */
export const nav = {};

export function service(code) {
  return S.services.find((s) => s.code === code);
}

/** A field's (or anything's) name from the server: [in the language chosen, in the other]. */
export function names(vi, en) {
  const a = (vi || en || '').normalize('NFC');
  const b = (en || '').normalize('NFC');
  return t.lang() === 'vi' ? [a, b] : [b || a, a];
}

export function priorityName(code) {
  if (t.has(`prio_${code}`)) return t(`prio_${code}`);
  const p = S.priorities.find((x) => x.code === code);
  if (!p) return code;
  return t.pick(p.label_vi, p.label_en) || code;
}

/** A reason code from the server as the key of its words ("hết giấy"). */
export function reasonKey(reason) {
  const key = `why_${reason}`;
  return t.has(key) ? key : 'why_other';
}

// ---- what is open ----------------------------------------------------------------

function pausedFor(code) {
  for (const c of S.counters.values()) {
    if (c.state === 'paused' && (!code || c.services.includes(code))) return true;
  }
  return false;
}

/** 'open' | 'break' | 'closed' | 'full' (its numbers of the day are given) for one field. */
export function fieldState(s) {
  if (s.quota_left === 0) return 'full';
  if (s.counters_open > 0) return 'open';
  return pausedFor(s.code) ? 'break' : 'closed';
}

/** 'open' | 'break' | 'closed' for the whole hall. */
export function hallState() {
  if (!S.services.length || S.services.some((s) => s.counters_open > 0)) return 'open';
  return pausedFor(null) ? 'break' : 'closed';
}

/**
 * The printer's trouble as a reason code (the server's list: printer/src/reason.rs), or null
 * when it is fine (or unknown). A report's `error` is a code of that list: why the printer
 * could not be asked (`printer_timeout`, `printer_unreachable`, …) or `printer_error`, its
 * own error bit, which the paper and cover bits explain better when they are set.
 */
export function printerTrouble() {
  const p = S.printer;
  if (!p) return null;
  const r = p.report;
  const said = r?.error && t.has(`why_${r.error}`) ? r.error : null;
  // An agent that is away says nothing new; the server's own printer says why it is not reachable.
  if (!p.connected) return p.via !== 'agent' && said ? said : 'printer_away';
  if (!r) return null;
  if (said && said !== 'printer_error') return said;
  if (r.paper_out) return 'paper_out';
  if (r.cover_open) return 'cover_open';
  if (r.error) return 'printer_error';
  if (!r.online) return 'printer_offline';
  return null;
}
