// Counter display: this counter's number, its current ticket, huge, and its state.

import { api } from '/shared/api.js';
import { fill, h } from '/shared/el.js';
import { announce } from './announce.js';
import { both, en, vi } from './texts.js';

const $ = (id) => document.getElementById(id);

const state = {
  no: 0,
  counter: null, // {no, state, reason?, services, current}
  waiting: 0,
  names: {}, // field code -> {name_vi, name_en}
  connected: false,
};

export function init(no) {
  state.no = no;
  $('counter-no').textContent = String(no);
  document.title = vi('title.counter', { no });
  render(false);
  // A display set up with a wrong number says so instead of "reconnecting" for ever.
  api('GET', `/api/counters/${no}`).catch((err) => {
    if (err.status === 404) fill($('counter-call'), both('c.missing', { no }));
  });
}

export function feedPath() {
  return `/ws/counters/${state.no}`;
}

export function settings(s) {
  for (const f of s.services ?? []) state.names[f.code] = f;
  render(false);
}

export function online(on) {
  state.connected = on;
  render(false);
}

export function apply(frame) {
  if (frame.type === 'snapshot') {
    state.counter = frame.counter;
    state.waiting = (frame.waiting ?? []).length;
    render(false);
    return;
  }
  if (frame.counter && frame.counter.no === state.no) state.counter = frame.counter;
  // A ticket that left this counter (by whatever event) is no longer shown here, even if
  // the frame spoke of the counter it went to.
  const t = frame.ticket;
  const shown = state.counter?.current;
  if (t && shown && t.code === shown.code && !(atCounter(t) && (t.counter ?? state.no) === state.no)) {
    state.counter = { ...state.counter, current: null };
  }
  if (frame.waiting && state.counter) {
    state.waiting = state.counter.services.reduce((n, code) => n + (frame.waiting[code] ?? 0), 0);
  }
  const ours = frame.ticket && (frame.ticket.counter ?? frame.counter?.no) === state.no;
  // A call, a recall, or an absence taken back by calling the ticket again here.
  const isCall =
    ours &&
    (frame.kind === 'called' ||
      frame.kind === 'recalled' ||
      (frame.kind === 'absent_undone' && frame.ticket.status === 'called'));
  render(isCall);
  if (isCall) {
    const code = frame.ticket.code;
    announce(code, state.no, () => state.counter?.current?.code === code);
  }
}

function atCounter(t) {
  return t.status === 'called' || t.status === 'serving';
}

function render(flash) {
  const c = state.counter;
  const live = state.connected && c;
  // Only an open counter has someone at it: never a ticket under "paused" or "closed".
  const current = live && c.state === 'open' && c.current && atCounter(c.current) ? c.current : null;

  const code = $('counter-current');
  code.textContent = current ? current.code : '—';
  code.dataset.len = current ? String(current.code.length) : '1';
  code.classList.toggle('none', !current);

  const call = $('counter-call');
  if (!live) {
    if (c) call.replaceChildren(); // else keep "no such counter", if it was said
  } else if (current?.status === 'called') fill(call, both('c.please-come'));
  else if (current) fill(call, both('c.now-serving'));
  else if (c.state === 'open') fill(call, both('c.wait'));
  else if (c.state === 'paused') fill(call, both('c.paused-wait'));
  else fill(call, both('c.elsewhere'));

  const st = $('counter-state');
  st.dataset.state = c ? c.state : 'closed';
  delete st.dataset.activity;
  if (!live) {
    // Offline: what we knew may be stale, so say nothing about the counter until the snapshot.
    fill(st, both('reconnecting'));
  } else if (c.state === 'open') {
    // "Now serving" only with someone to serve.
    st.dataset.activity = current?.status ?? 'ready';
    fill(st, both(current?.status === 'serving' ? 'c.serving' : current ? 'c.calling' : 'c.ready'));
  } else if (c.state === 'paused') {
    const reason = c.reason ? vi('c.paused-for', { reason: c.reason.normalize('NFC') }) : vi('c.paused');
    fill(st, h('span', { class: 'reason' }, reason), ' ', en('c.paused'));
  } else {
    fill(st, both('c.closed'));
  }

  const services = c?.services ?? [];
  const names = services.map((s) => state.names[s]).filter(Boolean);
  fill(
    $('counter-fields'),
    names.map((f) => f.name_vi).join(' · '),
    names.length > 0 && h('span', { class: 'en', lang: 'en' }, names.map((f) => f.name_en).join(' · ')),
  );
  fill(
    $('counter-waiting'),
    c &&
      c.state !== 'closed' && [vi('c.waiting'), ' ', h('b', {}, String(state.waiting)), ' ', en('c.waiting')],
  );

  const main = $('counter-main');
  main.classList.toggle('open', c?.state === 'open');
  if (flash) {
    main.classList.remove('flash');
    void main.offsetWidth; // restart the animation on a recall
    main.classList.add('flash');
  }
}
