// The citizen kiosk: choose a field, then either take a regular number at once (two taps)
// or claim a priority and confirm it. Screens are drawn from the state `S` into
// <main id="screen">; the server's live feeds keep the fields' waiting counts, their open
// counters and the printer's state current.
//
// Hooks other people's browser tests rely on (keep them): body[data-screen] is
// unpaired|start|priority|confirm|ticket and body[data-connected] true|false;
// button[data-field=CODE], button[data-priority=KIND] ('none' issues the regular number),
// button[data-action=confirm|back|done|lang|more-time]; .banner[data-banner=no-printer|printer-down];
// #ticket-code, #ticket-field, #ticket-ahead, #ticket-eta, img#ticket-qr, #ticket-countdown,
// #print-status[data-state=printing|waiting|printed|failed] (and data-reason, the server's code);
// #timeout[data-open] (the "more time?" warning) and window.motcuaKiosk.skip(seconds), which
// moves the page's own timers on (the clock the steps time out by), as a test would.

import { t, t2, has, setLang, getLang, reasonKey, names } from './text.js';
import { icon, fieldIcon } from './icons.js';
import { request, liveFeed, NetworkError } from './net.js';
import { timeLimit } from './limit.js';

const TOKEN_KEY = 'motcua.kiosk.token';
// A step left untouched this long asks "more time?", then waits WARN_MS for an answer
// before it goes back to the start (WCAG 2.2.1 asks for a warning and at least 20 s).
const IDLE_MS = 30_000;
const WARN_MS = 20_000;
const PRINTED_MS = 15_000; // a printed ticket stays this long: it is in the citizen's hand
// A ticket that did not print stays 90 s, counting down on screen, unless the citizen taps
// "I have my number" sooner: long enough for someone slow with a phone to photograph the
// number or scan the QR code (the last 20 s ask "more time?"), short enough that the next
// person in the queue does not find it on the screen and follow or rate someone else's ticket.
const UNPRINTED_MS = 90_000;
// The server always says what became of a job (printed, failed, or waiting with a reason,
// until the job expires), so the kiosk never guesses a failure. Only if no word at all came
// by then (its feed dropped the frame) does the ticket say it waits for the printer, so the
// citizen keeps a photo of the screen: a nudge, not a verdict; a later word still counts.
const PRINT_QUIET_MS = 10_000;
const TOUCH_GUARD_MS = 450; // the second tap of a double tap must not hit the next screen
const PRIORITY_KINDS = ['elderly', 'disabled', 'pregnant', 'war_invalid', 'meritorious'];

const S = {
  token: null,
  revoked: false,
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
  hallUp: false, // the hall feed is open
  hallLost: false, // it closed (or never opened within a few seconds) and is not back yet
  metaOk: false, // /api/services answered (since the hall feed last opened)
  snapshot: false, // the hall feed's snapshot arrived since it opened
  field: null,
  priority: 'none',
  busy: false,
  error: null,
  ticket: null,
  print: null, // {job, state: printing|waiting|printed|failed, reason}
  printResults: new Map(), // job -> the kiosk feed's word, in case it beats our own answer
  pointerDown: false,
  redrawLater: false,
};

const $ = (sel) => document.querySelector(sel);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A DOM element: h('button', {class: 'x', onclick: f}, 'text', child). */
function h(tag, props = {}, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v == null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'html')
      el.innerHTML = v; // our own icons only
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    // Through the CSSOM: a style attribute would be inline style, which the CSP forbids.
    else if (k === 'style') el.style.cssText = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  el.append(...kids.flat().filter((c) => c != null && c !== false));
  return el;
}

const ico = (name, cls = 'icon') => h('span', { class: cls, html: icon(name) });

/** A tap handler that ignores the second tap of a finger's double tap on a new screen. */
function tap(fn) {
  return (e) => {
    if (e.pointerType === 'touch' && performance.now() - S.shownAt < TOUCH_GUARD_MS) return;
    fn(e);
  };
}

