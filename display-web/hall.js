// Hall TV: the latest call, huge; the recent calls; people waiting per field; the notice.
//
// The big panel shows only a call that still holds: its ticket is still called (or being
// served) at that counter and the counter is open. A ticket returned, transferred,
// cancelled or marked absent, or a counter paused or closed, takes the call down at once
// (the event's frame carries the ticket and the counter as they now stand). A call that
// holds goes back to the welcome panel CALL_SHOWN_MS after it was made (or recalled),
// timed by the hall's clock: the snapshot's `now` and each event's `at`.
//
// A ticket whose absence the clerk took back by calling it again at the counter
// (`absent_undone`, the ticket called again) is a call like any other: shown, flashed and
// announced.
//
// The recent-calls list keeps every call (one line per ticket, its latest call): a call
// whose ticket left the counter without being served is struck through and says why
// ("Về hàng chờ", "Vắng mặt", "Đã hủy"), so nobody walks to a counter for it, and a
// citizen who missed their call sees what became of their number.

import { clock } from '/shared/clock.js';
import { h } from '/shared/el.js';
import { announce } from './announce.js';
import { loadMessages, messagesText } from './messages.js';
import { both, en, vi } from './texts.js';

const $ = (id) => document.getElementById(id);
const MAX_CALLS = 10;
// Two minutes: time enough to hear the call, look up and walk to any counter of the hall
// (a recall starts it again); after that the call has been answered or the clerk will
// recall or mark absent, and a call left up for longer only sends latecomers astray.
// A constant, not a setting: it is about people walking across a hall, not about a hall.
export const CALL_SHOWN_MS = 2 * 60 * 1000;

const state = {
  services: [], // [{code, name_vi, name_en}]
  waiting: {}, // code -> count
  counters: new Map(), // no -> {state, services, current}
  calls: [], // newest first: {code, counter, service, kind, at (ms), status}
  connected: false,
};

// The hall's clock: the kit's server clock, set from the snapshot's `now` and each event's
// `at` (main.js and the kit's feed tell it).
const hallNow = () => clock.now();
let expiry = null;

export function init() {
  // How many recent calls fit depends on the screen; a TV does not resize, a test window may.
  addEventListener('resize', () => renderRecent(false));
  // A manager's message leaves the bar when it expires.
  setInterval(showNotice, 15000);
}

/** The hall's own notice (from its settings), behind the manager's messages. */
let hallNotice = '';
function showNotice() {
  setNotice([messagesText(hallNow()), hallNotice].filter(Boolean).join('   •   '));
}
const readMessages = () => loadMessages().then(showNotice);

export function feedPath() {
  return '/ws/hall';
}

export function settings(s) {
  if (s.hall) $('hall-name').textContent = s.hall;
  hallNotice = s.notice ?? '';
  showNotice();
  if (!state.services.length && Array.isArray(s.services)) {
    state.services = s.services;
    for (const f of s.services) state.waiting[f.code] ??= f.waiting;
    renderWaiting(true);
  }
}

export function online(on) {
  state.connected = on;
}

export function apply(frame) {
  if (frame.type === 'snapshot') {
    $('hall-name').textContent = frame.hall ?? '';
    state.services = frame.services ?? [];
    state.waiting = Object.fromEntries(state.services.map((f) => [f.code, f.waiting]));
    state.counters = new Map((frame.counters ?? []).map((c) => [c.no, c]));
    state.calls = latestFirst((frame.recent_calls ?? []).map(call));
    renderLatest(false);
    renderRecent(false);
    renderWaiting(true);
    readMessages();
    return;
  }
  if (frame.kind === 'message_posted' || frame.kind === 'message_withdrawn') readMessages();
  if (frame.counter) state.counters.set(frame.counter.no, frame.counter);
  if (frame.waiting) Object.assign(state.waiting, frame.waiting);
  const t = frame.ticket;
  if (t) {
    // Where the ticket stands now: a call of it that no longer holds comes down.
    for (const c of state.calls) if (c.code === t.code) c.status = t.status;
  }
  if (t && isCall(frame)) {
    // Called again after an absence taken back: said like a recall.
    const kind = frame.kind === 'absent_undone' ? 'recalled' : frame.kind;
    const c = call({ ...t, counter: t.counter ?? frame.counter?.no, kind, at: frame.at });
    state.calls = latestFirst([c, ...state.calls]);
    renderLatest(true);
    renderRecent(true);
    announce(c.code, c.counter, () => holds(c));
  } else {
    renderLatest(false);
    renderRecent(false);
  }
  renderWaiting(false);
}

// A frame that calls a ticket to a counter: a call, a recall, or an absence taken back by
// calling the ticket again at the counter (the ticket then stands called).
function isCall(frame) {
  if (frame.kind === 'called' || frame.kind === 'recalled') return true;
  return frame.kind === 'absent_undone' && frame.ticket?.status === 'called';
}

function call(c) {
  const at = Date.parse(c.at ?? '');
  return {
    code: c.code,
    counter: c.counter,
    service: c.service,
    kind: c.kind,
    at: Number.isFinite(at) ? at : hallNow(),
    status: c.status ?? 'called',
  };
}

// The call is still an invitation: its ticket is at that counter and the counter open.
function holds(c) {
  const counter = state.counters.get(c.counter);
  return (
    (c.status === 'called' || c.status === 'serving') &&
    counter?.state === 'open' &&
    counter.current?.code === c.code
  );
}

