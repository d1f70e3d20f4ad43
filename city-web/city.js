// The city dashboard: every hall side by side, and one hall in detail.
//
// The city page reads GET /api/city/halls (who is registered, when each last reported,
// who has gone silent, and what day it is in Vietnam) and GET /api/city/stats?from&to
// (each hall's figures for the chosen local days, and the city's total), then draws a
// sortable, filterable table, the city's key figures and two hall-by-hall charts. Both are
// read again every minute while the range reaches today. A hall opens on its own page
// (#hall/{code}/{from}/{to}) from GET /api/city/halls/{code}/stats, drawn by the hall dashboard's history.js (/dashboard/).
// The overview's table and notes are in overview.js. Where the halls are in two provinces
// or more, the overview has levels: everyone, or one province (#province/{name}/{from}/{to}).

import { ApiError, api } from '/shared/api.js';
import { applyStatic, errorText, makeI18n } from '/shared/i18n.js';
import { languageButton, pressQuick } from '/dashboard/controls.js';
import { dates, makeFormat, mayRead } from '/dashboard/format.js';
import { makeHistoryView } from '/dashboard/history.js';
import { signOut, signedInUser, wireSignIn } from '/dashboard/signin.js';
import { makeCityCharts } from './charts.js';
import { makeOverview } from './overview.js';
import { strings } from './strings.js';

const t = makeI18n(strings);
const fmt = makeFormat(t);
const $ = (sel) => document.querySelector(sel);

const REFRESH_MS = 60000;

const state = {
  view: 'loading',
  page: 'city', // 'city' | 'hall'
  user: null,
  today: null, // the local date in Vietnam, from the collector's "at"
  range: null, // {from, to}
  halls: null, // the last answer of /api/city/halls
  stats: null, // the last answer of /api/city/stats
  statsKey: null, // the range that answer is for
  code: null, // the hall on the hall page
  province: null, // the overview's level: null for everyone, else a province ('' for none)
  hallStats: null,
  hallKey: null,
  sort: { key: 'default', dir: 1 },
  filter: '',
  timer: null,
  cityScroll: 0, // how far down the city page was when a hall opened
};

let cityCharts = null;
let hallView = null;
const overview = makeOverview({ t, fmt, state, hashFor, rangeText, charts: () => cityCharts });
const { hallInfo, hallRows, level, renderCity, renderTable } = overview;

const rangeKey = (r) => (r ? `${r.from}/${r.to}` : '');

// ---------- views and addresses ----------

function showView(view) {
  state.view = view;
  document.body.dataset.view = view;
  $('#logout-btn').hidden = view !== 'dash' && view !== 'denied';
  $('#user-name').textContent = view === 'dash' ? (state.user?.name ?? '') : '';
}

function showDenied() {
  $('#denied-text').textContent = t('denied.text', { name: state.user?.name ?? '' });
  showView('denied');
}

/**
 * `#/{from}/{to}` for the city, `#province/{name}/{from}/{to}` for one province's halls
 * (the level chosen now unless said), `#hall/{code}/{from}/{to}` for one hall.
 */
function hashFor(page, code, range, province = state.province) {
  const r = range ? `/${range.from}/${range.to}` : '';
  if (page === 'hall') return `#hall/${encodeURIComponent(code)}${r}`;
  if (province != null) return `#province/${encodeURIComponent(province)}${r}`;
  return `#${r || '/'}`;
}

const decoded = (s) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

