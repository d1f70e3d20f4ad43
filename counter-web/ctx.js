// What every part of the clerk console shares: the translations, the console's state, the
// message line, and the small words for fields, priorities and pause reasons.

import { clock } from '/shared/clock.js';
import { makeI18n } from '/shared/i18n.js';
import { consoleStrings } from './strings.js';

export const t = makeI18n(consoleStrings);
export const $ = (sel) => document.querySelector(sel);
export const params = new URLSearchParams(location.search);
/** The counter this console held last (a reload goes straight back to it). */
export const SAVED = 'motcua.console.counter';

export const state = {
  view: 'login',
  hall: '',
  services: [], // [{code, name_vi, name_en, target_wait_minutes, counters_open}]
  priorities: {}, // code -> {label_vi, label_en}
  user: null,
  counters: [],
  no: null, // the counter this console works at
  counter: null, // {no, state, reason?, services, current}
  waiting: [],
  seq: 0,
  pending: false, // a move is on its way: no double clicks
  feed: null,
  absentAfter: 120, // seconds after a call before "absent" is offered (or a recall)
  undoMinutes: 15, // how long an absence may be undone
  recallGap: 0, // minutes a recall waits after the last call (the hall's rule; 0: none)
  absentAfterCalls: 0, // calls after which the hall itself marks an unanswered ticket absent
  transferArmed: null, // {id, to, at}: a transfer into a field no counter serves, asked once
};

export const service = (code) => state.services.find((s) => s.code === code);
export const fieldName = (code) => {
  const s = service(code);
  return s ? t.pick(s.name_vi, s.name_en) : code;
};
export const ticketField = (tk) => t.pick(tk.service_name_vi, tk.service_name_en) || fieldName(tk.service);
export const priorityLabel = (code) => {
  const p = state.priorities[code];
  return p ? t.pick(p.label_vi, p.label_en) : code;
};

const PAUSE_KEYS = {
  'Nghỉ trưa': 'pause.lunch',
  lunch: 'pause.lunch',
  Họp: 'pause.meeting',
  meeting: 'pause.meeting',
  'Lỗi hệ thống': 'pause.fault',
  system_fault: 'pause.fault',
};
export const pauseLabel = (reason) => (PAUSE_KEYS[reason] ? t(PAUSE_KEYS[reason]) : reason || '');

export function minutesSince(iso) {
  const at = Date.parse(iso);
  return Number.isNaN(at) ? 0 : Math.max(0, Math.floor((clock.now() - at) / 60000));
}

/** "04:05" (or "1:04:05") since `iso`, on the server's clock. */
export function duration(iso) {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return '';
  const s = Math.max(0, Math.floor((clock.now() - at) / 1000));
  const two = (n) => String(n).padStart(2, '0');
  const hours = Math.floor(s / 3600);
  return hours
    ? `${hours}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}`
    : `${two(Math.floor(s / 60))}:${two(s % 60)}`;
}

let messageTimer = null;
/** The floating message line: `kind` 'error' or 'info'; an empty text clears it. */
export function say(kind, text) {
  const el = $('#message');
  el.textContent = text;
  el.dataset.kind = text ? kind : '';
  clearTimeout(messageTimer);
  if (text) messageTimer = setTimeout(() => say('', ''), kind === 'error' ? 15000 : 6000);
}
export const info = (key, vars) => say('info', t(key, vars));

/** Wait a moment (a retry's pause; never used to wait for the server's answer). */
export const pause = (ms) => new Promise((r) => setTimeout(r, ms));
