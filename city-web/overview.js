// The city page's overview: every hall side by side. How many halls report and which have
// gone silent, the city's key figures, and the table of halls (sortable by any column with the
// mouse or the keyboard, filtered by name with or without diacritics). city.js reads the
// figures and says when to draw them.
//
// Levels: where the halls are in two provinces or more (the country's collector, whose
// halls' province is the collector that forwarded them), the overview starts with the
// provinces' table, and a province chosen there (or in the level selector) narrows
// everything below to its halls, with its own line as the total. The halls are filtered
// here, from the same answer: choosing a level asks the collector nothing.

import { h } from '/shared/el.js';
import { dates } from '/dashboard/format.js';
import { belowTarget, officialBasis, officialShare } from '/dashboard/official.js';

/** How many silent halls the note names before it says "and n more". */
const SILENT_NAMED = 12;

const collator = new Intl.Collator('vi');
/** A name folded for searching: "Hoàn Kiếm" is found by "hoan kiem" too. */
const fold = (s) =>
  String(s ?? '')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase();

/**
 * `state` is the page's (its halls, stats, sort, filter and range), `hashFor` makes a page's
 * address, `rangeText` says a range in words, `charts()` the two hall-by-hall charts.
 */
export function makeOverview({ t, fmt, state, hashFor, rangeText, charts }) {
  const $ = (sel) => document.querySelector(sel);

  /** The provinces' lines, when there are levels to choose from (two provinces or more). */
  function provinces() {
    const list = state.stats?.provinces ?? [];
    return list.length >= 2 ? list : [];
  }

  /** The chosen province's line, or null for everyone (also when it has no halls here). */
  function level() {
    if (state.province == null) return null;
    return provinces().find((p) => p.province === state.province) ?? null;
  }

  /** A province as people read it: its name, or "no province yet". */
  const provinceName = (p) => (p ? p : t('level.none'));

  /** What the total of the level is called: the province, the country, or the city. */
  function totalLabel() {
    const line = level();
    if (line) return provinceName(line.province);
    return provinces().length ? t('level.country') : t('city.total');
  }

  /** The figures at the chosen level: its halls, and its line as their total. */
  function scoped() {
    const s = state.stats;
    const line = level();
    if (!s || !line) return s && { ...s, totalLabel: totalLabel() };
    return {
      ...s,
      total: line,
      bookings: line.bookings,
      halls: (s.halls ?? []).filter((r) => (r.province ?? '') === line.province),
      totalLabel: totalLabel(),
    };
  }

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
    const line = level();
    const here = (r) => !line || (r.province ?? '') === line.province;
    const list = new Map((state.halls?.halls ?? []).map((x) => [x.code, x]));
    const at = state.halls?.at ?? state.stats?.generated_at;
    const rows = (state.stats?.halls ?? []).filter(here).map((r) => ({ ...r }));
    const seen = new Set(rows.map((r) => r.code));
    for (const x of list.values())
      if (!seen.has(x.code) && here(x)) rows.push({ code: x.code, name: x.name, province: x.province });
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
      // The Decision 766 index, held to its target (below it: red, and said).
      num(
        'official',
        (r) => r.official?.share,
        (_, r) => (r.official ? officialShare(t, fmt, r.official) : fmt.DASH),
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
      // The bookings, counted apart: made, checked in within their window, no-shows, late.
      num(
        'booked',
        (r) => r.bookings?.booked,
        (v) => fmt.int(v),
        { label: 'col.booked' },
      ),
      num(
        'checkedIn',
        (r) => r.bookings?.checked_in,
        (v) => fmt.int(v),
        { label: 'col.checkedIn' },
      ),
      num(
        'noShow',
        (r) => r.bookings?.no_show,
        (v) => fmt.int(v),
        { label: 'col.noShow' },
      ),
      num(
        'late',
        (r) => r.bookings?.late,
        (v) => fmt.int(v),
        { label: 'col.late' },
      ),
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
    renderLevels();
    renderReporting();
    renderKpis();
    charts().show(scoped());
    renderTable();
    renderRanking();
  }

  /**
   * The level selector and the provinces' table (at the country's level), or the chosen
   * province's name and the way back; nothing where the halls are in one province or none.
   */
  function renderLevels() {
    const box = $('#levels');
    const all = provinces();
    const line = level();
    document.body.dataset.level = line ? 'province' : 'all';
    box.hidden = !all.length;
    if (!all.length) return;
    const ordered = [...all].sort(
      (a, b) => (a.province === '') - (b.province === '') || collator.compare(a.province, b.province),
    );
    $('#levels-title').textContent = line ? provinceName(line.province) : t('level.country');
    $('#levels-sub').textContent = line
      ? t('level.provinceHalls', { n: fmt.int(line.halls), all: fmt.int(all.length) })
      : t('level.countryHalls', { n: fmt.int(all.length), halls: fmt.int(state.stats.halls?.length ?? 0) });
    const up = $('#level-up');
    up.hidden = !line;
    up.href = hashFor('city', null, state.range, null);
    $('#level-select').replaceChildren(
      h('option', { value: '', selected: !line }, t('level.all')),
      ...ordered.map((p) =>
        h(
          'option',
          { value: `p:${p.province}`, selected: line?.province === p.province },
          provinceName(p.province),
        ),
      ),
    );
    const wrap = $('#provinces-wrap');
    wrap.hidden = Boolean(line);
    if (line) return;

    const cols = provinceColumns();
    const table = $('#provinces-table');
    table.tHead.replaceChildren(
      h(
        'tr',
        {},
        cols.map((c) =>
          h(
            'th',
            { class: c.key === 'province' ? 'name' : null, dataset: { col: c.key }, scope: 'col' },
            t(c.label),
            c.minutes ? h('small', {}, ` (${t('unit.minShort')})`) : null,
          ),
        ),
      ),
    );
    table.tBodies[0].replaceChildren(
      ...ordered.map((p) =>
        h(
          'tr',
          { dataset: { province: p.province } },
          cols.map((c) =>
            c.key === 'province'
              ? h(
                  'td',
                  { class: 'name', dataset: { col: 'province' } },
                  h(
                    'a',
                    {
                      href: hashFor('city', null, state.range, p.province),
                      class: 'province-link',
                      title: t('level.open', { name: provinceName(p.province) }),
                    },
                    provinceName(p.province),
                  ),
                )
              : numCell(c, p),
          ),
        ),
      ),
    );
    const total = { ...(state.stats.total ?? {}), halls: state.stats.halls?.length ?? 0 };
    table.tFoot.replaceChildren(
      h(
        'tr',
        {},
        cols.map((c) =>
          c.key === 'province'
            ? h('td', { class: 'name', dataset: { col: 'province' } }, t('level.country'))
            : h('td', { class: 'num', dataset: { col: c.key } }, c.cell(c.value(total), total)),
        ),
      ),
    );
  }

  /** The provinces' table: its name and halls, then the halls' own columns for the rest. */
  function provinceColumns() {
    const halls = columns();
    const pick = ['served', 'waitMedian', 'within', 'absentRate', 'satisfied', 'official'];
    return [
      { key: 'province', label: 'col.province' },
      num(
        'halls',
        (r) => r.halls,
        (v) => fmt.int(v),
        { label: 'col.halls' },
      ),
      ...pick.map((key) => halls.find((c) => c.key === key)),
    ];
  }

  /** A figure's cell, as the halls' table draws it: a share with its faint bar behind. */
  function numCell(c, r) {
    const v = c.value(r);
    const attrs = { class: 'num', dataset: { col: c.key } };
    if (c.share && v != null) {
      attrs.class = 'num share';
      attrs.style = `--share: ${Math.round(Math.max(0, Math.min(1, v)) * 1000) / 10}%`;
    }
    return h('td', attrs, c.cell(v, r));
  }

  /**
   * The halls ranked by the Decision 766 index, highest first, each against the target
   * (95%); halls without a figure for the range come last, by name.
   */
  function renderRanking() {
    const list = $('#official-ranking-list');
    if (!list) return;
    const rows = hallRows().filter((r) => r.official);
    const counted = rows.filter((r) => r.official.share != null);
    counted.sort(
      (a, b) => b.official.share - a.official.share || collator.compare(a.name ?? '', b.name ?? ''),
    );
    const met = counted.filter((r) => !belowTarget(r.official)).length;
    $('#official-ranking-note').textContent = t('ranking.note', {
      met: fmt.int(met),
      all: fmt.int(counted.length),
      p: fmt.percent(scoped().total?.official?.target ?? 0.95),
    });
    const none = hallRows()
      .filter((r) => r.official?.share == null)
      .sort((a, b) => collator.compare(a.name ?? '', b.name ?? ''));
    list.replaceChildren(
      ...counted.map((r, i) => {
        const below = belowTarget(r.official);
        return h(
          'li',
          { dataset: { code: r.code, below: String(below) } },
          h('span', { class: 'rank' }, fmt.int(i + 1)),
          h('a', { href: hashFor('hall', r.code, state.range), class: 'hall-link' }, r.name),
          h('b', { class: 'share' }, officialShare(t, fmt, r.official)),
          h('span', { class: 'muted basis' }, officialBasis(t, fmt, r.official)),
          h(
            'span',
            { class: below ? 'chip below-chip' : 'chip met-chip' },
            t(below ? 'ranking.below' : 'ranking.met'),
          ),
        );
      }),
      ...(none.length
        ? [h('li', { class: 'muted unranked' }, t('ranking.none', { n: fmt.int(none.length) }))]
        : []),
    );
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
          ? [
              h(
                'span',
                { class: 'muted' },
                t('city.silentMore', { n: fmt.int(silent.length - SILENT_NAMED) }),
              ),
            ]
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
    const s = scoped();
    const F = s.total ?? {};
    const sat = F.satisfaction ?? {};
    const waiting = (s.halls ?? []).reduce((sum, r) => sum + (r.waiting_now ?? 0), 0);
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
      kpi('official', officialShare(t, fmt, F.official), officialBasis(t, fmt, F.official)),
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
      return numCell(c, r);
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

    // The whole city (or the chosen province): the collector's own total (not a sum of
    // shares), every hall of the level included whatever the filter shows.
    const scope = scoped();
    const total = {
      ...(scope.total ?? {}),
      bookings: scope.bookings,
      waiting_now: (scope.halls ?? []).reduce((sum, r) => sum + (r.waiting_now ?? 0), 0),
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
              scope.totalLabel,
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
          return h('td', { class: 'num', dataset: { col: c.key } }, c.cell(c.value(total), total));
        }),
      ),
    );
  }

  return { hallInfo, hallRows, level, renderCity, renderTable };
}
