// The clerk console: sign in, open a counter, call and serve tickets.
//
// The counter feed (/ws/counters/{no}) is the source of truth: a snapshot replaces
// everything, each event updates the counter and the waiting list. Answers to the
// clerk's own clicks are applied at once too, so the screen never waits for the feed.

import { api, ApiError, clock, counterFeed, makeI18n, applyStatic, errorText, h } from './lib.js';
import { consoleStrings } from './strings.js';
import { makeReprint } from './reprint.js';
import { makeConfirm } from './confirm.js';
import { makeAbsents } from './absents.js';

const t = makeI18n(consoleStrings);
const $ = (sel) => document.querySelector(sel);
const params = new URLSearchParams(location.search);
const SAVED = 'motcua.console.counter';

const state = {
  view: 'login',
  hall: '',
  services: [], // [{code, name_vi, name_en, target_wait_minutes}]
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
  transferArmed: null, // {id, to, at}: a transfer into a field no counter serves, asked once
};

// ---------- small helpers ----------

const service = (code) => state.services.find((s) => s.code === code);
const fieldName = (code) => {
  const s = service(code);
  if (!s) return code;
  return t.lang() === 'en' ? s.name_en : s.name_vi;
};
const ticketField = (tk) =>
  (t.lang() === 'en' ? tk.service_name_en : tk.service_name_vi) || fieldName(tk.service);
const priorityLabel = (code) => {
  const p = state.priorities[code];
  return p ? (t.lang() === 'en' ? p.label_en : p.label_vi) : code;
};
const PAUSE_KEYS = {
  'Nghỉ trưa': 'pause.lunch',
  lunch: 'pause.lunch',
  Họp: 'pause.meeting',
  meeting: 'pause.meeting',
  'Lỗi hệ thống': 'pause.fault',
  system_fault: 'pause.fault',
};
const pauseLabel = (reason) => (PAUSE_KEYS[reason] ? t(PAUSE_KEYS[reason]) : reason || '');

function minutesSince(iso) {
  const at = Date.parse(iso);
  return Number.isNaN(at) ? 0 : Math.max(0, Math.floor((clock.now() - at) / 60000));
}