/** A heading in the chosen language, with the other language small beneath. */
function title(key, cls = 'title') {
  return h('div', { class: cls }, h('h1', {}, t(key)), h('p', { class: 'sub' }, t2(key)));
}

/** A sentence in the chosen language, the other one small beneath. */
function bilingual(key, ...args) {
  return h('span', { class: 'both' }, h('strong', {}, t(key, ...args)), h('small', {}, t2(key, ...args)));
}

/** A big button's words: the chosen language, the other one small. */
function label(key) {
  return [h('span', { class: 'main' }, t(key)), h('span', { class: 'other' }, t2(key))];
}

function service(code) {
  return S.services.find((s) => s.code === code);
}

function priorityName(code) {
  if (has(`prio_${code}`)) return t(`prio_${code}`);
  const p = S.priorities.find((x) => x.code === code);
  if (!p) return code;
  return (getLang() === 'vi' ? p.label_vi : p.label_en) || p.label_vi || code;
}

// ---- what is open ----------------------------------------------------------------

function pausedFor(code) {
  for (const c of S.counters.values()) {
    if (c.state === 'paused' && (!code || c.services.includes(code))) return true;
  }
  return false;
}

/** 'open' | 'break' | 'closed' for one field. */
function fieldState(s) {
  if (s.counters_open > 0) return 'open';
  return pausedFor(s.code) ? 'break' : 'closed';
}

/** 'open' | 'break' | 'closed' for the whole hall. */
function hallState() {
  if (!S.services.length || S.services.some((s) => s.counters_open > 0)) return 'open';
  return pausedFor(null) ? 'break' : 'closed';
}

/**
 * The printer's trouble as a reason code (the server's list: printer/src/reason.rs), or null
 * when it is fine (or unknown). A report's `error` is a code of that list: why the printer
 * could not be asked (`printer_timeout`, `printer_unreachable`, …) or `printer_error`, its
 * own error bit, which the paper and cover bits explain better when they are set.
 */
