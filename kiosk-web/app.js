// The citizen kiosk: choose a field, then either take a regular number at once (two taps)
// or claim a priority and confirm it; or check a booking in, by its code on the keypad or by
// the scanner (its QR or the ID card's), which listens on every screen (checkin.js, scan.js);
// or collect a dossier's result with the receipt's QR (result.js), on any screen too. Screens are drawn from the state `S` (state.js) into
// <main id="screen">; the server's live feeds (feeds.js) keep the fields' waiting counts,
// their open counters and the printer's state current. The screens are in screens.js and
// ticket.js, the citizen's steps in steps.js, the time limits in timeout.js.
//
// Hooks other people's browser tests rely on (keep them): body[data-screen] is
// unpaired|start|priority|confirm|checkin|result|ticket and body[data-connected] true|false;
// button[data-field=CODE], button[data-priority=KIND] ('none' issues the regular number;
// absent online-only), button[data-action=confirm|back|done|lang|more-time|booking|result|erase|check-in],
// button[data-result-field=CODE] (the field of a dossier the hall cannot place), #result-read,
// button[data-key=CHAR] (the check-in keypad), output#checkin-code[data-code] (the code typed),
// .error[data-error=…] (why no number or no check-in), [data-banner=online-only],
// #toast[data-notice=scan_unreadable] (a short word over any screen);
// .banner[data-banner=no-printer|printer-down];
// #ticket-code, #ticket-field, #ticket-ahead, #ticket-eta, img#ticket-qr, #ticket-countdown,
// #ticket-booking[data-outcome=checked_in|walk_in] (a checked-in booking's ticket),
// #ticket-result (a result pick-up ticket: "Nhận kết quả"),
// #print-status[data-state=printing|waiting|printed|failed|again] (and data-reason, the server's code);
// #timeout[data-open] (the "more time?" warning) and window.motcuaKiosk.skip(seconds), which
// moves the page's own timers on (the clock the steps time out by), as a test would.

import { clock } from '/shared/clock.js';
import { h } from '/shared/el.js';
import { scanned } from './checkin.js';
import { connect, loadMeta, pairByCode, pairFromAddress, unpair } from './feeds.js';
import { icon } from './icons.js';
import { drawCheckIn } from './keypad.js';
import { listen } from './scan.js';
import { drawResult } from './result.js';
import { drawConfirm, drawPriority, drawStart, drawUnpaired } from './screens.js';
import { nav, otherLang, S, t } from './state.js';
import { drawTicket, forgetPrint } from './ticket.js';
import { armIdle, drawTimeout, limit } from './timeout.js';

const $ = (sel) => document.querySelector(sel);

const SCREENS = {
  unpaired: drawUnpaired,
  start: drawStart,
  priority: drawPriority,
  confirm: drawConfirm,
  checkin: drawCheckIn,
  result: drawResult,
  ticket: drawTicket,
};

function show(name) {
  S.screen = name;
  S.shownAt = performance.now();
  document.body.dataset.screen = name;
  draw();
  armIdle();
}

function draw() {
  S.redrawLater = false;
  $('#screen').replaceChildren(SCREENS[S.screen]());
  drawChrome();
  drawTimeout();
  fit();
}

/** Long names or many fields: step the type down until the buttons fit (never scroll). */
function fit() {
  for (const el of document.querySelectorAll('#screen [data-fit]')) {
    for (let level = 0; level <= 5; level++) {
      el.dataset.fit = level;
      if (el.scrollHeight <= el.clientHeight + 1) break;
    }
  }
}

/** The header, the language switch and the reconnecting veil. */
function drawChrome() {
  document.title = t('page_title');
  $('#hall-name').textContent = S.hall;
  const vi = t.lang() === 'vi';
  $('#lang-en').className = vi ? 'off' : 'on';
  $('#lang-vi').className = vi ? 'on' : 'off';
  const connected = S.metaOk && !S.hallLost;
  document.body.dataset.connected = String(connected);
  const veil =
    !connected && S.token && ['start', 'priority', 'confirm', 'checkin', 'result'].includes(S.screen);
  $('#overlay').classList.toggle('on', Boolean(veil));
  $('#overlay-main').textContent = t('reconnecting');
  $('#overlay-sub').textContent = t('reconnecting_sub');
  const rest = $('#overlay-other');
  rest.lang = otherLang();
  rest.textContent = `${t.other('reconnecting')} ${t.other('reconnecting_sub')}`;
  tick();
}