function readHash() {
  const parts = location.hash.replace(/^#/, '').split('/');
  let page = 'city';
  let code = null;
  let province = null;
  let rest = parts.slice(1);
  if (parts[0] === 'hall' && parts[1]) {
    page = 'hall';
    code = decoded(parts[1]);
    rest = parts.slice(2);
  } else if (parts[0] === 'province' && parts.length > 1) {
    // The halls of no province have the empty name: `#province//{from}/{to}`.
    province = decoded(parts[1]);
    rest = parts.slice(2);
  }
  const [from, to] = rest;
  const range = dates.valid(from) && dates.valid(to) && from <= to ? { from, to } : null;
  return { page, code, province, range };
}

function writeHash(push = false) {
  const hash = hashFor(state.page, state.code, state.range);
  if (location.hash === hash) return;
  if (push) location.hash = hash;
  else history.replaceState(null, '', hash);
}

/** A request failed: the sign-in form if the session ended, "no access" if refused. */
function refused(err) {
  if (!(err instanceof ApiError)) return false;
  if (err.status === 401) {
    stopRefresh();
    showView('login');
    $('#login-error').textContent = t('err.unauthenticated');
    return true;
  }
  if (err.status === 403) {
    stopRefresh();
    showDenied();
    return true;
  }
  return false;
}

// ---------- starting up ----------

async function boot() {
  applyStatic(t);
  wire();
  state.user = await signedInUser(t);
  if (!state.user) {
    showView('login');
    $('#login-name').focus();
    return;
  }
  enter();
}

/** Signed in: the city for managers and admins, "no access" for anyone else. */
async function enter() {
  if (!mayRead(state.user)) {
    showDenied();
    return;
  }
  showView('dash');
  cityCharts ??= makeCityCharts(t, fmt, (code) => openHall(code));
  hallView ??= makeHistoryView(t, fmt, {
    prefix: 'h-',
    chartPrefix: 'h-chart-',
    emptyFlag: 'hallEmpty',
    noComments: 'comments.notShared',
  });
  // The halls first: they say what day it is in Vietnam, which "today" means.
  await loadHalls();
  if (state.view !== 'dash') return;
  route();
  startRefresh();
}

async function logout() {
  stopRefresh();
  await signOut();
  state.user = null;
  state.stats = state.statsKey = null;
  state.hallStats = state.hallKey = null;
  state.halls = null;
  showView('login');
  $('#login-name').focus();
}

// ---------- pages ----------

/** Show what the address names: the city or one hall, over its range (today if none). */
function route() {
  if (state.view !== 'dash') return;
  const { page, code, province, range } = readHash();
  const before = document.body.dataset.page;
  if (before === 'city' && page === 'hall') state.cityScroll = window.scrollY;
  // A hall's page keeps the level it was opened from: its way back returns there.
  const levelBefore = state.province;
  if (page === 'city') state.province = province;
  const levelChanged = page === 'city' && province !== levelBefore;
  state.page = page;
  state.code = page === 'hall' ? code : null;
  setRange(range ?? state.range ?? quickRange('today'), false);
  document.body.dataset.page = page;
  if (page === 'hall') {
    renderHallHead();
    if (state.hallKey !== `${code}|${rangeKey(state.range)}`) loadHall();
    hallView.redraw();
    document.title = `${hallInfo(code)?.name ?? code} · ${t('app.title')}`;
    if (before !== 'hall') window.scrollTo(0, 0);
  } else {
    if (state.statsKey !== rangeKey(state.range)) loadCity();
    else if (levelChanged) renderCity();
    cityCharts.redraw();
    titleCity();
    // Back from a hall: where the reader was in the long table; another level from its top.
    if (before === 'hall')
      window.scrollTo(0, state.statsKey === rangeKey(state.range) ? state.cityScroll : 0);
    else if (levelChanged) window.scrollTo(0, 0);
  }
}

/** The window's title: the city's, or the province's at its level. */
function titleCity() {
  const line = level();
  const name = line ? line.province || t('level.none') : null;
  document.title = name ? `${name} · ${t('app.title')}` : `${t('app.title')} · motcua`;
}

function openHall(code) {
  state.page = 'hall';
  state.code = code;
  writeHash(true);
}

// ---------- the range ----------

function today() {
  return state.today ?? dates.browserToday();
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
  if (!load) return;
  if (state.page === 'hall') loadHall();
  else loadCity();
}

function markQuick() {
  pressQuick(state.range, quickRange);
}

function updateLinks() {
  const r = state.range;
  if (!r) return;
  const q = `from=${r.from}&to=${r.to}`;
  $('#export-csv').href = `/api/city/stats.csv?${q}`;
  $('#export-xlsx').href = `/api/city/stats.xlsx?${q}`;
  $('#export-dossiers').href = `/api/city/dossiers.csv?${q}`;
  if (state.code)
    $('#export-hall-xlsx').href = `/api/city/halls/${encodeURIComponent(state.code)}/stats.xlsx?${q}`;
  $('#back-link').href = hashFor('city', null, r);
}

function rangeText(from, to) {
  const days = Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86400000) + 1;
  return from === to
    ? fmt.dateLong(from)
    : t('hist.range', { from: fmt.dateShort(from), to: fmt.dateShort(to), n: days });
}