function printerTrouble() {
  const p = S.printer;
  if (!p) return null;
  const r = p.report;
  const said = r?.error && has(`why_${r.error}`) ? r.error : null;
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

// ---- screens ---------------------------------------------------------------------

function drawUnpaired() {
  const url = `${location.origin}/kiosk/?token=`;
  const lines = (which) => [
    h('h1', {}, which('unpaired_title')),
    h('p', { class: 'citizen' }, which('unpaired_citizen')),
    S.revoked ? h('p', { class: 'revoked' }, which('unpaired_revoked')) : null,
    h('p', {}, which('unpaired_step1')),
    h('code', {}, 'motcua device add kiosk-1 --kind kiosk'),
    h('p', {}, which('unpaired_step2')),
    h('code', {}, url, h('em', {}, which('unpaired_token'))),
  ];
  return h(
    'section',
    { class: 'screen unpaired' },
    ico('link', 'icon big'),
    h('div', { class: 'pair-card' }, lines(t)),
    h('div', { class: 'pair-card other' }, lines(t2)),
  );
}

function drawStart() {
  const state = hallState();
  // On a break (lunch, a meeting) citizens may still take a number and wait; only a hall
  // with no counter open or paused is closed.
  const head =
    state !== 'closed'
      ? title('start_title')
      : h(
          'div',
          { class: 'title closed' },
          h('h1', {}, t(state === 'break' ? 'hall_break' : 'hall_closed')),
          h('p', { class: 'sub' }, t2(state === 'break' ? 'hall_break' : 'hall_closed')),
          h('p', { class: 'hint' }, t('hall_closed_sub')),
        );
  const trouble = S.noPrinter ? null : printerTrouble();
  const n = S.services.length;
  const grid = h(
    'div',
    { class: 'fields', 'data-fit': 0, style: `--cols-p:${n > 6 ? 2 : 1};--cols-l:${n <= 4 ? 2 : 3}` },
    S.services.map(fieldButton),
  );
  return h(
    'section',
    { class: 'screen start' },
    head,
    state === 'break' ? h('p', { class: 'banner' }, t('hall_break')) : null,
    S.noPrinter
      ? h('p', { class: 'banner', 'data-banner': 'no-printer' }, ico('printer'), bilingual('no_printer'))
      : null,
    trouble
      ? h(
          'p',
          { class: 'banner', 'data-banner': 'printer-down' },
          ico('printer'),
          t('printer_down', t(reasonKey(trouble))),
        )
      : null,
    grid,
    S.notice ? h('p', { class: 'notice' }, S.notice) : null,
  );
}

function fieldButton(s) {
  const [name, name2] = names(s.name_vi, s.name_en);
  const state = fieldState(s);
  const count =
    state === 'open'
      ? t('waiting', s.waiting ?? 0)
      : state === 'break'
        ? `${t('field_break')} · ${t('no_counter')} · ${t('waiting', s.waiting ?? 0)}`
        : t('no_counter');
  return h(
    'button',
    {
      type: 'button',
      class: `field ${state}`,
      'data-field': s.code,
      disabled: state === 'closed',
      onclick: tap(() => chooseField(s.code)),
    },
    h('span', { class: 'icon', html: fieldIcon(s) }),
    h('span', { class: 'names' }, h('span', { class: 'name' }, name), h('span', { class: 'name2' }, name2)),
    h('span', { class: state === 'open' ? 'count' : 'count long' }, count),
  );
}

/** The chosen field, small, at the top of the next screens. */
function chosenField() {
  const s = service(S.field);
  if (!s) return null;
  return h(
    'p',
    { class: 'chosen' },
    h('span', { class: 'icon', html: fieldIcon(s) }),
    names(s.name_vi, s.name_en)[0],
  );
}

function backButton(fn, disabled = false) {
  return h(
    'button',
    { type: 'button', class: 'back', 'data-action': 'back', disabled, onclick: tap(fn) },
    ico('back'),
    h('span', {}, t('back')),
  );
}

function drawPriority() {
  const offered = S.priorities.map((p) => p.code).filter((c) => c !== 'none');
  const kinds = offered.length ? offered : PRIORITY_KINDS;
  const choice = (code, iconName, name, why, cls) =>
    h(
      'button',
      {
        type: 'button',
        class: `choice ${cls}`,
        'data-priority': code,
        disabled: S.busy,
        onclick: tap(() => choosePriority(code)),
      },
      ico(iconName),
      h(
        'span',
        { class: 'names' },
        h('span', { class: 'name' }, name),
        why ? h('span', { class: 'why' }, why) : null,
      ),
    );
  // "No" takes the regular number at once; a priority claim goes on to be confirmed.
  const regular = S.busy
    ? h(
        'button',
        { type: 'button', class: 'choice no', 'data-priority': 'none', disabled: true },
        h('span', { class: 'spinner' }),
        h('span', { class: 'names' }, h('span', { class: 'name' }, t('getting'))),
      )
    : choice('none', 'person', t('no'), t('no_sub'), 'no');
  return h(
    'section',
    { class: 'screen priority' },
    chosenField(),
    title('priority_title'),
    h('p', { class: 'hint' }, t('priority_sub')),
    issueError(),
    regular,
    h(
      'div',
      { class: 'prios', 'data-fit': 0 },
      kinds.map((code) =>
        choice(code, code, priorityName(code), has(`prio_${code}_why`) ? t(`prio_${code}_why`) : '', 'prio'),
      ),
    ),
    backButton(() => show('start'), S.busy),
  );
}

/** Why the last try at a number failed (on the screen that asked for it), or null. */
function issueError() {
  // Too many tickets from this kiosk at once (429): how long to wait, in both languages.
  if (S.error === 'too_fast') {
    return h(
      'p',
      { class: 'error', role: 'alert', 'data-error': 'too_fast' },
      ico('warning'),
      h(
        'span',
        {},
        h('strong', {}, t('too_fast')),
        h('small', {}, t('too_fast_sub', S.retryAfter)),
        h('small', { class: 'other-lang' }, `${t2('too_fast')}. ${t2('too_fast_sub', S.retryAfter)}`),
      ),
    );
  }
  if (!S.error) return null;
  const key = S.error === 'exhausted' ? 'exhausted' : 'try_again';
  return h(
    'p',
    { class: 'error', role: 'alert', 'data-error': S.error },
    ico('warning'),
    h('span', {}, h('strong', {}, t(key)), h('small', {}, t(`${key}_sub`))),
  );
}

function drawConfirm() {
  const s = service(S.field) || { code: S.field, name_vi: S.field, name_en: '' };
  const [name, name2] = names(s.name_vi, s.name_en);
  const prio = S.priority === 'none' ? t('no_priority') : priorityName(S.priority);
  const error = issueError();
  return h(
    'section',
    { class: 'screen confirm' },
    title('confirm_title'),
    h(
      'div',
      { class: 'summary' },
      h(
        'div',
        { class: 'row' },
        h('span', { class: 'icon', html: fieldIcon(s) }),
        h(
          'div',
          {},
          h('div', { class: 'label' }, t('confirm_field')),
          h('div', { class: 'name' }, name),
          h('div', { class: 'name2' }, name2),
        ),
      ),
      h(
        'div',
        { class: 'row' },
        ico(S.priority === 'none' ? 'person' : S.priority),
        h('div', {}, h('div', { class: 'label' }, t('confirm_priority')), h('div', { class: 'name' }, prio)),
      ),
    ),
    h(
      'div',
      { class: 'actions' },
      error,
      h(
        'button',
        { type: 'button', class: 'get', 'data-action': 'confirm', disabled: S.busy, onclick: tap(issue) },
        S.busy
          ? h('span', { class: 'main' }, h('span', { class: 'spinner' }), t('getting'))
          : label('get_number'),
      ),
      backButton(() => show('priority'), S.busy),
    ),
  );
}

function drawTicket() {
  const tk = S.ticket;
  const [name] = names(tk.service_name_vi, tk.service_name_en);
  const eta = tk.eta_minutes ?? 0;
  return h(
    'section',
    { class: 'screen ticket' },
    h(
      'div',
      { class: 'ticket-main' },
      h('p', { class: 'label' }, t('your_number')),
      // As big as the card allows: about 4 characters fill it.
      h(
        'div',
        { id: 'ticket-code', class: 'code', style: `--chars:${Math.max(4, tk.code.length)}` },
        tk.code,
      ),
      h('div', { id: 'ticket-field', class: 'tfield' }, name),
      tk.priority && tk.priority !== 'none'
        ? h('div', { class: 'tprio' }, `${t('confirm_priority')}: ${priorityName(tk.priority)}`)
        : null,
      h(
        'div',
        { class: 'facts' },
        h('div', { id: 'ticket-ahead', class: 'fact' }, t('ahead', tk.ahead ?? 0)),
        h(
          'div',
          { id: 'ticket-eta', class: 'fact' },
          tk.no_counter_open ? t('no_counter') : eta > 0 ? t('eta', eta) : t('eta_soon'),
        ),
      ),
    ),
    h(
      'div',
      { class: 'ticket-side' },
      h(
        'figure',
        { class: 'qr' },
        h('img', {
          id: 'ticket-qr',
          src: `/api/tickets/${encodeURIComponent(tk.token)}/qr.svg`,
          alt: '',
          draggable: 'false',
          onerror: (e) => e.target.classList.add('missing'),
        }),
        h('figcaption', {}, t('qr_hint')),
      ),
      printStatus(),
      // Not printed: the screen counts down to closing (see UNPRINTED_MS).
      h('p', { id: 'ticket-countdown', class: 'countdown', hidden: true }),
      doneButton(),
    ),
  );
}

/** "OK" under a printed ticket; "I have my number" under one the citizen must note down. */
function doneButton() {
  const printed = ['printed', 'printing'].includes(S.print?.state);
  return h(
    'button',
    { type: 'button', class: 'done', 'data-action': 'done', onclick: tap(goStart) },
    printed ? t('ok') : h('span', { class: 'main' }, t('have_number')),
    printed ? null : h('span', { class: 'other' }, t2('have_number')),
  );
}

function printStatus() {
  const p = S.print;
  const el = h('div', {
    id: 'print-status',
    class: `print ${p.state}`,
    'data-state': p.state,
    'data-reason': p.reason || null,
    role: 'status',
  });
  if (p.state === 'printing') {
    el.append(h('span', { class: 'spinner' }), h('span', {}, t('printing')));
  } else if (p.state === 'printed') {
    el.append(ico('arrow_down'), h('span', {}, t('printed')));
  } else if (p.state === 'waiting') {
    // The ticket is valid and on screen; the printer may still print it (until the job expires).
    const why = p.reason ? t(reasonKey(p.reason)) : '';
    const why2 = p.reason ? t2(reasonKey(p.reason)) : '';
    el.append(
      h('span', { class: 'spinner' }),
      h('span', {}, h('strong', {}, t('print_waiting', why)), h('small', {}, t2('print_waiting', why2))),
    );
  } else {
    const key = reasonKey(p.reason);
    el.append(
      ico('warning'),
      h('span', {}, h('strong', {}, t('print_failed', t(key))), h('small', {}, t2('print_failed', t2(key)))),
    );
  }
  return el;
}

const SCREENS = {
  unpaired: drawUnpaired,
  start: drawStart,
  priority: drawPriority,
  confirm: drawConfirm,
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
    for (let level = 0; level <= 3; level++) {
      el.dataset.fit = level;
      if (el.scrollHeight <= el.clientHeight + 1) break;
    }
  }
}

