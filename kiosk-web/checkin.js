// A booking's check-in at the kiosk: the code typed on the keypad, or scanned (the booking's
// QR, or the chip ID card's QR: scan.js) on any screen, then `POST /api/check-in`. The answer
// is a ticket like any other (ticket.js shows and prints it), with a line saying it is a
// booked number; a refusal is said on the check-in screen in plain sentences.

import { ApiError, api } from '/shared/api.js';
import { CODE_LENGTH } from './scan.js';
import { receiptScanned } from './result.js';
import { nav, S } from './state.js';
import { requestId } from './steps.js';
import { showTicket } from './ticket.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A proxy saying the server is away, or the server not reached at all: worth one more try. */
const away = (e) => e instanceof ApiError && (e.status === 0 || [502, 503, 504].includes(e.status));

/** The check-in screen, empty: "I have a booking" on the start screen. */
export function openCheckIn() {
  if (S.busy) return;
  S.checkin = { typed: '', via: 'keypad', error: null };
  nav.show('checkin');
}

/** A key of the keypad. */
export function typeKey(ch) {
  const c = S.checkin;
  if (!c || S.busy) return;
  // An ID card was read and refused: the keypad starts a code afresh.
  if (c.via === 'card') Object.assign(c, { via: 'keypad', typed: '' });
  if (c.typed.length >= CODE_LENGTH) return;
  c.typed += ch;
  c.error = null;
  nav.draw();
  nav.armIdle();
}

export function eraseKey() {
  const c = S.checkin;
  if (!c || S.busy || !c.typed) return;
  c.typed = c.typed.slice(0, -1);
  c.error = null;
  nav.draw();
  nav.armIdle();
}

/** "Check in" under the keypad: the code typed so far. */
export function checkInTyped() {
  const c = S.checkin;
  if (!c || c.typed.length !== CODE_LENGTH) return;
  checkIn({ code: c.typed }, 'keypad');
}

/**
 * What the scanner read (scan.js), on whatever screen was up: a booking or an ID card checks
 * in at once, a dossier's receipt asks for its result ticket (result.js); anything else gets a
 * short notice. The ID number goes into the request and
 * nowhere else: the page keeps only that a card was read.
 */
export function scanned(what) {
  if (!S.token || S.screen === 'unpaired') return;
  if (what.kind === 'unknown') {
    nav.notice('scan_unreadable');
    return;
  }
  if (S.busy) return;
  if (what.kind === 'receipt') receiptScanned(what);
  else if (what.kind === 'booking') checkIn({ code: what.code }, 'scan');
  else checkIn({ person: what.id }, 'card');
}

/**
 * Check a booking in: `who` is `{code}` or `{person}` (the 12-digit ID number). `via` is how
 * it came: 'keypad', 'scan' (a booking's QR) or 'card' (an ID card).
 */
async function checkIn(who, via) {
  if (S.busy) return;
  nav.notice(null);
  nav.forgetTicket();
  S.busy = true;
  // The code is kept to show it and to look the booking up after a refusal; the ID number is not.
  const code = who.code ?? null;
  S.checkin = { typed: code ?? '', via, error: null };
  if (S.screen === 'checkin') nav.draw();
  else nav.show('checkin');
  nav.armIdle();
  // The retry below carries the same request id: a check-in whose answer was lost comes
  // back as the same ticket, never a second one.
  const body = { ...who, request_id: requestId() };
  let answer = null;
  let failure = null;
  for (let attempt = 0; attempt < 2; attempt++) {
    if (attempt) await sleep(1000);
    try {
      answer = await api('POST', '/api/check-in', body, { token: S.token });
      failure = null;
      break;
    } catch (e) {
      failure = e;
      if (!away(e)) break;
    }
  }
  if (answer?.code) {
    S.busy = false;
    S.booking = { outcome: answer.outcome, booking: answer.booking ?? null };
    return showTicket(answer);
  }
  if (failure?.status === 401 || failure?.status === 403) {
    S.busy = false;
    return nav.unpair(true);
  }
  const refusal = await explain(failure, code);
  S.busy = false;
  // The citizen may have gone back meanwhile: the refusal is for the check-in screen only.
  if (S.screen !== 'checkin') return;
  Object.assign(S.checkin, refusal);
  nav.draw();
  nav.armIdle();
}

const REFUSALS = {
  booking_not_found: 'not_found',
  booking_too_early: 'too_early',
  booking_late_refused: 'late',
  booking_cancelled: 'cancelled',
  booking_not_today: 'not_today',
  bad_code: 'bad_code',
  bad_person: 'bad_person',
  check_in_rate_exceeded: 'too_fast',
  // A check-in counts against the kiosk's allowance of tickets, as an issue does.
  issue_rate_exceeded: 'too_fast',
};

/**
 * A refusal as the check-in screen says it: `error` (the key of its sentences) and what fills
 * them in. Too early and not today say when to come back: from the refusal if it says, else
 * from the booking itself (`GET /api/bookings/{code}`).
 */
async function explain(failure, code) {
  const error = REFUSALS[failure?.code] ?? 'try_again';
  const refusal = { error, retryAfter: Math.max(1, failure?.retryAfter ?? 10), booking: null };
  if (error !== 'too_early' && error !== 'not_today') return refusal;
  const said = failure?.body?.booking ?? failure?.body?.error?.booking;
  if (said?.check_in) {
    refusal.booking = said;
    return refusal;
  }
  if (!code) {
    // An ID card's booking cannot be looked up by its code: the refusal's own words carry the
    // time check-in opens ("… opens at 07:40"), and only the time is taken from them.
    const time = /\b(\d{1,2}:\d{2})\b/.exec(failure?.message ?? '');
    if (time && error === 'too_early') refusal.booking = { check_in: { from: time[1] } };
    return refusal;
  }
  try {
    refusal.booking = await api('GET', `/api/bookings/${encodeURIComponent(code)}`);
  } catch {
    // Said without the time, then.
  }
  return refusal;
}
