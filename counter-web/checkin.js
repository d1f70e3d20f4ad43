// Checking a booking in at the counter: the citizen shows the booking (its code or QR) or the
// chip ID card, or gives the phone number it was booked with; the clerk types or scans it
// into "Xác nhận lịch hẹn", and `POST /api/check-in`
// (with the clerk's session) gives the ticket; the clerk then calls it as usual. What a scan
// is follows the kiosk's rules (/kiosk/scan.js): from an ID card only the 12-digit number is
// kept, and the rest of the card never enters the field. A scan typed while the field had no
// focus comes here from burst.js (`takeScan`).

import { ApiError, api } from '/shared/api.js';
import { errorText } from '/shared/i18n.js';
import { readScan, showCode } from '/kiosk/scan.js';
import { $, t } from './ctx.js';
import { failed } from './signin.js';

let card = null; // the ID number read from a card's QR, until the field is sent or cleared
let busy = false;
let back = null; // where the focus was before a scan the console caught (takeScan)

function requestId() {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The line under the field: what the last check-in gave, or why not. */
function result(kind, text) {
  const el = $('#checkin-result');
  el.textContent = text;
  el.dataset.kind = text ? kind : '';
}

/**
 * An ID card's QR typed into the field: at its first `|` the digits before it are the ID
 * number, kept aside; the field shows only that a card was read, and every key up to Enter
 * (the name, the address…) is dropped before it reaches the field.
 */
function onKeydown(e) {
  const field = e.target;
  if (e.key === 'Enter') return;
  if (card !== null) {
    if ([...e.key].length === 1) e.preventDefault();
    return;
  }
  if (e.key !== '|') return;
  e.preventDefault();
  const read = readScan(`${field.value}|`);
  field.value = '';
  if (read.kind === 'person') {
    card = read.id;
    field.placeholder = t('checkin.card');
  } else {
    card = '';
    result('error', t('checkin.unreadable'));
  }
}

/** Letters a keyboard layout or a scanner inserts without a key of their own (ễ, ố…): after a card's `|`, dropped too. */
function onBeforeInput(e) {
  // (Not Enter's line break: it sends the form.)
  if (card !== null && ['insertText', 'insertCompositionText', 'insertReplacementText'].includes(e.inputType))
    e.preventDefault();
}

/** Pasted (not typed) text with a `|` in it: the same rule, after the fact. */
function onInput(e) {
  takeText(e.target);
}

/** The field's text as it stands, under the card's rule: of a card's text only the number stays. */
function takeText(field) {
  if (!field.value.includes('|')) {
    if (!field.value) forgetCard();
    return;
  }
  const read = readScan(field.value);
  field.value = '';
  card = read.kind === 'person' ? read.id : '';
  field.placeholder = t(card ? 'checkin.card' : 'checkin.placeholder');
  if (!card) result('error', t('checkin.unreadable'));
}

/** A phone number (0912 345 678, +84 912 345 678) or a 12-digit ID card number, typed. */
function isPersonNumber(text) {
  const t = text.trim();
  const digits = t.replace(/[\s.()+-]/g, '');
  return /^\+?[\d\s.()-]+$/.test(t) && /^\d{9,12}$/.test(digits);
}

function forgetCard() {
  card = null;
  $('#checkin-code').placeholder = t('checkin.placeholder');
}

async function onSubmit(e) {
  e.preventDefault();
  const returnTo = back;
  back = null;
  if (busy) return;
  const field = $('#checkin-code');
  let who = card ? { person: card } : null;
  // A citizen without the code: today's booking by the phone or ID card number it was made with.
  if (!who && card === null && isPersonNumber(field.value)) who = { person: field.value.trim() };
  if (!who) {
    const read = card === '' ? { kind: 'unknown' } : readScan(field.value);
    if (read.kind !== 'booking') {
      result('error', t(field.value.trim() || card === '' ? 'checkin.unreadable' : 'checkin.need'));
      forgetCard();
      field.focus();
      return;
    }
    who = { code: read.code };
  }
  busy = true;
  $('#checkin-form button').disabled = true;
  try {
    const answer = await api('POST', '/api/check-in', { ...who, request_id: requestId() });
    const b = answer.booking ?? {};
    const vars = {
      code: answer.code,
      booking: b.code_display ?? showCode(b.code ?? ''),
      time: b.appointment ?? '',
    };
    result('info', t(answer.outcome === 'walk_in' ? 'checkin.walkIn' : 'checkin.done', vars));
    field.value = '';
    if (returnTo) giveFocusBack(returnTo);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      failed(err);
      return;
    }
    result('error', await refusal(err, who.code));
  } finally {
    busy = false;
    $('#checkin-form button').disabled = false;
    // The ID number is used once: a second citizen's card is read afresh.
    forgetCard();
  }
}

/** A refusal in words; too early says from when, read from the booking itself. */
async function refusal(err, code) {
  if (err instanceof ApiError && err.code === 'booking_too_early' && code) {
    try {
      const b = await api('GET', `/api/bookings/${encodeURIComponent(code)}`);
      if (b?.check_in?.from) return t('checkin.early', { from: b.check_in.from, time: b.appointment });
    } catch {
      // Said without the time, then.
    }
  }
  return errorText(t, err);
}

/**
 * A scan the console caught outside the field (burst.js): into the field as if typed there,
 * under the same rules (of an ID card's text, only the number), and sent when the scanner
 * ended it with Enter. Once checked in, the focus goes back where it was (`before`), so the
 * console's keys work again at once; a refusal leaves it in the field, to type the code.
 */
export function takeScan(text, send, before) {
  const field = $('#checkin-code');
  forgetCard();
  field.focus();
  field.value = text.slice(0, field.maxLength > 0 ? field.maxLength : text.length);
  takeText(field);
  if (!send) return;
  back = before ?? document.body;
  $('#checkin-form').requestSubmit();
}

/** Back to what had the focus before the scan, if it is still there to take it. */
function giveFocusBack(el) {
  const field = $('#checkin-code');
  if (document.activeElement !== field && document.activeElement !== document.body) return; // moved on
  if (el !== document.body && el.isConnected && !el.closest('[hidden], [inert]') && !el.disabled) el.focus();
  else field.blur();
}

export function wireCheckIn() {
  const field = $('#checkin-code');
  field.addEventListener('keydown', onKeydown);
  field.addEventListener('beforeinput', onBeforeInput);
  field.addEventListener('input', onInput);
  $('#checkin-form').addEventListener('submit', onSubmit);
  t.onChange(() => {
    if (card === null) field.placeholder = t('checkin.placeholder');
    else if (card) field.placeholder = t('checkin.card');
  });
}

/** The work view closed: nothing of the last citizen stays. */
export function clearCheckIn() {
  forgetCard();
  $('#checkin-code').value = '';
  result('', '');
}