// What became of a call, for the recent list: "holds", "done" (served), or why it was
// taken down.
function fate(c) {
  if (holds(c)) return 'holds';
  if (c.status === 'waiting') return 'requeued';
  if (c.status === 'absent') return 'absent';
  if (c.status === 'held') return 'held';
  if (c.status === 'cancelled') return 'cancelled';
  return 'done';
}

// What the recent list says of a call taken down (a key of texts.js).
const FATES = {
  requeued: 'fate.requeued',
  absent: 'fate.absent',
  held: 'fate.held',
  cancelled: 'fate.cancelled',
};

// The newest call that still holds and is not yet CALL_SHOWN_MS old.
function shownCall() {
  const now = hallNow();
  return state.calls.find((c) => holds(c) && now - c.at < CALL_SHOWN_MS);
}

// One line per ticket: a recall moves the ticket back to the top.
function latestFirst(calls) {
  const seen = new Set();
  return calls.filter((c) => !seen.has(c.code) && seen.add(c.code)).slice(0, MAX_CALLS);
}

function fieldName(code) {
  return state.services.find((f) => f.code === code);
}

function renderLatest(flash) {
  const latest = shownCall();
  clearTimeout(expiry);
  if (latest) {
    // Back to the welcome panel when this call's time is up (or the next one's shows).
    expiry = setTimeout(
      () => {
        renderLatest(false);
        renderRecent(false);
      },
      Math.max(0, latest.at + CALL_SHOWN_MS - hallNow()) + 50,
    );
  }
  const code = $('latest-code');
  code.textContent = latest ? latest.code : '—';
  code.dataset.len = latest ? String(latest.code.length) : '1';
  $('latest-counter').textContent = latest ? String(latest.counter) : '—';
  const f = latest && fieldName(latest.service);
  $('latest-field').textContent = f ? f.name_vi : '';
  const box = $('latest');
  box.classList.toggle('empty', !latest);
  box.dataset.code = latest ? latest.code : '';
  box.classList.remove('flash');
  if (flash && latest) {
    void box.offsetWidth; // restart the animation on a recall
    box.classList.add('flash');
  }
}

function renderRecent(fresh) {
  const list = $('recent');
  const rem = Number.parseFloat(getComputedStyle(document.documentElement).fontSize);
  const fits = Math.max(1, Math.floor(list.clientHeight / (8.4 * rem)) || 6);
  if (!state.calls.length) {
    list.replaceChildren(h('li', { class: 'recent-empty' }, both('recent.none')));
    return;
  }
  list.replaceChildren(
    ...state.calls.slice(0, fits).map((c, i) => {
      const f = fate(c);
      const tag = FATES[f] ?? (c.kind === 'recalled' ? 'fate.recalled' : null);
      const classes = [fresh && i === 0 ? 'new' : '', FATES[f] ? 'moved' : ''].filter(Boolean).join(' ');
      return h(
        'li',
        { class: classes || null, dataset: { code: c.code, counter: String(c.counter), fate: f } },
        h(
          'span',
          { class: 'rc-code' },
          h('span', { class: 'rc-number' }, c.code),
          tag && h('span', { class: 'rc-tag' }, vi(tag), en(tag)),
        ),
        h('span', { class: 'rc-counter' }, String(c.counter)),
      );
    }),
  );
}

// Fields no open counter serves are marked, so nobody waits for a closed field unawares.
function openCounters(code) {
  let n = 0;
  for (const c of state.counters.values()) if (c.state !== 'closed' && c.services?.includes(code)) n++;
  return n;
}

function renderWaiting(rebuild) {
  const box = $('waiting');
  if (rebuild || box.children.length !== state.services.length) {
    box.replaceChildren(
      ...state.services.map((f) =>
        // The count comes first in the text (tests and screen readers read "5 A Tư pháp…").
        h(
          'div',
          { class: 'field', dataset: { waitingField: f.code } },
          h(
            'div',
            { class: 'field-top' },
            ' ',
            h('div', { class: 'field-count' }),
            ' ',
            h('div', { class: 'field-code' }, f.code),
            ' ',
          ),
          ' ',
          h(
            'div',
            { class: 'field-name' },
            ' ',
            h('div', { class: 'field-vi' }, f.name_vi),
            ' ',
            h('div', { class: 'field-en', lang: 'en' }, f.name_en),
            ' ',
            h('div', { class: 'field-note' }),
            ' ',
          ),
        ),
      ),
    );
  }
  for (const el of box.children) {
    const code = el.dataset.waitingField;
    const n = state.waiting[code] ?? 0;
    const count = el.querySelector('.field-count');
    count.textContent = String(n);
    count.classList.toggle('zero', n === 0);
    const closed = state.counters.size > 0 && openCounters(code) === 0;
    el.classList.toggle('closed', closed);
    const note = el.querySelector('.field-note');
    if (closed !== note.hasChildNodes()) note.replaceChildren(...(closed ? both('field.closed') : []));
  }
}

function setNotice(text) {
  const el = $('notice');
  text = text.normalize('NFC').trim();
  el.closest('.notice-bar').classList.toggle('empty', !text);
  if (el.textContent === text) return;
  el.textContent = text;
  // About 14 rem a second, whatever the length of the text.
  requestAnimationFrame(() => {
    const rem = Number.parseFloat(getComputedStyle(document.documentElement).fontSize);
    el.style.setProperty('--notice-seconds', `${Math.max(10, el.scrollWidth / (14 * rem))}s`);
  });
}
