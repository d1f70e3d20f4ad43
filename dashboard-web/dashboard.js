// The manager's dashboard: the hall now (live) and its figures over a range of days.
//
// "Now" reads GET /api/stats/now again on every frame of the hall feed (/ws/hall), at most
// once a second, and every 30 s anyway (the longest wait grows while nothing happens).
// "History" reads GET /api/stats?from&to for the chosen local dates and draws it with
// history.js (shared with the city's page); the export links and the daily report follow
// the chosen range. "Complaints" lists the citizens' complaints (complaints.js); "Counter
// plan" the coming week's counters per field and hour (plan.js).

import { ApiError, api } from '/shared/api.js';
import { h } from '/shared/el.js';
import { follow } from '/shared/feed.js';
import { makeEmergencies } from '/shared/emergencies.js';
import { applyStatic, errorText, makeI18n } from '/shared/i18n.js';
import { makeAbuse } from './abuse.js';
import { makeAlerts } from './alerts.js';
import { makeComplaints } from './complaints.js';
import { languageButton, makeTabs, pressQuick } from './controls.js';
import { dates, makeFormat, mayRead } from './format.js';
import { makeHistoryView } from './history.js';
import { makeMessages } from './messages.js';
import { makeNow } from './now.js';
import { makePlan } from './plan.js';
import { makePrinters } from './printers.js';
import { signOut, signedInUser, wireSignIn } from './signin.js';
import { strings } from './strings.js';

const t = makeI18n(strings);
const fmt = makeFormat(t);
const $ = (sel) => document.querySelector(sel);

const REFRESH_MS = 30000;
const THROTTLE_MS = 1000;

const state = {
  view: 'loading',
  tab: 'now',
  user: null,
  hall: '',
  scale: 5,
  now: null, // the last answer of /api/stats/now
  feed: null,
  timer: null,
  hallToday: null, // the hall's date, from the server's "at"
  range: null, // {from, to}
  stats: null, // the last answer of /api/stats
  statsError: null,
  charts: null,
};

const tabs = makeTabs($('.tabs'), { key: (tab) => tab.dataset.tab, onSelect: (tab) => showTab(tab) });
const abuse = makeAbuse({ t, fmt, $, refresh: () => refreshNow() });
const printers = makePrinters({ t, fmt, $ });
const alerts = makeAlerts({ t, $ });
const messages = makeMessages({ t, $ });
const nowView = makeNow({ t, fmt, $, abuse, printers });
// Emergencies raised at the counters: a manager marks each handled.
const emergencies = makeEmergencies({
  t,
  banner: $('#sos-banner'),
  mayHandle: () => true,
  onError: (err) => {
    if (!refused(err)) $('#now-error').textContent = errorText(t, err);
  },
});
const complaintsView = makeComplaints({ t, fmt, $, refused: (err) => refused(err) });
const planView = makePlan({ t, fmt, $, refused: (err) => refused(err) });

// ---------- views ----------

function showView(view) {
  state.view = view;
  document.body.dataset.view = view;
  $('#logout-btn').hidden = view !== 'dash' && view !== 'denied';
  $('#user-name').textContent = view === 'dash' ? (state.user?.name ?? '') : '';
}

function showTab(tab) {
  state.tab = tab;
  document.body.dataset.tab = tab;
  tabs.select(tab);
  if (tab === 'history') openHistory();
  if (tab === 'complaints') complaintsView.open(today());
  if (tab === 'plan') {
    // The day named in the address, once: afterwards the page's own choice is the address's.
    planView.open(today(), state.planDay, { onDay: () => writeHash() });
    state.planDay = null;
  }
  if (tab === 'now' && state.nowStale) refreshNow();
  writeHash();
}

/** The first time the History tab shows: today in the hall (the server's day, not this PC's). */
async function openHistory() {
  if (!state.range) {
    await firstNow.promise;
    if (!state.range) setRange(quickRange('today'), false);
  } else if ($('#range-from').value !== state.range.from || $('#range-to').value !== state.range.to) {
    setRange(state.range, false);
  }
  if (!state.stats && !state.statsError) loadStats();
  state.history?.redraw();
}

function writeHash() {
  const hash =
    state.tab === 'history' && state.range
      ? `#history/${state.range.from}/${state.range.to}`
      : state.tab === 'plan' && planView.day()
        ? `#plan/${planView.day()}`
        : `#${state.tab}`;
  if (location.hash !== hash) history.replaceState(null, '', hash);
}