/** New figures from the server: redraw the start screen, but not under a finger. */
function dataChanged() {
  if (S.screen === 'start') {
    if (S.pointerDown) S.redrawLater = true;
    else draw();
  } else {
    drawChrome();
  }
}

// ---- the clock (the hall's, in the hall's time zone) ------------------------------

const WEEKDAYS = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

function tick() {
  const now = new Date(clock.now());
  const opts = {
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    weekday: 'short',
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
  };
  let parts;
  try {
    parts = new Intl.DateTimeFormat('en-US', { ...opts, timeZone: S.tz }).formatToParts(now);
  } catch {
    parts = new Intl.DateTimeFormat('en-US', opts).formatToParts(now);
  }
  const p = Object.fromEntries(parts.map((x) => [x.type, x.value]));
  $('#clock-time').textContent = `${p.hour}:${p.minute}`;
  $('#clock-date').textContent = `${t(`weekday_${WEEKDAYS[p.weekday]}`)}, ${p.day}/${p.month}/${p.year}`;
}

function goStart() {
  forgetTicket();
  Object.assign(S, { field: null, priority: 'none', error: null, checkin: null, result: null });
  t.set('vi');
  show('start');
}

/** The ticket shown (a new one, or a check-in, replaces it; or it leaves the screen). */
function forgetTicket() {
  forgetPrint();
  Object.assign(S, { ticket: null, print: null, booking: null, resultTicket: false });
}

// ---- a short word over any screen ("could not read this code") ----------------------

const NOTICE_MS = 6000;
let noticeTimer = null;

/** Say `key` (and its `_sub`) in both languages over whatever screen is up, for a moment; null hides it. */
function notice(key) {
  const el = $('#toast');
  clearTimeout(noticeTimer);
  if (!key) return hideNotice();
  el.replaceChildren(
    h('span', { class: 'icon' }, icon('warning')),
    h(
      'span',
      {},
      h('strong', {}, t(key)),
      h('small', {}, t(`${key}_sub`)),
      h('small', { lang: otherLang() }, `${t.other(key)}. ${t.other(`${key}_sub`)}`),
    ),
  );
  el.dataset.notice = key;
  el.classList.add('on');
  noticeTimer = setTimeout(hideNotice, NOTICE_MS);
}

function hideNotice() {
  const el = $('#toast');
  el.classList.remove('on');
  el.replaceChildren();
  delete el.dataset.notice;
}

// ---- a kiosk, not a web page -------------------------------------------------------

function lockDown() {
  const stop = (e) => e.preventDefault();
  for (const type of ['contextmenu', 'selectstart', 'dragstart', 'gesturestart', 'gesturechange']) {
    document.addEventListener(type, stop);
  }
  // No scrolling and no pinch (touch-action in kiosk.css says the same to the browser).
  document.addEventListener('touchmove', stop, { passive: false });
  document.addEventListener('wheel', (e) => e.ctrlKey && e.preventDefault(), { passive: false });
  document.addEventListener('keydown', (e) => {
    if ((e.ctrlKey || e.metaKey) && ['+', '-', '=', '0', 'p', 's', 'o', 'f'].includes(e.key.toLowerCase()))
      e.preventDefault();
  });
  document.addEventListener(
    'pointerdown',
    () => {
      S.pointerDown = true;
      // A touch is a person still there; once the warning is up, only its button answers it.
      if (limit.now.touch && !limit.now.warning) armIdle();
    },
    true,
  );
  const up = () => {
    S.pointerDown = false;
    if (S.redrawLater) setTimeout(() => S.redrawLater && S.screen === 'start' && draw(), 150);
  };
  document.addEventListener('pointerup', up, true);
  document.addEventListener('pointercancel', up, true);
}

function start() {
  Object.assign(nav, { show, draw, drawChrome, dataChanged, goStart, armIdle, unpair, notice, forgetTicket });
  t.set('vi');
  lockDown();
  $('#hall-icon').replaceChildren(icon('hall'));
  $('#lang').addEventListener('click', () => {
    t.set(t.lang() === 'vi' ? 'en' : 'vi');
    draw();
    armIdle();
  });
  setInterval(tick, 10_000);
  window.motcuaKiosk = { skip: (seconds) => limit.skip(seconds) };
  // The scanner (bookings, ID cards, receipts) types like a keyboard, on every screen.
  listen(scanned);
  window.addEventListener('resize', fit);
  document.fonts?.addEventListener?.('loadingdone', fit);
  S.token = pairFromAddress();
  if (!S.token) {
    show('unpaired');
    loadMeta();
    pairByCode();
    return;
  }
  show('start');
  connect();
}

start();
