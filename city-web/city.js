// The city dashboard: every hall side by side, and one hall in detail.
//
// The city page reads GET /api/city/halls (who is registered, when each last reported,
// who has gone silent, and what day it is in Vietnam) and GET /api/city/stats?from&to
// (each hall's figures for the chosen local days, and the city's total), then draws a
// sortable, filterable table, the city's key figures and two hall-by-hall charts. Both are
// read again every minute while the range reaches today. A hall opens on its own page
// (#hall/{code}/{from}/{to}) from GET /api/city/halls/{code}/stats, drawn by the hall dashboard's history.js (/shared/).

import {
  api,
  ApiError,
  applyStatic,
  dates,
  errorText,
  h,
  makeFormat,
  makeI18n,
  mayRead,
} from '/shared/lib.js';
import { strings } from './strings.js';
import { makeCityCharts } from './charts.js';
import { makeHistoryView } from '/shared/history.js';

const t = makeI18n(strings);
const fmt = makeFormat(t);
const $ = (sel) => document.querySelector(sel);

const REFRESH_MS = 60000;
/** How many silent halls the note names before it says "and n more". */
const SILENT_NAMED = 12;

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
  hallStats: null,
  hallKey: null,
  sort: { key: 'default', dir: 1 },
  filter: '',
  timer: null,
  cityScroll: 0, // how far down the city page was when a hall opened
};

let cityCharts = null;
let hallView = null;

const collator = new Intl.Collator('vi');
/** A name folded for searching: "Hoàn Kiếm" is found by "hoan kiem" too. */
const fold = (s) =>
  String(s ?? '')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase();
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

/** `#/{from}/{to}` for the city, `#hall/{code}/{from}/{to}` for one hall. */
function hashFor(page, code, range) {
  const r = range ? `/${range.from}/${range.to}` : '';
  return page === 'hall' ? `#hall/${encodeURIComponent(code)}${r}` : `#${r || '/'}`;
}

function readHash() {
  const parts = location.hash.replace(/^#/, '').split('/');
  let page = 'city';
  let code = null;
  let rest = parts.slice(1);
  if (parts[0] === 'hall' && parts[1]) {
    page = 'hall';
    try {
      code = decodeURIComponent(parts[1]);
    } catch {
      code = parts[1];
    }
    rest = parts.slice(2);
  }
  const [from, to] = rest;
  const range = dates.valid(from) && dates.valid(to) && from <= to ? { from, to } : null;
  return { page, code, range };
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
  let user = null;
  for (let wait = 1000; ; wait = Math.min(wait * 2, 10000)) {
    try {
      user = (await api('GET', '/api/session')).user ?? null;
      break;
    } catch (err) {
      if (err.status === 401 || err.status === 403) break;
      $('#login-error').textContent = errorText(t, err);
      await new Promise((r) => setTimeout(r, wait));
    }
  }
  state.user = user;
  if (!user) {
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
    enter();
  } catch (err) {
    $('#login-error').textContent = errorText(t, err);
    $('#login-password').select();
  } finally {
    button.disabled = false;
  }
}

async function logout() {
  stopRefresh();
  try {
    await api('DELETE', '/api/session');
  } catch {
    /* the cookie goes anyway */
  }
  state.user = null;
  state.stats = state.statsKey = null;
  state.hallStats = state.hallKey = null;
  state.halls = null;
  $('#login-error').textContent = '';
  showView('login');
  $('#login-name').focus();
}

// ---------- pages ----------

/** Show what the address names: the city or one hall, over its range (today if none). */
function route() {
  if (state.view !== 'dash') return;
  const { page, code, range } = readHash();
  const before = document.body.dataset.page;
  if (before === 'city' && page === 'hall') state.cityScroll = window.scrollY;
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
    cityCharts.redraw();
    document.title = `${t('app.title')} · motcua`;
    // Back from a hall: where the reader was in the long table.
    if (before === 'hall')
      window.scrollTo(0, state.statsKey === rangeKey(state.range) ? state.cityScroll : 0);
  }
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
  const to = today();
  switch (which) {
    case '7':
      return { from: dates.add(to, -6), to };
    case '30':
      return { from: dates.add(to, -29), to };
    case 'month':
      return { from: dates.monthStart(to), to };
    default:
      return { from: to, to };
  }
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
  for (const b of document.querySelectorAll('[data-quick]')) {
    const r = quickRange(b.dataset.quick);
    b.setAttribute(
      'aria-pressed',
      String(Boolean(state.range) && r.from === state.range.from && r.to === state.range.to),
    );
  }
}

