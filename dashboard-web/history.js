// The figures of a range of days drawn as the History tab draws them: key figures, four
// charts, a table by field / counter / clerk / hour / day (the `[data-group]` buttons
// switch it), the bookings (by field, window and source), the Decision 766 index (with the
// low ratings' reasons and visits needed by field and clerk), the ratings, the estimate's
// accuracy, pauses and comments. Used by the
// hall's dashboard (ids `#hist-…`) and, served by the collector at /dashboard/, by the
// city's page for one hall (ids `#h-…`): the same figures, drawn by the same code.

import { h } from '/shared/el.js';
import { makeTabs } from './controls.js';
import { dates } from './format.js';
import { SCALES, levelColours } from './strings.js';
import { makeCharts } from './charts.js';
import { belowTarget, officialBasis, officialFacts, officialShare, reasonsTable } from './official.js';

/**
 * `prefix`: the ids' prefix (`hist-`); `chartPrefix`: the charts' (`chart-`);
 * `emptyFlag`: the `document.body.dataset` key set when the range has no ticket;
 * `noComments`: the words for an empty comment list.
 */
export function makeHistoryView(t, fmt, { prefix, chartPrefix, emptyFlag, noComments }) {
  const $ = (sel) => document.querySelector(sel);
  const charts = makeCharts(t, fmt, chartPrefix);
  let stats = null;
  let group = 'field';

  const nameOf = (row) => (t.lang() === 'en' ? row.name_en : row.name_vi) || row.key || row.code || '';
  const reasonText = (reason) => (t.has(`reason.${reason}`) ? t(`reason.${reason}`) : reason);

  function kpi(key, value, hint, extra = '') {
    return h(
      'div',
      { class: `kpi ${extra}`.trim(), dataset: { kpi: key } },
      h('span', { class: 'label' }, t(`kpi.${key}`)),
      h('b', { class: 'value' }, value),
      h('span', { class: 'hint' }, hint),
    );
  }

  function renderKpis(F) {
    const sat = F.satisfaction ?? {};
    const est = stats.estimate ?? {};
    $(`#${prefix}kpis`).replaceChildren(
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
      kpi('absent', fmt.int(F.absent), t('kpi.absentHint', { p: fmt.percent(F.absent_rate, 1) })),
      kpi('wait', fmt.minutes(F.wait?.mean), t('kpi.waitHint', { p90: fmt.minutes(F.wait?.p90) })),
      kpi('service', fmt.minutes(F.service?.mean), t('kpi.serviceHint', { walk: fmt.minutes(F.walk?.mean) })),
      kpi('within', fmt.percent(F.within_target), t('kpi.withinHint')),
      kpi(
        'satisfied',
        fmt.percent(sat.satisfied_share),
        t('kpi.satisfiedHint', { rated: fmt.int(sat.rated ?? 0), coverage: fmt.percent(sat.coverage) }),
      ),
      kpi(
        'official',
        officialShare(t, fmt, F.official),
        officialBasis(t, fmt, F.official),
        belowTarget(F.official) ? 'below-target' : '',
      ),
      kpi(
        'estimate',
        fmt.minutes(est.mean_abs_error_minutes == null ? null : est.mean_abs_error_minutes * 60),
        t('kpi.estimateHint', { longer: fmt.percent(est.share_longer) }),
      ),
    );
  }

  /** The detailed table's columns; counters and clerks also show open and paused time, and
   * the time idle while people waited in their fields. */
  function columns() {
    const cols = [
      ['issued', (r) => fmt.int(r.issued)],
      ['served', (r) => fmt.int(r.served)],
      ['absent', (r) => fmt.int(r.absent)],
      ['absentRate', (r) => fmt.percent(r.absent_rate, 1)],
      ['transferred', (r) => fmt.int(r.transferred)],
      ['cancelled', (r) => fmt.int(r.cancelled)],
      ['unfinished', (r) => fmt.int(r.unfinished)],
      ['recalls', (r) => fmt.int(r.recalls)],
      ['waitMean', (r) => fmt.minutesNumber(r.wait?.mean), true],
      ['waitMedian', (r) => fmt.minutesNumber(r.wait?.median), true],
      ['waitP90', (r) => fmt.minutesNumber(r.wait?.p90), true],
      ['waitMax', (r) => fmt.minutesNumber(r.wait?.max), true],
      ['serviceMean', (r) => fmt.minutesNumber(r.service?.mean), true],
      ['within', (r) => fmt.percent(r.within_target)],
      ['satisfied', (r) => fmt.percent(r.satisfaction?.satisfied_share)],
      ['rated', (r) => fmt.int(r.satisfaction?.rated)],
      ['official', (r) => officialShare(t, fmt, r.official)],
      ['officialUnits', (r) => fmt.int(r.official?.units)],
      ['officialAgainst', (r) => fmt.int(r.official?.against)],
    ];
    // Land, construction and investment are held to 90%, the other fields to 95%.
    if (group === 'field') cols.push(['officialTarget', (r) => fmt.percent(r.official?.target)]);
    if (group === 'counter' || group === 'clerk') {
      cols.push(
        ['open', (r) => fmt.hours(r.open_seconds)],
        ['paused', (r) => fmt.hours(r.paused_seconds)],
        ['idleWaiting', (r) => fmt.hours(r.idle_while_waiting_seconds)],
      );
    }
    return cols;
  }

  function rowName(r) {
    if (group === 'field') return [h('span', { class: 'code-badge' }, r.key), ' ', nameOf(r)];
    if (group === 'day') return fmt.dateShort(r.key);
    return nameOf(r);
  }

  function renderTable() {
    if (!stats) return;
    groupTabs.select(group);
    const cols = columns();
    const rows = stats[`by_${group}`] ?? [];
    const table = $(`#${prefix}table`);
    table.dataset.group = group;
    table.tHead.replaceChildren(
      h(
        'tr',
        {},
        h('th', { class: 'name' }, t(`by.${group}`)),
        cols.map(([key, , minutes]) =>
          h(
            'th',
            { dataset: { col: key } },
            t(`th.${key}`),
            minutes ? h('small', {}, ` (${t('unit.minShort')})`) : null,
          ),
        ),
      ),
    );
    const line = (r) => cols.map(([key, cell]) => h('td', { class: 'num', dataset: { col: key } }, cell(r)));
    $(`#${prefix}table tbody`).replaceChildren(
      ...(rows.length
        ? rows.map((r) =>
            h('tr', { dataset: { key: r.key } }, h('td', { class: 'name' }, rowName(r)), line(r)),
          )
        : [h('tr', {}, h('td', { class: 'muted empty', colspan: cols.length + 1 }, t('hist.empty')))]),
    );
    $(`#${prefix}table tfoot`).replaceChildren(
      h('tr', {}, h('td', { class: 'name' }, t('table.total')), line(stats.total)),
    );
    const note = $(`#${prefix}clerk-note`);
    if (note) note.hidden = group !== 'clerk';
  }

  function renderSatisfaction() {
    const sat = stats.total.satisfaction ?? {};
    const scale = stats.rating_scale === 3 ? 3 : 5;
    const colours = levelColours(scale);
    const rated = sat.rated ?? 0;
    const levels = Array.from({ length: scale }, (_, i) => scale - i);
    $(`#${prefix}satisfaction`).replaceChildren(
      h(
        'table',
        { class: 'grid-table compact levels' },
        h(
          'tbody',
          {},
          levels.map((level) => {
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
              h('td', { class: 'num muted' }, rated ? fmt.percent(n / rated) : fmt.DASH),
            );
          }),
        ),
      ),
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, t('sat.rated')),
        h('dd', {}, fmt.int(rated)),
        h('dt', {}, t('kpi.satisfied')),
        h('dd', {}, fmt.percent(sat.satisfied_share)),
        h('dt', {}, t('sat.coverage')),
        h('dd', {}, fmt.percent(sat.coverage)),
        ...bySource(sat),
      ),
    );
  }

  /** The Decision 766 index: its share and basis, its parts, what it means, and the low
   * ratings' reasons with the visits needed, by field and by clerk. */
  function renderOfficial() {
    const body = $(`#${prefix}official-body`);
    if (!body) return;
    const o = stats.total?.official;
    const parts = [
      h(
        'p',
        { class: 'official-head' },
        h('b', { class: 'official-value' }, officialShare(t, fmt, o)),
        ' ',
        h('span', { class: 'muted' }, officialBasis(t, fmt, o)),
      ),
      h('dl', { class: 'facts official-facts' }, ...officialFacts(t, fmt, o)),
      o?.basis === 'visits' ? h('p', { class: 'small-note' }, t('official.noteVisits')) : null,
      h('p', { class: 'small-note' }, t('official.note')),
      h('h3', {}, t('reasons.title')),
      reasonsTable(t, fmt, {
        key: 'byField',
        caption: t('reasons.byField'),
        head: t('by.field'),
        rows: stats.by_field ?? [],
        total: stats.total,
        name: (r) => [h('span', { class: 'code-badge' }, r.key), ' ', nameOf(r)],
      }),
      reasonsTable(t, fmt, {
        key: 'byClerk',
        caption: t('reasons.byClerk'),
        head: t('by.clerk'),
        rows: stats.by_clerk ?? [],
        total: stats.total,
        name: nameOf,
      }),
    ];
    body.replaceChildren(...parts.filter(Boolean));
  }

  /** Where the ratings were given: the citizen's phone or the counter's tablet. */
  function bySource(sat) {
    const by = sat.by_source ?? {};
    const line = (key, source) => [
      h('dt', {}, t(key)),
      h(
        'dd',
        { dataset: { source: source } },
        t('sat.sourceLine', {
          rated: fmt.int(by[source]?.rated ?? 0),
          satisfied: fmt.percent(by[source]?.satisfied_share),
        }),
      ),
    ];
    return [
      ...line('sat.phone', 'phone'),
      ...line('sat.counter', 'counter'),
      ...((by.unknown?.rated ?? 0) > 0 ? line('sat.unknown', 'unknown') : []),
      h('dt', {}, t('sat.replaced')),
      h('dd', { dataset: { source: 'replaced' } }, fmt.int(sat.replaced ?? 0)),
    ];
  }

  function renderEstimate(est = {}) {
    $(`#${prefix}estimate`).replaceChildren(
      h('dt', {}, t('est.quoted')),
      h('dd', {}, fmt.int(est.quoted)),
      h('dt', {}, t('est.mae')),
      h('dd', {}, fmt.minutes(est.mean_abs_error_minutes == null ? null : est.mean_abs_error_minutes * 60)),
      h('dt', {}, t('est.longer')),
      h('dd', {}, fmt.percent(est.share_longer)),
      h('dt', {}, t('est.longer5')),
      h('dd', {}, fmt.percent(est.share_5_min_longer)),
    );
  }

  function renderPauses(F) {
    const reasons = F.paused_reasons ?? [];
    $(`#${prefix}pauses`).replaceChildren(
      ...(reasons.length
        ? reasons.flatMap((p) => [h('dt', {}, reasonText(p.reason)), h('dd', {}, fmt.hours(p.seconds))])
        : [h('dt', {}, t('pauses.time')), h('dd', { class: 'muted' }, t('pauses.none'))]),
    );
  }

  function renderComments(comments) {
    const scale = stats.rating_scale === 3 ? 3 : 5;
    const colours = levelColours(scale);
    const list = [...comments].sort((a, b) => String(b.at).localeCompare(String(a.at)));
    $(`#${prefix}comments`).replaceChildren(
      ...(list.length
        ? list.map((c) =>
            h(
              'li',
              { dataset: { level: c.level } },
              h(
                'div',
                { class: 'comment-head' },
                h(
                  'span',
                  { class: 'level', style: `background:${colours[c.level - 1] ?? '#999'}` },
                  SCALES[scale][c.level]?.[t.lang() === 'en' ? 1 : 0] ?? c.level,
                ),
                h(
                  'span',
                  { class: 'muted' },
                  `${fmt.dateShort(dates.of(c.at))} ${fmt.time(c.at)} · ${[c.field, c.counter != null ? t('counter.n', { no: c.counter }) : null, c.clerk].filter(Boolean).join(' · ')}`,
                ),
              ),
              h('p', {}, c.comment),
            ),
          )
        : [h('li', { class: 'muted empty' }, t(noComments))]),
    );
  }

  /** One bookings' table: a row per field, window or source, the total below. */
  function bookingTable(key, head, rows, name) {
    const cols = [
      ['booked', (r) => fmt.int(r.booked)],
      ['checkedIn', (r) => fmt.int(r.checked_in)],
      ['late', (r) => fmt.int(r.late)],
      ['noShow', (r) => fmt.int(r.no_show)],
      ['cancelled', (r) => fmt.int(r.cancelled)],
      ['showRate', (r) => fmt.percent(r.show_rate)],
      ['lateness', (r) => fmt.minutesNumber(r.lateness?.median), true],
    ];
    const line = (r) => cols.map(([col, cell]) => h('td', { class: 'num', dataset: { col } }, cell(r)));
    return h(
      'div',
      { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': t(`bk.${key}`) },
      h(
        'table',
        { class: 'grid-table figures', dataset: { bookings: key } },
        h('caption', {}, t(`bk.${key}`)),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { class: 'name' }, head),
            cols.map(([col, , minutes]) =>
              h(
                'th',
                { dataset: { col } },
                t(`bkth.${col}`),
                minutes ? h('small', {}, ` (${t('unit.minShort')})`) : null,
              ),
            ),
          ),
        ),
        h(
          'tbody',
          {},
          rows.map((r) => h('tr', { dataset: { key: r.key } }, h('td', { class: 'name' }, name(r)), line(r))),
        ),
        h('tfoot', {}, h('tr', {}, h('td', { class: 'name' }, t('table.total')), line(stats.bookings.total))),
      ),
    );
  }

  /** The bookings: what became of them, lateness, walk-in and booked numbers, the tables. */
  function renderBookings() {
    const body = $(`#${prefix}bookings-body`);
    if (!body) return;
    const b = stats.bookings;
    if (!b?.total?.booked) {
      body.replaceChildren(h('p', { class: 'muted empty' }, t('bk.none')));
      return;
    }
    const T = b.total;
    const kinds = stats.total?.by_ticket ?? {};
    const fact = (key, value, data) => [h('dt', {}, t(key)), h('dd', { dataset: { fact: data } }, value)];
    body.replaceChildren(
      h(
        'dl',
        { class: 'facts' },
        ...fact('bk.booked', fmt.int(T.booked), 'booked'),
        ...fact('bk.checkedIn', fmt.int(T.checked_in), 'checked_in'),
        ...fact('bk.late', t('bk.lateLine', { n: fmt.int(T.late), w: fmt.int(T.late_walk_in) }), 'late'),
        ...fact('bk.noShow', fmt.int(T.no_show), 'no_show'),
        ...fact('bk.cancelled', fmt.int(T.cancelled), 'cancelled'),
        ...fact('bk.awaited', fmt.int(T.awaited), 'awaited'),
        ...fact('bk.showRate', fmt.percent(T.show_rate), 'show_rate'),
        ...fact(
          'bk.lateness',
          t('bk.latenessLine', {
            median: fmt.minutes(T.lateness?.median),
            p90: fmt.minutes(T.lateness?.p90),
          }),
          'lateness',
        ),
        ...fact(
          'bk.walkIn',
          t('bk.ticketLine', {
            n: fmt.int(kinds.walk_in?.issued),
            median: fmt.minutes(kinds.walk_in?.wait?.median),
          }),
          'walk_in',
        ),
        ...fact(
          'bk.bookedTickets',
          t('bk.ticketLine', {
            n: fmt.int(kinds.booked?.issued),
            median: fmt.minutes(kinds.booked?.wait?.median),
          }),
          'booked_tickets',
        ),
      ),
      bookingTable('byField', t('by.field'), b.by_field ?? [], (r) => [
        h('span', { class: 'code-badge' }, r.key),
        ' ',
        nameOf(r),
      ]),
      bookingTable('byWindow', t('bk.window'), b.by_window ?? [], (r) => r.key),
      bookingTable('bySource', t('bk.source'), b.by_source ?? [], nameOf),
    );
  }

  function render() {
    if (!stats) return;
    document.body.dataset[emptyFlag] = String(!stats.total?.issued);
    renderKpis(stats.total);
    charts.show(stats);
    renderTable();
    renderSatisfaction();
    renderEstimate(stats.estimate);
    renderPauses(stats.total);
    renderComments(stats.comments ?? []);
    renderBookings();
    renderOfficial();
  }

  // The breakdowns are tabs over the one table (`#group-tabs`, its panel the table's frame).
  const groupTabs = makeTabs($('#group-tabs'), {
    key: (tab) => tab.dataset.group,
    onSelect: (chosen) => {
      group = chosen;
      renderTable();
    },
  });

  return {
    /** A hall's figures arrived (or null: clear the view while the next one loads). */
    show(next) {
      stats = next;
      render();
    },
    /** The view became visible: the charts take their width now. */
    redraw: () => charts.redraw(),
  };
}