// ---------- loading ----------

async function loadHalls() {
  try {
    const halls = await api('GET', '/api/city/halls');
    state.halls = halls;
    if (document.body.dataset.city !== 'error') $('#city-error').textContent = '';
    const day = halls.at ? dates.of(halls.at) : null;
    if (day && day !== state.today) {
      state.today = day;
      markQuick();
    }
    return true;
  } catch (err) {
    if (!refused(err)) $('#city-error').textContent = errorText(t, err);
    return false;
  }
}

let cityRequest = 0;

/** The city's figures for the range; `quiet` (the minute's refresh) does not grey the page. */
async function loadCity(quiet = false) {
  const r = state.range;
  if (!r) return;
  const mine = ++cityRequest;
  if (!quiet) document.body.dataset.city = 'loading';
  $('#city-error').textContent = '';
  try {
    const stats = await api('GET', `/api/city/stats?from=${r.from}&to=${r.to}`);
    if (mine !== cityRequest) return;
    state.stats = stats;
    state.statsKey = rangeKey(r);
    renderCity();
    if (state.page === 'city') titleCity();
    document.body.dataset.city = 'ready';
  } catch (err) {
    if (mine !== cityRequest) return;
    document.body.dataset.city = 'error';
    if (!refused(err)) $('#city-error').textContent = errorText(t, err);
  }
}

let hallRequest = 0;

async function loadHall() {
  const r = state.range;
  const code = state.code;
  if (!r || !code) return;
  const mine = ++hallRequest;
  document.body.dataset.hall = 'loading';
  $('#hall-error').textContent = '';
  try {
    const stats = await api(
      'GET',
      `/api/city/halls/${encodeURIComponent(code)}/stats?from=${r.from}&to=${r.to}`,
    );
    if (mine !== hallRequest) return;
    state.hallStats = stats;
    state.hallKey = `${code}|${rangeKey(r)}`;
    renderHall();
    document.body.dataset.hall = 'ready';
  } catch (err) {
    if (mine !== hallRequest) return;
    state.hallStats = null;
    state.hallKey = null;
    hallView.show(null);
    document.body.dataset.hall = 'error';
    if (!refused(err)) $('#hall-error').textContent = errorText(t, err);
  }
}

/** Every minute: who reports, and the figures again while the range reaches today. */
function startRefresh() {
  stopRefresh();
  state.timer = setInterval(async () => {
    if (state.view !== 'dash' || document.hidden) return;
    await loadHalls();
    if (state.page === 'city' && state.range && state.range.to >= today()) loadCity(true);
    else if (state.page === 'city') renderCity();
    else renderHallHead();
  }, REFRESH_MS);
}

function stopRefresh() {
  clearInterval(state.timer);
  state.timer = null;
}

// ---------- one hall ----------

