// Counter display: this counter's number, its current ticket, huge, and its state.

import { announce } from './announce.js';

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
  document.title = `Quầy ${no} – motcua`;
  render(false);
  // A display set up with a wrong number says so instead of "reconnecting" for ever.
  fetch(`/api/counters/${no}`).then(
    (r) => {
      if (r.status === 404) {
        $('counter-call').innerHTML =
          `Không có quầy số ${no} <span class="en">No such counter — check the display's address</span>`;
      }
    },
    () => {},
  );
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
  const isCall = ours && (frame.kind === 'called' || frame.kind === 'recalled');
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
    if (c) call.innerHTML = ''; // else keep "no such counter", if it was said
  } else if (current?.status === 'called')
    call.innerHTML = 'Mời công dân có số <span class="en">Please come to the counter</span>';
  else if (current) call.innerHTML = 'Số đang phục vụ <span class="en">Now serving</span>';
  else if (c.state === 'open')
    call.innerHTML = 'Xin chờ gọi số <span class="en">Please wait for your number</span>';
  else if (c.state === 'paused')
    call.innerHTML = 'Quầy tạm dừng, xin vui lòng chờ <span class="en">Please wait</span>';
  else call.innerHTML = 'Xin mời sang quầy khác <span class="en">Please use another counter</span>';

  const st = $('counter-state');
  st.dataset.state = c ? c.state : 'closed';
  delete st.dataset.activity;
  st.replaceChildren();
  if (!live) {
    // Offline: what we knew may be stale, so say nothing about the counter until the snapshot.
    st.innerHTML = 'Đang kết nối lại… <span class="en">Reconnecting</span>';
  } else if (c.state === 'open') {
    // "Now serving" only with someone to serve.
    st.dataset.activity = current?.status ?? 'ready';
    if (current?.status === 'serving') st.innerHTML = 'Đang phục vụ <span class="en">Now serving</span>';
    else if (current) st.innerHTML = 'Đang gọi số <span class="en">Calling</span>';
    else st.innerHTML = 'Sẵn sàng phục vụ <span class="en">Ready</span>';
  } else if (c.state === 'paused') {
    const reason = document.createElement('span');
    reason.className = 'reason';
    reason.textContent = c.reason ? `Tạm dừng: ${c.reason.normalize('NFC')}` : 'Tạm dừng';
    const en = document.createElement('span');
    en.className = 'en';
    en.textContent = 'Paused';
    st.append(reason, ' ', en);
  } else {
    st.innerHTML = 'Quầy đóng <span class="en">Closed</span>';
  }

  const services = c?.services ?? [];
  const names = services.map((s) => state.names[s]).filter(Boolean);
  const fields = $('counter-fields');
  fields.textContent = names.map((f) => f.name_vi).join(' · ');
  if (names.length) {
    const en = document.createElement('span');
    en.className = 'en';
    en.textContent = names.map((f) => f.name_en).join(' · ');
    fields.append(en);
  }
  $('counter-waiting').innerHTML =
    c && c.state !== 'closed' ? `Đang chờ: <b>${state.waiting}</b> <span class="en">waiting</span>` : '';

  const main = $('counter-main');
  main.classList.toggle('open', c?.state === 'open');
  if (flash) {
    main.classList.remove('flash');
    void main.offsetWidth; // restart the animation on a recall
    main.classList.add('flash');
  }
}
