// The printable daily report: /dashboard/report.html?day=YYYY-MM-DD. One day's figures
// from GET /api/stats?from=day&to=day on an A4 sheet (print CSS in report.css), in the
// page's language; "In / Print" opens the browser's print dialog.

import { ApiError, api } from '/shared/api.js';
import { h } from '/shared/el.js';
import { applyStatic, errorText, makeI18n } from '/shared/i18n.js';
import { languageButton } from './controls.js';
import { dates, makeFormat } from './format.js';
import { officialBasis, officialFacts, officialShare, reasonsTable } from './official.js';
import { SCALES, levelColours, strings } from './strings.js';

const t = makeI18n(strings);
const fmt = makeFormat(t);
const $ = (sel) => document.querySelector(sel);
const params = new URLSearchParams(location.search);

let stats = null;

function say(text) {
  $('#report-message').textContent = text;
  $('#report-message').hidden = !text;
}

async function load(day) {
  document.body.dataset.state = 'loading';
  say('');
  try {
    stats = await api('GET', `/api/stats?from=${day}&to=${day}`);
    render();
    document.body.dataset.state = 'ready';
  } catch (err) {
    stats = null;
    document.body.dataset.state = 'error';
    if (err instanceof ApiError && err.status === 401) say(t('report.signIn'));
    else if (err instanceof ApiError && err.status === 403) say(t('report.denied'));
    else say(errorText(t, err));
  }
}

const nameOf = (row) => (t.lang() === 'en' ? row.name_en : row.name_vi) || row.key;

function render() {
  const s = stats;
  const F = s.total;
  document.title = `${t('report.docTitle', { day: fmt.dateShort(s.from) })} · ${s.hall}`;
  $('#r-hall').textContent = s.hall;
  $('#r-date').textContent = fmt.dateLong(s.from);
  const [y, m, d] = s.from.split('-').map(Number);
  $('#r-place-date').textContent = t('report.placeDate', { d, m, y, month: t(`month.${m}`) });
  $('#r-generated').textContent = t('report.generated', {
    time: `${fmt.dateShort(dates.of(s.generated_at))} ${fmt.time(s.generated_at)}`,
  });

  const sat = F.satisfaction ?? {};
  const key = (label, value, hint) =>
    h(
      'div',
      { class: 'figure' },
      h('span', { class: 'label' }, label),
      h('b', {}, value),
      hint ? h('small', {}, hint) : null,
    );
  $('#r-key').replaceChildren(
    key(t('kpi.issued'), fmt.int(F.issued)),
    key(t('kpi.served'), fmt.int(F.served)),
    key(t('kpi.absent'), fmt.int(F.absent), t('kpi.absentHint', { p: fmt.percent(F.absent_rate, 1) })),
    key(t('kpi.within'), fmt.percent(F.within_target)),
    key(t('kpi.wait'), fmt.minutes(F.wait?.mean), t('kpi.waitHint', { p90: fmt.minutes(F.wait?.p90) })),
    key(t('th.waitMax'), fmt.minutes(F.wait?.max)),
    key(t('kpi.service'), fmt.minutes(F.service?.mean)),
    key(
      t('kpi.satisfied'),
      fmt.percent(sat.satisfied_share),
      t('report.rated', { rated: fmt.int(sat.rated ?? 0) }),
    ),
    key(t('kpi.official'), officialShare(t, fmt, F.official), officialBasis(t, fmt, F.official)),
    key(t('rth.complaints'), fmt.int(F.complaints)),
  );

  table(
    '#r-fields',
    t('by.field'),
    s.by_field,
    F,
    [
      ['issued', (r) => fmt.int(r.issued)],
      ['served', (r) => fmt.int(r.served)],
      ['absent', (r) => fmt.int(r.absent)],
      ['transferred', (r) => fmt.int(r.transferred)],
      ['waitMean', (r) => fmt.minutesNumber(r.wait?.mean)],
      ['waitP90', (r) => fmt.minutesNumber(r.wait?.p90)],
      ['serviceMean', (r) => fmt.minutesNumber(r.service?.mean)],
      ['within', (r) => fmt.percent(r.within_target)],
      ['satisfied', (r) => fmt.percent(r.satisfaction?.satisfied_share)],
      ['official', (r) => officialShare(t, fmt, r.official)],
      ['officialUnits', (r) => fmt.int(r.official?.units)],
      ['officialTarget', (r) => fmt.percent(r.official?.target)],
    ],
    (r) => [h('span', { class: 'code-badge' }, r.key), ' ', nameOf(r)],
  );

  table(
    '#r-counters',
    t('by.counter'),
    s.by_counter,
    F,
    [
      ['served', (r) => fmt.int(r.served)],
      ['absent', (r) => fmt.int(r.absent)],
      ['recalls', (r) => fmt.int(r.recalls)],
      ['waitMean', (r) => fmt.minutesNumber(r.wait?.mean)],
      ['serviceMean', (r) => fmt.minutesNumber(r.service?.mean)],
      ['satisfied', (r) => fmt.percent(r.satisfaction?.satisfied_share)],
      ['official', (r) => officialShare(t, fmt, r.official)],
      ['open', (r) => fmt.hours(r.open_seconds)],
      ['paused', (r) => fmt.hours(r.paused_seconds)],
      ['idleWaiting', (r) => fmt.hours(r.idle_while_waiting_seconds)],
    ],
    nameOf,
  );

  const scale = s.rating_scale === 3 ? 3 : 5;
  const colours = levelColours(scale);
  const rated = sat.rated ?? 0;
  $('#r-satisfaction tbody').replaceChildren(
    ...Array.from({ length: scale }, (_, i) => scale - i).map((level) => {
      const n = sat.levels?.[level - 1] ?? 0;
      return h(
        'tr',
        { dataset: { level } },
        h(
          'td',
          { class: 'name' },
          h('span', { class: 'swatch', style: `background:${colours[level - 1]}` }),
          SCALES[scale][level][t.lang() === 'en' ? 1 : 0],
        ),
        h('td', { class: 'num' }, fmt.int(n)),
        h('td', { class: 'num' }, rated ? fmt.percent(n / rated) : fmt.DASH),
      );
    }),
  );
  $('#r-satisfaction tfoot').replaceChildren(
    h(
      'tr',
      {},
      h('td', { class: 'name' }, t('sat.rated')),
      h('td', { class: 'num' }, fmt.int(rated)),
      h('td', { class: 'num' }, rated ? fmt.percent(1) : fmt.DASH),
    ),
  );
  const by = sat.by_source ?? {};
  $('#r-coverage').textContent = `${t('report.coverage', { share: fmt.percent(sat.coverage) })} ${t(
    'report.sources',
    {
      phone: fmt.int(by.phone?.rated ?? 0),
      counter: fmt.int(by.counter?.rated ?? 0),
      replaced: fmt.int(sat.replaced ?? 0),
    },
  )}`;

  // The Decision 766 index, its parts, and why low ratings were low, by field.
  const o = F.official;
  $('#r-official').replaceChildren(
    h('b', {}, officialShare(t, fmt, o)),
    ' ',
    h('span', {}, officialBasis(t, fmt, o)),
  );
  $('#r-official-facts').replaceChildren(...officialFacts(t, fmt, o));
  $('#r-official-note').textContent =
    o?.basis === 'visits' ? `${t('official.noteVisits')} ${t('official.note')}` : t('official.note');
  $('#r-reasons').replaceChildren(
    reasonsTable(t, fmt, {
      key: 'byField',
      caption: t('reasons.byField'),
      head: t('by.field'),
      rows: s.by_field,
      total: F,
      name: (r) => [h('span', { class: 'code-badge' }, r.key), ' ', nameOf(r)],
      tableClass: 'grid-table report-table',
    }),
  );

  const est = s.estimate ?? {};
  $('#r-estimate').replaceChildren(
    h('dt', {}, t('est.quoted')),
    h('dd', {}, fmt.int(est.quoted)),
    h('dt', {}, t('est.mae')),
    h('dd', {}, fmt.minutes(est.mean_abs_error_minutes == null ? null : est.mean_abs_error_minutes * 60)),
    h('dt', {}, t('est.longer')),
    h('dd', {}, fmt.percent(est.share_longer)),
    h('dt', {}, t('est.longer5')),
    h('dd', {}, fmt.percent(est.share_5_min_longer)),
  );
  const reasons = F.paused_reasons ?? [];
  $('#r-pauses').replaceChildren(
    ...(reasons.length
      ? reasons.flatMap((p) => [
          h('dt', {}, t.has(`reason.${p.reason}`) ? t(`reason.${p.reason}`) : p.reason),
          h('dd', {}, fmt.hours(p.seconds)),
        ])
      : [h('dt', {}, t('pauses.time')), h('dd', {}, t('pauses.none'))]),
  );

  const comments = [...(s.comments ?? [])].sort((a, b) => String(a.at).localeCompare(String(b.at)));
  $('#r-comments-section').hidden = comments.length === 0;
  $('#r-comments').replaceChildren(
    ...comments.map((c) =>
      h(
        'li',
        {},
        h(
          'span',
          { class: 'meta' },
          `${fmt.time(c.at)} · ${[c.field, c.counter != null ? t('counter.n', { no: c.counter }) : null, c.clerk].filter(Boolean).join(' · ')} · ${SCALES[scale][c.level]?.[t.lang() === 'en' ? 1 : 0] ?? c.level}`,
        ),
        h('span', {}, ` — ${c.comment}`),
      ),
    ),
  );
}