function renderHallHead() {
  const code = state.code;
  if (!code) return;
  const info = hallInfo(code);
  const rows = state.halls || state.stats ? hallRows() : [];
  const row = rows.find((r) => r.code === code);
  const name = state.hallStats?.hall || info?.name || code;
  $('#hall-name').textContent = name;
  const chip = $('#hall-chip');
  chip.hidden = !row?.silent;
  chip.textContent = row?.never ? t('chip.never') : t('chip.silent');
  chip.className = 'chip silent-chip';
  $('#hall-head').dataset.silent = String(Boolean(row?.silent));
  const today = dates.of(state.halls?.at ?? '');
  const facts = [
    row?.never || !row
      ? t('hall.never')
      : t('hall.lastReport', { time: fmt.stamp(row.last_report_at, today), ago: fmt.ago(row.minutes) }),
    info?.registered_at ? t('hall.registered', { day: fmt.dateShort(dates.of(info.registered_at)) }) : null,
    info?.acked_seq != null ? t('hall.acked', { seq: fmt.int(info.acked_seq) }) : null,
    t('hall.code', { code }),
  ].filter(Boolean);
  $('#hall-facts').textContent = facts.join(' · ');
  // Opened from a province's level, the way back goes there and says so.
  const line = level();
  $('#back-label').textContent = line ? line.province || t('level.none') : t('hall.back');
}

function renderHall() {
  const s = state.hallStats;
  renderHallHead();
  if (!s) return;
  $('#hall-range').textContent = rangeText(s.from, s.to);
  $('#hall-generated').textContent = t('hist.generated', {
    time: `${fmt.dateShort(dates.of(s.generated_at))} ${fmt.time(s.generated_at)}`,
  });
  document.title = `${s.hall} · ${t('app.title')}`;
  hallView.show(s);
}

// ---------- wiring ----------

function wire() {
  wireSignIn(t, (user) => {
    state.user = user;
    enter();
  });
  $('#logout-btn').addEventListener('click', logout);
  $('button[data-action="switch-user"]').addEventListener('click', logout);
  languageButton(t, $('#lang-btn'), () => {
    if (state.view === 'denied') showDenied();
    if (state.view !== 'dash') return;
    renderCity();
    if (state.page === 'city') titleCity();
    if (state.hallStats) renderHall();
    else renderHallHead();
  });
  for (const b of document.querySelectorAll('[data-quick]'))
    b.addEventListener('click', () => setRange(quickRange(b.dataset.quick)));
  $('#range-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const from = $('#range-from').value;
    const to = $('#range-to').value;
    if (!dates.valid(from) || !dates.valid(to)) return;
    const error = state.page === 'hall' ? '#hall-error' : '#city-error';
    if (from > to) {
      $(error).textContent = t('hist.badRange');
      return;
    }
    setRange({ from, to });
  });
  const filter = $('#hall-filter');
  const filtered = () => {
    if (state.filter === filter.value) return;
    state.filter = filter.value;
    renderTable();
  };
  // Typing, the search field's own clear button, and anything that empties it.
  for (const event of ['input', 'search', 'change']) filter.addEventListener(event, filtered);
  filter.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape') return;
    filter.value = '';
    filtered();
  });
  // The level selector goes where the provinces' links go (the address keeps the level).
  $('#level-select').addEventListener('change', (e) => {
    const v = e.target.value;
    location.hash = hashFor('city', null, state.range, v.startsWith('p:') ? v.slice(2) : null);
  });
  // A click anywhere on a province's row opens it (the name is the link for the keyboard).
  $('#provinces-table tbody').addEventListener('click', (e) => {
    const tr = e.target.closest('tr[data-province]');
    if (!tr || e.target.closest('a')) return;
    location.hash = hashFor('city', null, state.range, tr.dataset.province);
  });
  $('#sort-reset').addEventListener('click', () => {
    state.sort = { key: 'default', dir: 1 };
    renderTable();
  });
  // A click anywhere on a hall's row opens it (the name is the link for the keyboard).
  $('#halls-table tbody').addEventListener('click', (e) => {
    const tr = e.target.closest('tr[data-code]');
    if (!tr || e.target.closest('a')) return;
    openHall(tr.dataset.code);
  });
  window.addEventListener('hashchange', route);
}

boot();