function updateLinks() {
  const r = state.range;
  if (!r) return;
  const q = `from=${r.from}&to=${r.to}`;
  $('#export-csv').href = `/api/city/stats.csv?${q}`;
  $('#export-xlsx').href = `/api/city/stats.xlsx?${q}`;
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

// ---------- the city ----------

function hallInfo(code) {
  return (
    state.halls?.halls?.find((x) => x.code === code) ??
    state.stats?.halls?.find((x) => x.code === code) ??
    null
  );
}

/** Minutes since an instant, by the collector's clock. */
function minutesSince(iso, at) {
  const a = Date.parse(iso);
  const b = Date.parse(at);
  return Number.isNaN(a) || Number.isNaN(b) ? null : Math.max(0, (b - a) / 60000);
}

/**
 * One row per hall: its figures for the range, with what the hall list says of its
 * reporting (fresher: it is read every minute). A hall registered but absent from the
 * figures still gets its row, with no figures.
 */
function hallRows() {
  const list = new Map((state.halls?.halls ?? []).map((x) => [x.code, x]));
  const at = state.halls?.at ?? state.stats?.generated_at;
  const rows = (state.stats?.halls ?? []).map((r) => ({ ...r }));
  const seen = new Set(rows.map((r) => r.code));
  for (const x of list.values()) if (!seen.has(x.code)) rows.push({ code: x.code, name: x.name });
  for (const r of rows) {
    const x = list.get(r.code);
    if (x) {
      r.name = r.name || x.name;
      r.last_report_at = x.last_report_at ?? r.last_report_at ?? null;
      r.silent = x.silent;
      r.minutes = x.minutes_since_report ?? (r.last_report_at ? minutesSince(r.last_report_at, at) : null);
    } else {
      r.minutes = r.last_report_at ? minutesSince(r.last_report_at, at) : null;
    }
    r.silent = Boolean(r.silent);
    r.never = !r.last_report_at;
  }
  return rows;
}

const num = (key, value, cell, extra = {}) => ({
  key,
  label: `th.${key}`,
  value,
  cell,
  desc: true,
  ...extra,
});

/** The table's columns: what each shows, how it sorts (missing figures always last). */
function columns() {
  const minutes = (s) => fmt.minutesNumber(s);
  return [
    { key: 'name', label: 'col.hall', value: (r) => r.name, text: true },
    // Longest silence first on the first click; "never reported" is the longest of all.
    {
      key: 'lastReport',
      label: 'col.lastReport',
      value: (r) => (r.never ? Infinity : r.minutes),
      desc: true,
    },
    num(
      'waiting',
      (r) => r.waiting_now,
      (v) => fmt.int(v),
      { label: 'col.waitingNow' },
    ),
    num(
      'issued',
      (r) => r.issued,
      (v) => fmt.int(v),
    ),
    num(
      'served',
      (r) => r.served,
      (v) => fmt.int(v),
    ),
    num(
      'within',
      (r) => r.within_target,
      (v) => fmt.percent(v),
      { share: true },
    ),
    num(
      'absentRate',
      (r) => r.absent_rate,
      (v) => fmt.percent(v, 1),
    ),
    num(
      'satisfied',
      (r) => r.satisfaction?.satisfied_share,
      (v) => fmt.percent(v),
      { share: true },
    ),
    num(
      'coverage',
      (r) => r.satisfaction?.coverage,
      (v) => fmt.percent(v),
      { label: 'col.coverage' },
    ),
    // How much of the hall's satisfaction the citizens gave on their own phones (the rest on
    // the counters' tablets, which are signed in as the clerks).
    num(
      'phoneShare',
      (r) =>
        r.satisfaction?.rated ? (r.satisfaction.by_source?.phone?.rated ?? 0) / r.satisfaction.rated : null,
      (v) => fmt.percent(v),
      { label: 'col.phoneShare' },
    ),
    num('waitMean', (r) => r.wait?.mean, minutes, { minutes: true }),
    num('waitMedian', (r) => r.wait?.median, minutes, { minutes: true }),
    num('waitP90', (r) => r.wait?.p90, minutes, { minutes: true }),
  ];
}

function sortRows(rows, cols) {
  const { key, dir } = state.sort;
  const byName = (a, b) => collator.compare(a.name ?? '', b.name ?? '');
  if (key === 'default') {
    // Silent halls first (those that never reported before those that stopped), then by name.
    const rank = (r) => (r.silent ? (r.never ? 0 : 1) : 2);
    return rows.sort((a, b) => rank(a) - rank(b) || byName(a, b));
  }
  const col = cols.find((c) => c.key === key);
  if (col.text) return rows.sort((a, b) => dir * byName(a, b));
  const missing = (v) => v == null || Number.isNaN(v);
  return rows.sort((a, b) => {
    const va = col.value(a);
    const vb = col.value(b);
    if (missing(va) || missing(vb)) return missing(va) - missing(vb) || byName(a, b);
    return (va === vb ? 0 : dir * (va < vb ? -1 : 1)) || byName(a, b);
  });
}

function setSort(key) {
  const cols = columns();
  const col = cols.find((c) => c.key === key);
  if (!col) return;
  if (state.sort.key === key) state.sort = { key, dir: -state.sort.dir };
  else state.sort = { key, dir: col.desc ? -1 : 1 };
  renderTable();
}

function renderCity() {
  const s = state.stats;
  if (!s) return;
  $('#city-range').textContent = rangeText(s.from, s.to);
  $('#city-generated').textContent = t('city.generated', {
    time: `${fmt.dateShort(dates.of(s.generated_at))} ${fmt.time(s.generated_at)}`,
  });
  renderReporting();
  renderKpis();
  cityCharts.show(s);
  renderTable();
}

/** How many halls report, which have gone silent. */
function renderReporting() {
  const rows = hallRows();
  const m = state.halls?.silent_after_minutes ?? state.stats?.silent_after_minutes ?? 60;
  const silent = rows.filter((r) => r.silent);
  const never = silent.filter((r) => r.never).length;
  const all = rows.length;
  const box = $('#reporting');
  box.dataset.silent = String(silent.length);
  let note;
  if (!all) note = [t('city.noHalls')];
  else if (!silent.length)
    note = [
      h('b', {}, t('city.reporting', { ok: fmt.int(all), all: fmt.int(all) })),
      ' · ',
      t('city.allReporting', { m }),
    ];
  else {
    note = [
      h('b', {}, t('city.reporting', { ok: fmt.int(all - silent.length), all: fmt.int(all) })),
      ' · ',
      h('span', { class: 'silent-count' }, t('city.silentNote', { n: fmt.int(silent.length), m })),
      never ? `, ${t('city.neverNote', { n: fmt.int(never) })}` : '',
    ];
  }
  $('#reporting-note').replaceChildren(...note);
  const list = $('#silent-list');
  list.hidden = !silent.length;
  if (silent.length) {
    const named = [...silent]
      .sort((a, b) => b.never - a.never || (b.minutes ?? 0) - (a.minutes ?? 0))
      .slice(0, SILENT_NAMED);
    list.replaceChildren(
      h('span', { class: 'muted' }, t('city.silentTitle', { m })),
      ' ',
      ...named.map((r) =>
        h(
          'a',
          { class: 'silent-hall', href: hashFor('hall', r.code, state.range), dataset: { code: r.code } },
          r.name,
          ' ',
          h('small', {}, r.never ? t('chip.never') : fmt.ago(r.minutes)),
        ),
      ),
      ...(silent.length > SILENT_NAMED
        ? [h('span', { class: 'muted' }, t('city.silentMore', { n: fmt.int(silent.length - SILENT_NAMED) }))]
        : []),
    );
  }
}

function kpi(key, value, hint) {
  return h(
    'div',
    { class: 'kpi', dataset: { kpi: key } },
    h('span', { class: 'label' }, t(`kpi.${key}`)),
    h('b', { class: 'value' }, value),
    // On a small screen the hint is one line, cut short: the whole of it on hover.
    h('span', { class: 'hint', title: hint }, hint),
  );
}

function renderKpis() {
  const F = state.stats.total ?? {};
  const sat = F.satisfaction ?? {};
  const waiting = (state.stats.halls ?? []).reduce((sum, r) => sum + (r.waiting_now ?? 0), 0);
  $('#city-kpis').replaceChildren(
    kpi('waitingNow', fmt.int(waiting), t('kpi.waitingNowHint')),
    kpi(
      'issued',
      fmt.int(F.issued),
      t('kpi.issuedHint', { n: fmt.int(F.transferred_in), r: fmt.int(F.returned) }),
    ),
    kpi(
      'served',
      fmt.int(F.served),
      t('kpi.servedHint', { n: fmt.int(F.unfinished), c: fmt.int(F.cancelled) }),
    ),
    kpi('within', fmt.percent(F.within_target), t('kpi.withinHint')),
    kpi('absentRate', fmt.percent(F.absent_rate, 1), t('kpi.absentCount', { n: fmt.int(F.absent) })),
    kpi(
      'satisfied',
      fmt.percent(sat.satisfied_share),
      t('kpi.satisfiedShort', { rated: fmt.int(sat.rated ?? 0) }),
    ),
    kpi('coverage', fmt.percent(sat.coverage), t('kpi.coverageHint', { rated: fmt.int(sat.rated ?? 0) })),
    kpi('wait', fmt.minutes(F.wait?.mean), t('kpi.waitHint', { p90: fmt.minutes(F.wait?.p90) })),
  );
}

function renderTable() {
  const s = state.stats;
  if (!s) return;
  const cols = columns();
  const { key: sortKey, dir } = state.sort;
  const today = dates.of(state.halls?.at ?? s.generated_at);

  const table = $('#halls-table');
  // The table is drawn anew (a sort, a filter, the minute's refresh): the keyboard's place
  // in it, a header or a hall's link, is kept.
  const focused = table.contains(document.activeElement) ? document.activeElement : null;
  const focusedCol = focused?.closest('th[data-col]')?.dataset.col;
  const focusedHall = focused?.closest('tr[data-code]')?.dataset.code;
  table.dataset.sort = sortKey;
  table.dataset.dir = dir > 0 ? 'asc' : 'desc';
  table.tHead.replaceChildren(
    h(
      'tr',
      {},
      cols.map((c) => {
        const sorted = c.key === sortKey;
        const label = t(c.label);
        return h(
          'th',
          {
            class: c.text ? 'name' : null,
            dataset: { col: c.key },
            'aria-sort': sorted ? (dir > 0 ? 'ascending' : 'descending') : null,
            scope: 'col',
          },
          h(
            'button',
            {
              type: 'button',
              class: 'sort',
              title: t('sort.by', { col: label }),
              onclick: () => setSort(c.key),
            },
            h('span', {}, label, c.minutes ? h('small', {}, ` (${t('unit.minShort')})`) : null),
            h('span', { class: 'arrow', 'aria-hidden': 'true' }, sorted ? (dir > 0 ? '▲' : '▼') : '↕'),
          ),
        );
      }),
    ),
  );
  $('#sort-reset').hidden = sortKey === 'default';

  const all = sortRows(hallRows(), cols);
  const q = fold(state.filter.trim());
  const rows = q ? all.filter((r) => fold(r.name).includes(q) || fold(r.code).includes(q)) : all;
  $('#filter-count').textContent = q
    ? t('filter.count', { shown: fmt.int(rows.length), all: fmt.int(all.length) })
    : '';

  const cell = (c, r) => {
    if (c.key === 'name') {
      return h(
        'td',
        { class: 'name', dataset: { col: 'name' } },
        h(
          'a',
          {
            href: hashFor('hall', r.code, state.range),
            class: 'hall-link',
            title: t('hall.open', { name: r.name }),
          },
          r.name,
        ),
        r.silent
          ? h('span', { class: 'chip silent-chip' }, r.never ? t('chip.never') : t('chip.silent'))
          : null,
      );
    }
    if (c.key === 'lastReport') {
      return h(
        'td',
        { class: 'when', dataset: { col: 'lastReport' } },
        r.never
          ? h('span', { class: 'muted' }, t('hall.none'))
          : [
              h('span', { class: 'stamp' }, fmt.stamp(r.last_report_at, today)),
              ' ',
              h('small', { class: 'ago' }, fmt.ago(r.minutes)),
            ],
      );
    }
    const v = c.value(r);
    const attrs = { class: 'num', dataset: { col: c.key } };
    if (c.share && v != null) {
      attrs.class = 'num share';
      attrs.style = `--share: ${Math.round(Math.max(0, Math.min(1, v)) * 1000) / 10}%`;
    }
    return h('td', attrs, c.cell(v));
  };
  $('#halls-table tbody').replaceChildren(
    ...(rows.length
      ? rows.map((r) =>
          h(
            'tr',
            { class: r.silent ? 'silent' : null, dataset: { code: r.code, silent: String(r.silent) } },
            cols.map((c) => cell(c, r)),
          ),
        )
      : [
          h(
            'tr',
            {},
            h(
              'td',
              { class: 'muted empty', colspan: cols.length },
              all.length ? t('filter.none', { q: state.filter.trim() }) : t('city.noHalls'),
            ),
          ),
        ]),
  );

  // The whole city: the collector's own total (not a sum of shares), every hall included
  // whatever the filter shows.
  const total = {
    ...(s.total ?? {}),
    waiting_now: (s.halls ?? []).reduce((sum, r) => sum + (r.waiting_now ?? 0), 0),
  };
  const silent = all.filter((r) => r.silent).length;
  if (focusedCol) table.querySelector(`th[data-col="${focusedCol}"] button`)?.focus();
  if (focusedHall)
    [...table.tBodies[0].rows]
      .find((r) => r.dataset.code === focusedHall)
      ?.querySelector('a')
      ?.focus();

  $('#halls-table tfoot').replaceChildren(
    h(
      'tr',
      {},
      cols.map((c) => {
        if (c.key === 'name') {
          return h(
            'td',
            { class: 'name', dataset: { col: 'name' } },
            t('city.total'),
            ' ',
            h('small', { class: 'muted' }, t('city.totalHalls', { n: fmt.int(all.length) })),
          );
        }
        if (c.key === 'lastReport') {
          return h(
            'td',
            { class: 'when', dataset: { col: 'lastReport' } },
            t('city.reportingShort', { ok: fmt.int(all.length - silent), all: fmt.int(all.length) }),
          );
        }
        return h('td', { class: 'num', dataset: { col: c.key } }, c.cell(c.value(total)));
      }),
    ),
  );
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
  $('#login-form').addEventListener('submit', login);
  $('#logout-btn').addEventListener('click', logout);
  $('button[data-action="switch-user"]').addEventListener('click', logout);
  $('#lang-btn').addEventListener('click', () => {
    t.set(t.lang() === 'vi' ? 'en' : 'vi');
    if (state.view === 'denied') showDenied();
    if (state.view !== 'dash') return;
    renderCity();
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