/** The header, the language switch and the reconnecting veil. */
function drawChrome() {
  $('#hall-name').textContent = S.hall;
  const vi = getLang() === 'vi';
  $('#lang-en').className = vi ? 'off' : 'on';
  $('#lang-vi').className = vi ? 'on' : 'off';
  const connected = S.metaOk && !S.hallLost;
  document.body.dataset.connected = String(connected);
  const veil = !connected && S.token && ['start', 'priority', 'confirm'].includes(S.screen);
  $('#overlay').classList.toggle('on', Boolean(veil));
  $('#overlay-main').textContent = t('reconnecting');
  $('#overlay-sub').textContent = t('reconnecting_sub');
  $('#overlay-other').textContent = `${t2('reconnecting')} ${t2('reconnecting_sub')}`;
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

// ---- the clock -------------------------------------------------------------------

const WEEKDAYS = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

function tick() {
  let parts;
  const opts = {
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    weekday: 'short',
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
  };
  try {
    parts = new Intl.DateTimeFormat('en-US', { ...opts, timeZone: S.tz }).formatToParts(new Date());
  } catch {
    parts = new Intl.DateTimeFormat('en-US', opts).formatToParts(new Date());
  }
  const p = Object.fromEntries(parts.map((x) => [x.type, x.value]));
  $('#clock-time').textContent = `${p.hour}:${p.minute}`;
  $('#clock-date').textContent = `${t('weekday')[WEEKDAYS[p.weekday]]}, ${p.day}/${p.month}/${p.year}`;
}

// ---- going back to the start -----------------------------------------------------

/**
 * How the screen shown now times out, or null when it stays: `ms` until it goes back to the
 * start, whether it first warns (the last WARN_MS ask "more time?"), whether any touch
 * starts it again, whether it counts down on screen.
 */
function timeout() {
  switch (S.screen) {
    case 'start':
      // Back to Vietnamese for the next person: nothing is lost, so no warning.
      return getLang() === 'vi' ? null : { kind: 'lang', ms: IDLE_MS, touch: true };
    case 'priority':
    case 'confirm':
      return S.busy ? null : { kind: 'step', ms: IDLE_MS + WARN_MS, warnMs: WARN_MS, touch: true };
    case 'ticket':
      if (S.print?.state === 'printed') return { kind: 'printed', ms: PRINTED_MS, touch: true };
      if (S.print?.state === 'printing') return null; // the word comes within PRINT_QUIET_MS
      // Not printed: only the citizen's own "more time" keeps it, never a stranger's touch.
      return { kind: 'unprinted', ms: UNPRINTED_MS, warnMs: WARN_MS, shown: true };
    default:
      return null;
  }
}

const limit = timeLimit({
  onExpire: goStart,
  onWarn: drawTimeout,
  onTick(seconds) {
    for (const el of document.querySelectorAll('[data-seconds]')) {
      if (el.dataset.shown === seconds) continue;
      el.dataset.shown = seconds;
      el.replaceChildren(...secondsText(el.dataset.seconds, seconds));
    }
  },
});

/** Start the screen's timeout again (`keep`: unless the same kind is already running). */
function armIdle(keep = false) {
  limit.arm(timeout(), keep);
  drawTimeout();
}

/** A sentence with the seconds left in it, in both languages. */
function secondsText(key, n) {
  return [h('strong', {}, t(key, n)), h('small', {}, t2(key, n))];
}

/** The countdown under an unprinted ticket, and the "more time?" warning over any step. */
function drawTimeout() {
  const idle = limit.now;
  const left = limit.secondsLeft();
  const count = $('#ticket-countdown');
  if (count) {
    count.hidden = !(idle.shown && !idle.warning);
    const words = h(
      'span',
      { 'data-seconds': 'closes_in', 'data-shown': left },
      secondsText('closes_in', left),
    );
    count.replaceChildren(...(count.hidden ? [] : [ico('clock'), words]));
  }
  const layer = $('#timeout');
  if (!idle.warning) {
    layer.removeAttribute('data-open');
    layer.className = 'timeout';
    layer.replaceChildren();
    return;
  }
  layer.dataset.open = '';
  // Over a step the warning hides the screen; over a ticket it leaves the number and QR
  // in sight (the citizen may be photographing them) and offers "I have my number" too.
  layer.className = `timeout on ${S.screen === 'ticket' ? 'over-ticket' : 'over-step'}`;
  layer.replaceChildren(
    h(
      'div',
      { class: 'timeout-card', role: 'alertdialog', 'aria-modal': 'true', 'aria-labelledby': 'timeout-q' },
      h(
        'div',
        { class: 'timeout-head' },
        ico('clock'),
        h(
          'div',
          {},
          h('h2', { id: 'timeout-q' }, t('more_time_q')),
          h('p', { class: 'sub' }, t2('more_time_q')),
        ),
      ),
      h(
        'p',
        { class: 'left', 'data-seconds': 'more_time_left', 'data-shown': left },
        secondsText('more_time_left', left),
      ),
      h(
        'div',
        { class: 'timeout-actions' },
        h(
          'button',
          { type: 'button', class: 'more', 'data-action': 'more-time', onclick: () => moreTime() },
          label('more_time'),
        ),
        S.screen === 'ticket' ? doneButton() : null,
      ),
    ),
  );
  // A screen reader (or a keyboard) lands on the answer.
  layer.querySelector('.more')?.focus({ preventScroll: true });
}

/** The citizen asked for more time: the step's whole time again. */
function moreTime() {
  if (!limit.now.kind) return;
  armIdle();
}

function goStart() {
  clearTimeout(printTimer);
  Object.assign(S, { field: null, priority: 'none', error: null, ticket: null, print: null });
  setLang('vi');
  show('start');
}

// ---- the citizen's steps -----------------------------------------------------------

function chooseField(code) {
  const s = service(code);
  if (!s || fieldState(s) === 'closed') return;
  Object.assign(S, { field: code, priority: 'none', error: null });
  show('priority');
}

function choosePriority(code) {
  if (S.busy) return;
  Object.assign(S, { priority: code, error: null });
  // A regular number needs no confirming: this tap takes it. A priority claim is confirmed.
  if (code === 'none') issue();
  else show('confirm');
}

function requestId() {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

async function issue() {
  if (S.busy) return;
  S.busy = true;
  S.error = null;
  draw();
  armIdle();
  // The retry below carries the same request id, so a request that did reach the server
  // (only its answer was lost) gets the same ticket back, never a second number.
  const body = { service: S.field, priority: S.priority, request_id: requestId() };
  let res = null;
  // A request that does not reach the server is tried once more.
  for (let attempt = 0; attempt < 2 && !res; attempt++) {
    if (attempt) await sleep(1000);
    try {
      res = await request('POST', '/api/tickets', { body, token: S.token });
      if ([502, 503, 504].includes(res.status)) res = attempt ? res : null; // a proxy saying the server is away
    } catch (e) {
      if (!(e instanceof NetworkError)) throw e;
    }
  }
  S.busy = false;
  if (res?.status === 201 && res.body?.code) return showTicket(res.body);
  if (res?.status === 401 || res?.status === 403) return unpair(true);
  const code = res?.body?.error?.code;
  S.retryAfter = Math.max(1, res?.retryAfter ?? 10);
  S.error =
    code === 'series_exhausted' ? 'exhausted' : code === 'issue_rate_exceeded' ? 'too_fast' : 'try_again';
  if (S.screen === 'confirm' || S.screen === 'priority') draw();
  armIdle();
}

// ---- the ticket and its printing ---------------------------------------------------

let printTimer = null;

/** The kiosk's word for a job's status from the server (the POST's answer or the feed). */
function printState(status) {
  switch (status) {
    case 'sent':
      return 'printing';
    case 'waiting':
    case 'printed':
      return status;
    default:
      return 'failed';
  }
}

const FINAL = new Set(['printed', 'failed']);

function showTicket(tk) {
  const p = tk.print || { job: null, status: 'failed', reason: 'no_printer' };
  S.ticket = tk;
  S.print = { job: p.job, state: printState(p.status), reason: p.reason ?? null };
  // The feed may have spoken before our own answer came back: its word is the later one,
  // unless ours is already final.
  const early = p.job != null && S.printResults.get(p.job);
  if (early && !FINAL.has(S.print.state)) {
    S.print.state = printState(early.status);
    S.print.reason = early.reason ?? null;
  }
  clearTimeout(printTimer);
  if (S.print.state === 'printing') {
    const job = p.job;
    printTimer = setTimeout(() => {
      if (S.print?.job === job && S.print.state === 'printing') setPrint('waiting', null);
    }, PRINT_QUIET_MS);
  }
  show('ticket');
}

function setPrint(state, reason) {
  const p = S.print;
  // Printed or failed is the end: a late "waiting" frame does not undo it.
  if (FINAL.has(p.state) && !FINAL.has(state)) return;
  if (p.state === state && p.reason === reason) return;
  Object.assign(p, { state, reason: reason ?? null });
  if (state !== 'printing') clearTimeout(printTimer);
  if (S.screen === 'ticket') {
    $('#print-status')?.replaceWith(printStatus());
    $('.ticket-side > .done')?.replaceWith(doneButton());
  }
  // Waiting then failed keeps its countdown running; printed at last starts its own.
  armIdle(true);
}

// ---- the server's feeds ------------------------------------------------------------

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

function onHall(m) {
  if (m.type === 'snapshot') {
    S.snapshot = true;
    if (m.hall) S.hall = m.hall.normalize('NFC');
    applyServices(m.services);
    S.counters = new Map((m.counters || []).map((c) => [c.no, c]));
    dataChanged();
  } else if (m.type === 'event') {
    if (m.waiting) for (const s of S.services) s.waiting = m.waiting[s.code] ?? 0;
    if (m.counter) {
      S.counters.set(m.counter.no, m.counter);
      recount();
    }
    dataChanged();
  }
}

async function loadMeta() {
  try {
    const r = await request('GET', '/api/services');
    if (r.status !== 200 || !r.body) throw new Error(`status ${r.status}`);
    const b = r.body;
    S.hall = (b.hall || '').normalize('NFC');
    S.notice = (b.notice || '').normalize('NFC');
    S.tz = b.timezone || S.tz;
    S.priorities = b.priorities || [];
    if (!S.snapshot) applyServices(b.services);
    S.metaOk = true;
  } catch {
    S.metaOk = false;
    if (S.hallUp) setTimeout(() => S.hallUp && !S.metaOk && loadMeta(), 2000);
  }
  dataChanged();
}

function onKiosk(m) {
  if (m.type === 'snapshot' || m.type === 'printer') {
    S.printer = m.printer ?? null;
    // Only the snapshot says "no printer" (null); a printer frame always has one.
    S.noPrinter = m.type === 'snapshot' && !m.printer;
    dataChanged();
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
    const r = await request('GET', `/ws/kiosk?token=${encodeURIComponent(S.token)}`);
    if (r.status === 401 || r.status === 403) unpair(true);
  } catch {
    // The server is away; the feeds keep trying.
  }
}

let feeds = [];

function connect() {
  loadMeta();
  setTimeout(() => {
    if (S.hallUp || S.hallLost) return;
    S.hallLost = true;
    drawChrome();
  }, 5000);
  feeds = [
    liveFeed('/ws/hall', {
      onOpen() {
        S.hallUp = true;
        S.hallLost = false;
        S.snapshot = false;
        loadMeta();
      },
      onMessage: onHall,
      onClose() {
        S.hallUp = false;
        S.hallLost = true;
        drawChrome();
      },
    }),
    liveFeed(`/ws/kiosk?token=${encodeURIComponent(S.token)}`, {
      onMessage: onKiosk,
      onClose(opened) {
        S.printer = null;
        S.noPrinter = false;
        if (!opened) checkPairing();
      },
    }),
  ];
}

function unpair(revoked) {
  try {
    localStorage.removeItem(TOKEN_KEY);
  } catch {
    // Storage off: nothing kept anyway.
  }
  for (const f of feeds) f.stop();
  feeds = [];
  Object.assign(S, { token: null, revoked, hallUp: false, hallLost: false, metaOk: false, busy: false });
  setLang('vi');
  show('unpaired');
  loadMeta();
}

/** ?token=… pairs this kiosk: kept in localStorage, taken out of the address bar. */
function pairFromAddress() {
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

// ---- a kiosk, not a web page -------------------------------------------------------

function lockDown() {
  const stop = (e) => e.preventDefault();
  for (const type of ['contextmenu', 'selectstart', 'dragstart', 'gesturestart', 'gesturechange']) {
    document.addEventListener(type, stop);
  }
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
  setLang('vi');
  lockDown();
  $('#hall-icon').innerHTML = icon('hall');
  $('#lang').addEventListener('click', () => {
    setLang(getLang() === 'vi' ? 'en' : 'vi');
    draw();
    armIdle();
  });
  setInterval(tick, 10_000);
  window.motcuaKiosk = { skip: (seconds) => limit.skip(seconds) };
  window.addEventListener('resize', fit);
  document.fonts?.addEventListener?.('loadingdone', fit);
  S.token = pairFromAddress();
  if (!S.token) {
    show('unpaired');
    loadMeta();
    return;
  }
  show('start');
  connect();
}

start();