function readHash() {
  const [tab, from, to] = location.hash.replace(/^#/, '').split('/');
  if (tab === 'history' && dates.valid(from) && dates.valid(to)) state.range = { from, to };
  state.planDay = tab === 'plan' && dates.valid(from) ? from : null;
  return ['history', 'complaints', 'plan'].includes(tab) ? tab : 'now';
}

/** A request failed: the sign-in form if the session ended, "no access" if refused. */
function refused(err) {
  if (!(err instanceof ApiError)) return false;
  if (err.status === 401) {
    stopLive();
    showView('login');
    $('#login-error').textContent = t('err.unauthenticated');
    return true;
  }
  if (err.status === 403) {
    stopLive();
    showDenied();
    return true;
  }
  return false;
}

function showDenied() {
  $('#denied-text').textContent = t('denied.text', { name: state.user?.name ?? '' });
  showView('denied');
}

// ---------- starting up ----------

async function loadHall() {
  try {
    const info = await api('GET', '/api/services');
    state.hall = info.hall;
    state.scale = info.rating_scale === 3 ? 3 : 5;
    $('#hall-name').textContent = info.hall;
  } catch {
    /* the hall's name is a nicety; the figures carry it too */
  }
}

async function boot() {
  applyStatic(t);
  wire();
  const tab = readHash();
  loadHall();
  state.user = await signedInUser(t);
  if (!state.user) {
    showView('login');
    $('#login-name').focus();
    return;
  }
  enter(tab);
}

/** Signed in: the dashboard for managers and admins, "no access" for anyone else. */
function enter(tab = 'now') {
  if (!mayRead(state.user)) {
    showDenied();
    return;
  }
  showView('dash');
  state.history ??= makeHistoryView(t, fmt, {
    prefix: 'hist-',
    chartPrefix: 'chart-',
    emptyFlag: 'histEmpty',
    noComments: 'comments.none',
  });
  startLive();
  showTab(tab);
}

async function logout() {
  stopLive();
  await signOut();
  state.user = null;
  state.now = null;
  state.stats = null;
  state.statsError = null;
  showView('login');
  $('#login-name').focus();
}

// ---------- Now: live ----------

const refresh = { inflight: false, again: false, last: 0, timer: null };
/** Settled once the first answer (or failure) of /api/stats/now is in: the hall's date. */
const firstNow = {};
firstNow.promise = new Promise((resolve) => {
  firstNow.resolve = resolve;
});

/** Read /api/stats/now, at most once a second however many frames arrive. */
async function refreshNow() {
  if (state.view !== 'dash') return;
  // Nobody is looking at "Now" (the History tab, or the browser tab hidden): read it again
  // when they do. The first answer is always read: it says what day it is in the hall.
  if (state.now && (state.tab !== 'now' || document.hidden)) {
    state.nowStale = true;
    return;
  }
  state.nowStale = false;
  if (refresh.inflight) {
    refresh.again = true;
    return;
  }
  const wait = refresh.last + THROTTLE_MS - Date.now();
  if (wait > 0) {
    refresh.timer ??= setTimeout(() => {
      refresh.timer = null;
      refreshNow();
    }, wait);
    return;
  }
  refresh.inflight = true;
  refresh.last = Date.now();
  try {
    printers.refresh();
    // The alerts are read with the figures (reading them checks the hall at once).
    [state.now] = await Promise.all([api('GET', '/api/stats/now'), alerts.refresh(), messages.refresh()]);
    $('#now-error').textContent = '';
    renderNow();
  } catch (err) {
    if (!refused(err)) $('#now-error').textContent = errorText(t, err);
  } finally {
    refresh.inflight = false;
    firstNow.resolve();
    if (refresh.again) {
      refresh.again = false;
      refreshNow();
    }
  }
}

function startLive() {
  stopLive();
  state.feed = follow('/ws/hall', {
    onFrame: () => refreshNow(),
    onState: (live) => {
      document.body.dataset.connected = String(live);
    },
  });
  state.timer = setInterval(refreshNow, REFRESH_MS);
  messages.load();
  refreshNow();
  emergencies.start();
}

function stopLive() {
  state.feed?.close();
  state.feed = null;
  emergencies.stop();
  clearInterval(state.timer);
  state.timer = null;
  document.body.dataset.connected = 'false';
}

function renderNow() {
  const now = state.now;
  if (!now) return;
  if (now.at) {
    const today = dates.of(now.at);
    // The hall's day moved on (or is first known): "today" buttons follow it.
    if (state.hallToday !== today) {
      state.hallToday = today;
      markQuick();
    }
  }
  nowView.render(now);
}

// ---------- History ----------

function today() {
  return state.hallToday ?? dates.browserToday();
}

function quickRange(which) {
  return dates.quick(today(), which);
}

function setRange(range, load = true) {
  state.range = range;
  $('#range-from').value = range.from;
  $('#range-to').value = range.to;
  markQuick();
  updateLinks();
  writeHash();
  if (load) loadStats();
}

function markQuick() {
  pressQuick(state.range, quickRange);
}

function updateLinks() {
  const r = state.range;
  if (!r) return;
  const q = `from=${r.from}&to=${r.to}`;
  for (const by of ['field', 'counter', 'clerk', 'hour', 'day']) {
    const a = $(`#export-${by}`);
    a.href = `/api/stats.csv?${q}&by=${by}`;
    a.replaceChildren(h('small', {}, t('hist.csv')), ' ', t(`by.${by}`));
  }
  $('#export-xlsx').href = `/api/stats.xlsx?${q}`;
  $('#export-dossiers').href = `/api/stats/dossiers.csv?${q}`;
  const report = $('#report-link');
  report.href = `report.html?day=${r.to}`;
  report.textContent = t('hist.report', { day: fmt.dateShort(r.to) });
}

let statsRequest = 0;

async function loadStats() {
  const r = state.range;
  if (!r) return;
  if (r.from > r.to) {
    $('#hist-error').textContent = t('hist.badRange');
    return;
  }
  const mine = ++statsRequest;
  document.body.dataset.hist = 'loading';
  $('#hist-error').textContent = '';
  try {
    const stats = await api('GET', `/api/stats?from=${r.from}&to=${r.to}`);
    if (mine !== statsRequest) return;
    state.stats = stats;
    state.statsError = null;
    if (stats.rating_scale) state.scale = stats.rating_scale === 3 ? 3 : 5;
    renderStats();
    document.body.dataset.hist = 'ready';
  } catch (err) {
    if (mine !== statsRequest) return;
    state.statsError = err;
    document.body.dataset.hist = 'error';
    if (!refused(err)) $('#hist-error').textContent = errorText(t, err);
  }
}

function renderStats() {
  const s = state.stats;
  if (!s) return;
  const days =
    Math.round((Date.parse(`${s.to}T00:00:00Z`) - Date.parse(`${s.from}T00:00:00Z`)) / 86400000) + 1;
  $('#hist-range').textContent =
    s.from === s.to
      ? fmt.dateLong(s.from)
      : t('hist.range', { from: fmt.dateShort(s.from), to: fmt.dateShort(s.to), n: days });
  $('#hist-generated').textContent = t('hist.generated', {
    time: `${fmt.dateShort(dates.of(s.generated_at))} ${fmt.time(s.generated_at)}`,
  });
  state.history.show(s);
}

// ---------- wiring ----------

function wire() {
  wireSignIn(t, (user) => {
    state.user = user;
    enter(state.tab);
  });
  abuse.wire();
  messages.wire();
  $('#logout-btn').addEventListener('click', logout);
  $('button[data-action="switch-user"]').addEventListener('click', logout);
  languageButton(t, $('#lang-btn'), () => {
    if (state.view === 'denied') showDenied();
    renderNow();
    updateLinks();
    if (state.stats) renderStats();
    complaintsView.render();
    planView.render();
    emergencies.render();
    alerts.render();
    messages.render();
  });
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden && state.nowStale) refreshNow();
  });
  for (const b of document.querySelectorAll('[data-quick]'))
    b.addEventListener('click', () => setRange(quickRange(b.dataset.quick)));
  $('#range-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const from = $('#range-from').value;
    const to = $('#range-to').value;
    if (!dates.valid(from) || !dates.valid(to)) return;
    setRange({ from, to });
  });
  for (const id of ['#range-from', '#range-to']) {
    $(id).addEventListener('change', () => {
      const from = $('#range-from').value;
      const to = $('#range-to').value;
      $('#hist-error').textContent =
        dates.valid(from) && dates.valid(to) && from > to ? t('hist.badRange') : '';
    });
  }
  window.addEventListener('hashchange', () => {
    const tab = readHash();
    if (state.view !== 'dash') return;
    if (tab === 'history' && state.range) setRange(state.range, true);
    showTab(tab);
  });
}

boot();