function table(sel, first, rows, total, cols, name) {
  const el = $(sel);
  el.tHead.replaceChildren(
    h(
      'tr',
      {},
      h('th', { class: 'name' }, first),
      cols.map(([k]) => h('th', { dataset: { col: k } }, t(`th.${k}`))),
    ),
  );
  const cells = (r) => cols.map(([k, f]) => h('td', { class: 'num', dataset: { col: k } }, f(r)));
  el.tBodies[0].replaceChildren(
    ...(rows.length
      ? rows.map((r) => h('tr', { dataset: { key: r.key } }, h('td', { class: 'name' }, name(r)), cells(r)))
      : [h('tr', {}, h('td', { class: 'name empty', colspan: cols.length + 1 }, t('hist.empty')))]),
  );
  el.tFoot.replaceChildren(h('tr', {}, h('td', { class: 'name' }, t('table.total')), cells(total)));
}

function boot() {
  applyStatic(t);
  $('#print-btn').addEventListener('click', () => window.print());
  languageButton(t, $('#lang-btn'), () => {
    if (stats) render();
  });
  const day = params.get('day');
  $('#report-day').addEventListener('change', (e) => {
    const next = e.target.value;
    if (!dates.valid(next)) return;
    const url = new URL(location.href);
    url.searchParams.set('day', next);
    history.replaceState(null, '', url);
    load(next);
  });
  if (!dates.valid(day)) {
    document.body.dataset.state = 'error';
    say(t('report.noDay'));
    return;
  }
  $('#report-day').value = day;
  load(day);
}

boot();