function duration(iso) {
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
function say(kind, text) {
  const el = $('#message');
  el.textContent = text;
  el.dataset.kind = text ? kind : '';
  clearTimeout(messageTimer);
  if (text) messageTimer = setTimeout(() => say('', ''), kind === 'error' ? 15000 : 6000);
}
const info = (key, vars) => say('info', t(key, vars));

// Cancel, absent and reprint are asked twice, by click and by key alike (confirm.js).
const confirm = makeConfirm({
  say,
  onChange: () => {
    if (state.view === 'work') render();
    reprint.render();
  },
});
const reprint = makeReprint({
  t,
  $,
  say,
  confirm,
  failed: (err) => failed(err),
  onChange: () => {
    if (state.view === 'work') renderWaiting(legal().call && !state.pending);
  },
});
const absents = makeAbsents({
  t,
  $,
  state,
  fieldName,
  mayCall: () => legal().call && !state.pending,
  undo: (tk, to) => undoAbsent(tk, to),
});

function showView(view) {
  state.view = view;
  document.body.dataset.view = view;
  $('#logout-btn').hidden = view === 'login';
  $('#help-btn').hidden = view !== 'work';
  $('#counts').hidden = view !== 'work';
  $('#bar-state').hidden = view !== 'work';
  if (view !== 'work') $('#bar-counter').textContent = 'motcua';
  $('#user-name').textContent = view === 'login' ? '' : (state.user?.name ?? '');
}

/** A failed request: back to the login form if the session ended, else say why. */
function failed(err) {
  if (err instanceof ApiError && err.status === 401) {
    stopWork();
    showView('login');
    $('#login-error').textContent = t('err.unauthenticated');
    $('#login-name').focus();
    return;
  }
  say('error', errorText(t, err));
}

// ---------- starting up ----------

async function loadHall() {
  for (let wait = 1000; ; wait = Math.min(wait * 2, 10000)) {
    try {
      const info = await api('GET', '/api/services');
      state.hall = info.hall;
      state.services = info.services;
      state.priorities = Object.fromEntries(info.priorities.map((p) => [p.code, p]));
      if (Number.isFinite(info.absent_after_seconds)) state.absentAfter = info.absent_after_seconds;
      if (Number.isFinite(info.absent_undo_minutes)) state.undoMinutes = info.absent_undo_minutes;
      $('#hall-name').textContent = info.hall;
      return;
    } catch {
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

async function boot() {
  applyStatic(t);
  wire();
  const hall = loadHall();
  let user = null;
  for (let wait = 1000; ; wait = Math.min(wait * 2, 10000)) {
    try {
      user = (await api('GET', '/api/session')).user ?? null;
      break;
    } catch (err) {
      if (err.status === 401 || err.status === 403) break;
      say('error', errorText(t, err));
      await new Promise((r) => setTimeout(r, wait));
    }
  }
  await hall;
  if (!user) {
    showView('login');
    $('#login-name').focus();
    return;
  }
  state.user = user;
  await chooseCounter(true);
}

async function login(e) {
  e.preventDefault();
  const name = $('#login-name').value.trim();
  const password = $('#login-password').value;
  const button = $('button[data-action="login"]');
  $('#login-error').textContent = '';
  button.disabled = true;
  try {
    state.user = (await api('POST', '/api/session', { name, password })).user;
    $('#login-password').value = '';
    say('', '');
    await chooseCounter(true);
  } catch (err) {
    $('#login-error').textContent = errorText(t, err);
    $('#login-password').select();
  } finally {
    button.disabled = false;
  }
}

async function logout() {
  stopWork();
  try {
    await api('DELETE', '/api/session');
  } catch {
    /* the cookie goes anyway */
  }
  state.user = null;
  say('', '');
  showView('login');
  $('#login-name').focus();
}

/** The counter picker. `resume`: go straight back to the counter this console held. */
async function chooseCounter(resume) {
  try {
    state.counters = (await api('GET', '/api/counters')).counters;
  } catch (err) {
    failed(err);
    if (state.view === 'login') return;
    state.counters = [];
  }
  const wanted = Number(params.get('counter')) || Number(localStorage.getItem(SAVED)) || null;
  const select = $('#counter-select');
  select.replaceChildren(
    ...state.counters.map((c) =>
      h(
        'option',
        { value: c.no },
        `${t('counter.n', { no: c.no })} — ${c.services.join(', ')} (${t(`state.${c.state}`)})`,
      ),
    ),
  );
  if (wanted && state.counters.some((c) => c.no === wanted)) select.value = String(wanted);
  showChosenFields();
  if (resume) {
    // The server does not say which counter we hold; opening one we already hold changes
    // nothing and opening someone else's is refused, so trying the open ones finds ours.
    const open = state.counters
      .filter((c) => c.state !== 'closed')
      .sort((a, b) => (b.no === wanted) - (a.no === wanted));
    for (const c of open) {
      const opened = await openCounter(c.no, true);
      if (opened !== false) return; // ours, or the session ended (null)
    }
    if (open.some((c) => c.no === wanted) && params.get('counter')) say('error', t('err.counter_taken'));
  }
  showView('choose');
  select.focus();
}

function showChosenFields() {
  const c = state.counters.find((x) => String(x.no) === $('#counter-select').value);
  $('#choose-fields').textContent = c ? c.services.map(fieldName).join(' · ') : '';
}

async function openCounter(no, quietly = false) {
  const button = $('button[data-action="open"]');
  button.disabled = true;
  try {
    const counter = await api('POST', `/api/counters/${no}/open`);
    localStorage.setItem(SAVED, String(no));
    say('', '');
    startWork(counter);
    return true;
  } catch (err) {
    if (quietly && err.status !== 401) return false;
    if (err.status === 401) {
      failed(err);
      return null;
    }
    const elsewhere = err.code === 'already_at_counter' && /(\d+)/.exec(err.message);
    if (elsewhere && state.counters.some((c) => c.no === Number(elsewhere[1]))) {
      $('#counter-select').value = elsewhere[1];
      showChosenFields();
      say('error', t('choose.goto', { no: elsewhere[1] }));
    } else {
      failed(err);
    }
    return false;
  } finally {
    button.disabled = false;
  }
}

// ---------- the work view ----------

function startWork(counter) {
  stopWork();
  state.no = counter.no;
  state.counter = counter;
  state.waiting = [];
  state.seq = 0;
  showView('work');
  fillTransfer();
  render();
  state.feed = counterFeed(counter.no, onFrame, (live) => {
    document.body.dataset.connected = String(live);
  });
  refreshCounts();
  reprint.start();
}

function stopWork() {
  state.feed?.close();
  state.feed = null;
  reprint.stop();
  absents.set([]);
  document.body.dataset.connected = 'false';
}

/** The counter was closed (by us, a manager, or the end of the day): pick again. */
function leaveWork(message) {
  stopWork();
  localStorage.removeItem(SAVED);
  state.counter = null;
  chooseCounter(false).then(() => {
    if (message) info(message.key, message.vars);
  });
}

function applySnapshot(snap) {
  state.seq = snap.seq;
  applyCounter(snap.counter);
  state.waiting = snap.waiting;
  for (const tk of snap.waiting) clock.saw(tk.issued_at);
  render();
}

function applyCounter(counter) {
  if (!counter || counter.no !== state.no) return;
  state.counter = counter;
  if (counter.current) {
    clock.saw(counter.current.called_at);
    clock.saw(counter.current.started_at);
  }
  // Closed by a manager or by the end of the day (our own Close is handled where it is asked).
  if (counter.state === 'closed' && state.view === 'work' && !state.pending) {
    leaveWork({ key: 'info.closedElsewhere', vars: { no: counter.no } });
  }
}

/** Keep the waiting list: a waiting ticket of our fields is in it, anything else is not. */
function applyTicket(tk) {
  const at = state.waiting.findIndex((w) => w.id === tk.id);
  const belongs = tk.status === 'waiting' && state.counter?.services.includes(tk.service);
  if (belongs && at >= 0) {
    state.waiting[at] = tk;
  } else if (belongs) {
    // New arrivals and returned tickets join the back of their group (priority first).
    const prio = tk.priority !== 'none';
    let i = state.waiting.length;
    if (prio) {
      i = state.waiting.findIndex((w) => w.priority === 'none');
      if (i < 0) i = state.waiting.length;
    }
    state.waiting.splice(i, 0, tk);
  } else if (at >= 0) {
    state.waiting.splice(at, 1);
  }
}

function onFrame(frame) {
  if (frame.type === 'snapshot') {
    applySnapshot(frame);
    refreshCounts();
    reprint.refresh();
    return;
  }
  if (frame.type !== 'event' || frame.seq <= state.seq) return;
  state.seq = frame.seq;
  applyCounter(frame.counter);
  const tk = frame.ticket;
  if (tk) {
    applyTicket(tk);
    // A transfer keeps the ticket's place: ask the server where it stands.
    if (frame.kind === 'transferred' && tk.status === 'waiting') refetch();
    if (tk.counter === state.no && (frame.kind === 'served' || frame.kind === 'absent')) refreshCounts();
    // The list of recent absents follows every absence and undo in our fields.
    if (
      (frame.kind === 'absent' || frame.kind === 'absent_undone') &&
      state.counter?.services.includes(tk.service)
    )
      refreshCounts();
    // A ticket issued or printed again: its print result follows; read the list after it.
    if (frame.kind === 'issued' || frame.kind === 'reprinted') reprint.later();
  }
  if (state.view === 'work') render();
}

let refetching = null;
let refetchAgain = false;
async function refetch() {
  if (refetching) {
    refetchAgain = true;
    return;
  }
  const no = state.no;
  refetching = api('GET', `/api/counters/${no}`)
    .then((snap) => {
      if (no === state.no && snap.seq >= state.seq && state.view === 'work') applySnapshot(snap);
    })
    .catch(() => {})
    .finally(() => {
      refetching = null;
      if (refetchAgain) {
        refetchAgain = false;
        refetch();
      }
    });
}

let countsTimer = null;
function refreshCounts() {
  clearTimeout(countsTimer);
  countsTimer = setTimeout(async () => {
    const no = state.no;
    try {
      const [served, absent] = await Promise.all([
        api('GET', '/api/tickets?status=served'),
        api('GET', '/api/tickets?status=absent'),
      ]);
      if (no !== state.no) return;
      $('#count-served').textContent = served.tickets.filter((x) => x.counter === no).length;
      $('#count-absent').textContent = absent.tickets.filter((x) => x.counter === no).length;
      absents.set(absent.tickets);
    } catch (err) {
      if (err.status === 401) failed(err);
    }
  }, 150);
}

// ---------- what may be done now ----------

/** Seconds until the called ticket `cur` may be marked absent (0: now): after a recall, or
 * the hall's minimum time since the call (the server refuses sooner: absent_too_soon). */
function absentIn(cur) {
  if (!cur || cur.status !== 'called' || cur.recalls > 0) return 0;
  const at = Date.parse(cur.called_at);
  if (Number.isNaN(at)) return 0;
  return Math.max(0, Math.ceil((at + state.absentAfter * 1000 - clock.now()) / 1000));
}

function legal() {
  const c = state.counter;
  const cur = c?.current;
  const st = cur?.status;
  const open = c?.state === 'open';
  const paused = c?.state === 'paused';
  return {
    next: open && !cur,
    call: open && !cur,
    recall: st === 'called',
    start: st === 'called',
    'no-show': st === 'called' && absentIn(cur) === 0,
    finish: st === 'serving',
    transfer: !!cur,
    reprint: !!cur,
    return: !!cur,
    cancel: !!cur,
    pause: open && !cur,
    resume: paused,
    close: (open || paused) && !cur,
  };
}

// ---------- drawing ----------

function render() {
  const c = state.counter;
  if (!c) return;
  const may = legal();
  const cur = c.current;

  $('#bar-counter').textContent = t('counter.n', { no: c.no });
  const chip = $('#bar-state');
  chip.dataset.state = c.state;
  chip.textContent =
    c.state === 'paused' && c.reason
      ? `${t('state.paused')}: ${pauseLabel(c.reason)}`
      : t(`state.${c.state}`);

  const box = $('#current');
  box.dataset.status = cur ? cur.status : c.state === 'paused' ? 'paused' : '';
  $('#current-code').textContent = cur ? cur.code : '—';
  const status = $('#current-status');
  status.dataset.status = cur?.status ?? '';
  status.textContent = cur ? t(`status.${cur.status}`) : t('status.none');
  $('#current-field').textContent = cur ? `${cur.service} · ${ticketField(cur)}` : '';
  const prio = $('#current-priority');
  prio.hidden = !cur || cur.priority === 'none';
  prio.textContent =
    cur && cur.priority !== 'none' ? `${t('priority')} · ${priorityLabel(cur.priority)}` : '';
  $('#current-timer-label').textContent = cur
    ? t(cur.status === 'serving' ? 'timer.serving' : 'timer.called')
    : '';
  $('#current-recalls').textContent = cur?.recalls ? t('recalls', { n: cur.recalls }) : '';
  $('#current-empty').textContent =
    c.state === 'paused'
      ? `${t('current.paused')}${c.reason ? ` — ${pauseLabel(c.reason)}` : ''}`
      : t('current.empty');
  tickTimer();

  for (const button of document.querySelectorAll('.desk button[data-action]')) {
    const action = button.dataset.action;
    button.disabled = state.pending || !may[action];
    // A first press of a move asked twice: the button waits for its second.
    button.classList.toggle('armed', Boolean(cur) && confirm.isArmed(`${action}:${cur.id}`));
  }
  renderAbsentSoon();
  const paused = c.state === 'paused';
  $('.pause-group').hidden = paused;
  $('button[data-action="pause"]').hidden = paused;
  $('button[data-action="resume"]').hidden = !paused;
  $('#pause-reason').disabled = !may.pause;
  $('#pause-other').disabled = !may.pause;
  $('#transfer-service').disabled = !may.transfer;
  fillTransfer();
  renderWaiting(may.call && !state.pending);
  absents.render();
}

/** Under the Absent button: how long before it is offered, while it is not. */
function renderAbsentSoon() {
  const cur = state.counter?.current;
  const wait = absentIn(cur);
  const soon = $('#absent-soon');
  soon.textContent = cur?.status === 'called' && wait > 0 ? t('absent.in', { s: wait }) : '';
  $('button[data-action="no-show"]').title =
    cur?.status === 'called' && wait > 0 ? t('absent.why', { s: state.absentAfter }) : '';
}

function renderWaiting(callable) {
  const list = $('#waiting');
  list.replaceChildren(
    ...state.waiting.map((tk) => {
      const prio = tk.priority !== 'none';
      return h(
        'li',
        {
          dataset: {
            ticketId: tk.id,
            issued: tk.issued_at,
            target: service(tk.service)?.target_wait_minutes ?? '',
          },
          class: prio ? 'prio' : '',
          tabindex: 0,
          'aria-disabled': callable ? null : 'true',
          title: callable ? t('waiting.hint') : null,
        },
        h('span', { class: 'code' }, tk.code),
        h(
          'span',
          { class: 'what' },
          h('span', { class: 'name' }, ticketField(tk)),
          prio
            ? h('span', { class: 'badge prio' }, `${t('priority')} · ${priorityLabel(tk.priority)}`)
            : null,
          reprint.has(tk.id) ? h('span', { class: 'badge unprinted' }, t('unprinted.badge')) : null,
        ),
        h('span', { class: 'waited' }),
      );
    }),
  );
  $('#waiting-count').textContent = state.waiting.length;
  $('#waiting-empty').hidden = state.waiting.length > 0;
  tickWaiting();
}

function fillTransfer() {
  const select = $('#transfer-service');
  const from = state.counter?.current?.service;
  const options = state.services.filter((s) => s.code !== from);
  const key = `${t.lang()}|${from}|${options.map((s) => `${s.code}${s.counters_open > 0}`).join()}`;
  if (select.dataset.key === key) return;
  const keep = select.value;
  select.dataset.key = key;
  select.replaceChildren(
    h('option', { value: '' }, t('transfer.choose')),
    ...options.map((s) =>
      h(
        'option',
        { value: s.code, dataset: s.counters_open > 0 ? {} : { noCounter: '1' } },
        `${s.code} · ${t.lang() === 'en' ? s.name_en : s.name_vi}${s.counters_open > 0 ? '' : ` — ${t('transfer.closed')}`}`,
      ),
    ),
  );
  if (options.some((s) => s.code === keep)) select.value = keep;
}

function tickTimer() {
  const cur = state.counter?.current;
  const since = cur && (cur.status === 'serving' ? cur.started_at : cur.called_at);
  $('#current-timer').textContent = since ? duration(since) : '';
}

function tickWaiting() {
  for (const li of document.querySelectorAll('#waiting li')) {
    const n = minutesSince(li.dataset.issued);
    const target = Number(li.dataset.target);
    li.classList.toggle('late', target > 0 && n > target);
    li.querySelector('.waited').textContent = t('waiting.min', { n });
  }
}

// ---------- the clerk's moves ----------

async function act(action, ticketId) {
  const may = legal();
  if (state.view !== 'work' || state.pending) return;
  if (!may[action]) {
    if (action === 'no-show' && state.counter?.current?.status === 'called') {
      say('error', t('absent.notYet', { s: absentIn(state.counter.current), after: state.absentAfter }));
    }
    if (action === 'call' && state.counter?.current) say('error', t('err.counter_busy'));
    if (action === 'call' && state.counter?.state === 'paused') say('error', t('err.counter_paused'));
    return;
  }
  const no = state.no;
  const cur = state.counter.current;
  // What cannot be taken back is asked twice, by click and by key alike.
  const twice = { cancel: 'confirm.cancel', 'no-show': 'confirm.absent', reprint: 'reprint.again' };
  if (twice[action] && !confirm.confirmed(`${action}:${cur.id}`, t(twice[action], { code: cur.code })))
    return;
  confirm.disarm();
  let body;
  if (action === 'transfer') {
    const to = $('#transfer-service').value;
    if (!to) {
      say('error', t('transfer.need'));
      $('#transfer-service').focus();
      return;
    }
    if (!transferConfirmed(cur, to)) return;
    body = { service: to };
  }
  if (action === 'pause') {
    const other = $('#pause-reason').value === '';
    const reason = (other ? $('#pause-other').value : $('#pause-reason').value).trim();
    if (!reason) {
      say('error', t('pause.need'));
      $('#pause-other').focus();
      return;
    }
    body = { reason };
  }
  state.pending = true;
  render();
  try {
    switch (action) {
      case 'next': {
        const tk = await api('POST', `/api/counters/${no}/call-next`);
        if (tk) took(tk);
        else info('info.nobody');
        break;
      }
      case 'call': {
        took(await api('POST', `/api/tickets/${ticketId}/call`, { counter: no }));
        break;
      }
      case 'recall':
      case 'start': {
        const tk = await api('POST', `/api/tickets/${cur.id}/${action}`);
        state.counter = { ...state.counter, current: tk };
        break;
      }
      case 'finish':
      case 'no-show':
      case 'return':
      case 'cancel':
      case 'transfer': {
        const tk = await api('POST', `/api/tickets/${cur.id}/${action}`, body);
        state.counter = { ...state.counter, current: null };
        applyTicket(tk);
        const done = {
          finish: 'info.served',
          'no-show': 'info.absent',
          return: 'info.returned',
          cancel: 'info.cancelled',
          transfer: 'info.transferred',
        };
        info(done[action], { code: tk.code, field: fieldName(tk.service) });
        if (action === 'transfer') $('#transfer-service').value = '';
        if (action === 'finish' || action === 'no-show') refreshCounts();
        break;
      }
      case 'reprint':
        await reprint.send(cur.id, cur.code);
        break;
      case 'pause':
      case 'resume':
        applyCounter(await api('POST', `/api/counters/${no}/${action}`, body));
        if (action === 'pause') $('#pause-other').value = '';
        break;
      case 'close':
        await api('POST', `/api/counters/${no}/close`);
        state.pending = false;
        leaveWork(null);
        return;
      default:
        break;
    }
    if (document.activeElement?.tagName === 'SELECT' || document.activeElement?.tagName === 'INPUT')
      document.activeElement.blur();
  } catch (err) {
    failed(err);
    // Whatever we believed was stale: ask the server how things stand.
    if (err instanceof ApiError && (err.status === 409 || err.status === 403)) refetch();
  } finally {
    state.pending = false;
    if (state.view === 'work') render();
  }
}

/** Undo an absence: call the ticket again here (`counter`) or send it to the front of its
 * queue (`queue`). */
async function undoAbsent(tk, to) {
  if (state.view !== 'work' || state.pending) return;
  if (to === 'counter' && !legal().call) {
    say('error', t(state.counter?.current ? 'err.counter_busy' : 'err.counter_paused'));
    return;
  }
  state.pending = true;
  render();
  try {
    const body = to === 'counter' ? { to, counter: state.no } : { to };
    const back = await api('POST', `/api/tickets/${tk.id}/undo-absent`, body);
    if (to === 'counter') took(back);
    else refetch(); // its place is at the front: the server says where
    info(to === 'counter' ? 'info.absentCalled' : 'info.absentQueued', { code: back.code });
  } catch (err) {
    failed(err);
    if (err instanceof ApiError && (err.status === 409 || err.status === 403)) refetch();
  } finally {
    state.pending = false;
    refreshCounts();
    if (state.view === 'work') render();
  }
}

/** The fields' open counters change with other clerks: read them again (for the transfer list). */
async function refreshServices() {
  try {
    state.services = (await api('GET', '/api/services')).services;
    if (state.view === 'work') fillTransfer();
  } catch {
    /* keep what we had */
  }
}

/**
 * A transfer into a field no open counter serves leaves the citizen waiting for nobody: the
 * first press (click or Enter) warns, a second one within 10 s transfers anyway.
 */
function transferConfirmed(cur, to) {
  const s = service(to);
  if (!s || s.counters_open > 0) return true;
  const armed = state.transferArmed;
  if (armed && armed.id === cur.id && armed.to === to && Date.now() - armed.at < 10000) {
    state.transferArmed = null;
    return true;
  }
  state.transferArmed = { id: cur.id, to, at: Date.now() };
  say('error', t('transfer.noCounter', { field: fieldName(to) }));
  return false;
}

/** The counter now holds this called ticket. */
function took(tk) {
  refreshServices();
  state.counter = { ...state.counter, current: tk };
  clock.saw(tk.called_at);
  applyTicket(tk);
  say('', '');
}

// ---------- keyboard ----------

const KEYS = [
  ['N', 'next', 'act.next'],
  ['R', 'recall', 'act.recall'],
  ['S', 'start', 'act.start'],
  ['F', 'finish', 'act.finish'],
  ['A', 'no-show', 'help.absentTwice'],
  ['T', 'transfer', 'help.transferKey'],
  ['B', 'return', 'act.return'],
  ['X', 'cancel', 'help.cancelTwice'],
  ['I', 'reprint', 'help.reprintTwice'],
  ['P', 'pause', 'help.pauseResume'],
  ['?', 'help', 'help.help'],
];

function onKey(e) {
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  const help = $('#help');
  if (e.key === 'Escape') {
    if (!help.hidden) toggleHelp(false);
    else if (document.activeElement && document.activeElement !== document.body)
      document.activeElement.blur();
    return;
  }
  const target = e.target;
  if (e.key === 'Enter' && target.id === 'transfer-service') {
    e.preventDefault();
    act('transfer');
    return;
  }
  if (e.key === 'Enter' && target.id === 'pause-other') {
    e.preventDefault();
    act('pause');
    return;
  }
  if (e.key === 'Enter' && target.matches?.('#waiting li')) {
    act('call', Number(target.dataset.ticketId));
    return;
  }
  if (state.view !== 'work' || target.matches?.('input, select, textarea')) return;
  if (e.key === '?') {
    e.preventDefault();
    toggleHelp();
    return;
  }
  if (!help.hidden) return;
  const key = e.key.toUpperCase();
  const found = KEYS.find(([k]) => k === key);
  if (!found) return;
  e.preventDefault();
  const action = found[1];
  if (action === 'transfer') {
    if (!legal().transfer) return;
    const select = $('#transfer-service');
    select.focus();
    try {
      select.showPicker();
    } catch {
      /* older browsers: the focused select will do */
    }
  } else if (action === 'pause') {
    act(state.counter?.state === 'paused' ? 'resume' : 'pause');
  } else {
    act(action);
  }
}

function toggleHelp(show) {
  const help = $('#help');
  const open = show ?? help.hidden;
  if (open) {
    $('#help-keys').replaceChildren(
      ...KEYS.map(([k, , label]) => h('tr', {}, h('td', {}, h('kbd', {}, k)), h('td', {}, t(label)))),
      h('tr', {}, h('td', {}, h('kbd', {}, t('help.clickKey'))), h('td', {}, t('help.click'))),
    );
  }
  help.hidden = !open;
  if (open) $('#help-close').focus();
}

// ---------- wiring ----------

function wire() {
  $('#login-form').addEventListener('submit', login);
  $('#logout-btn').addEventListener('click', logout);
  $('#help-btn').addEventListener('click', () => toggleHelp(true));
  $('#help-close').addEventListener('click', () => toggleHelp(false));
  $('#help').addEventListener('click', (e) => {
    if (e.target.id === 'help') toggleHelp(false);
  });
  $('#lang-btn').addEventListener('click', () => {
    t.set(t.lang() === 'vi' ? 'en' : 'vi');
    if (state.view === 'choose') chooseCounter(false);
    if (state.view === 'work') render();
  });
  $('#counter-select').addEventListener('change', showChosenFields);
  $('#transfer-service').addEventListener('focus', refreshServices);
  $('#message').addEventListener('click', () => say('', ''));
  $('button[data-action="open"]').addEventListener('click', () => {
    const no = Number($('#counter-select').value);
    if (no) openCounter(no);
  });
  for (const button of document.querySelectorAll('.desk button[data-action]')) {
    button.addEventListener('click', () => act(button.dataset.action));
  }
  $('#waiting').addEventListener('click', (e) => {
    const li = e.target.closest('li[data-ticket-id]');
    if (li) act('call', Number(li.dataset.ticketId));
  });
  $('#pause-reason').addEventListener('change', () => {
    const other = $('#pause-reason').value === '';
    $('#pause-other').hidden = !other;
    if (other) $('#pause-other').focus();
  });
  document.addEventListener('keydown', onKey);
  setInterval(() => {
    if (state.view !== 'work') return;
    tickTimer();
    tickWaiting();
    // Absent becomes possible once the minimum time since the call has passed.
    const button = $('button[data-action="no-show"]');
    if (button.disabled !== (state.pending || !legal()['no-show'])) render();
    else renderAbsentSoon();
    absents.render();
  }, 1000);
}

boot();
