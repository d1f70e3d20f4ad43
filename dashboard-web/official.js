// The satisfaction index of Decision 766/QĐ-TTg as the figure pages draw it: its share
// (marked when below its target), what it was counted on (dossiers, or served visits in a
// hall that attaches no dossier codes: said plainly), its levels, and the low ratings'
// reasons with the visits the citizens needed. Used by the dashboard's History tab, the
// daily report and the city's page (the collector serves this file at /dashboard/ too).

import { h } from '/shared/el.js';

/** Reasons a low rating gives, in the server's order (`Figures.reasons`). */
export const REASONS = ['wait', 'attitude', 'guidance', 'repeat', 'other'];

/** Whether the figure is below its target. */
export const belowTarget = (o) => o?.share != null && o.share < o.target;

/** The share, one decimal, as a cell or a value: marked (and said) when below target. */
export function officialShare(t, fmt, o) {
  const below = belowTarget(o);
  return h(
    'span',
    { class: below ? 'official-share below-target' : 'official-share', dataset: { below: String(below) } },
    fmt.percent(o?.share, 1),
    below ? h('span', { class: 'visually-hidden' }, ` (${t('official.below')})`) : null,
  );
}

/** "trên 120 hồ sơ · mục tiêu 95%", or "trên 120 lượt phục vụ — chưa gắn mã hồ sơ · …". */
export function officialBasis(t, fmt, o) {
  if (!o) return '';
  const key = { dossiers: 'official.onDossiers', mixed: 'official.onMixed' }[o.basis] ?? 'official.onVisits';
  const on = t(key, { n: fmt.int(o.units) });
  return `${on} · ${t('official.target', { p: fmt.percent(o.target) })}`;
}

/** The figure's parts as a definition list's terms and values. */
export function officialFacts(t, fmt, o) {
  if (!o) return [];
  const line = (key, value) => [
    h('dt', {}, t(`official.${key}`)),
    h('dd', { class: 'num', dataset: { official: key } }, value),
  ];
  return [
    ...line('units', fmt.int(o.units)),
    ...line('very_satisfied', fmt.int(o.very_satisfied)),
    ...line('satisfied', fmt.int(o.satisfied)),
    ...line('dissatisfied', fmt.int(o.dissatisfied)),
    ...line('unrated', fmt.int(o.unrated)),
    ...line('complained', fmt.int(o.complained)),
    ...line('against', fmt.int(o.against)),
    ...(o.basis !== 'visits' ? line('served_without_dossier', fmt.int(o.served_without_dossier)) : []),
  ];
}

/** The columns of the reasons' table: each reason, the visits needed, complaints. */
export function reasonColumns(fmt) {
  const count = (r, reason) => r.reasons?.find((x) => x.reason === reason)?.count ?? 0;
  return [
    ...REASONS.map((reason) => [reason, (r) => fmt.int(count(r, reason))]),
    ['visits1', (r) => fmt.int(r.visits_needed?.[0] ?? 0)],
    ['visits2', (r) => fmt.int(r.visits_needed?.[1] ?? 0)],
    ['visits3', (r) => fmt.int(r.visits_needed?.[2] ?? 0)],
    ['complaints', (r) => fmt.int(r.complaints ?? 0)],
  ];
}

/** One table of reasons and visits needed: a row per field or clerk, the total below. */
export function reasonsTable(
  t,
  fmt,
  { key, caption, head, rows, total, name, tableClass = 'grid-table figures' },
) {
  const cols = reasonColumns(fmt);
  const line = (r) => cols.map(([col, cell]) => h('td', { class: 'num', dataset: { col } }, cell(r)));
  return h(
    'div',
    { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': caption },
    h(
      'table',
      { class: tableClass, dataset: { reasons: key } },
      h('caption', {}, caption),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { class: 'name' }, head),
          cols.map(([col]) => h('th', { dataset: { col } }, t(`rth.${col}`))),
        ),
      ),
      h(
        'tbody',
        {},
        rows.length
          ? rows.map((r) =>
              h('tr', { dataset: { key: r.key } }, h('td', { class: 'name' }, name(r)), line(r)),
            )
          : h('tr', {}, h('td', { class: 'muted empty', colspan: cols.length + 1 }, t('hist.empty'))),
      ),
      h('tfoot', {}, h('tr', {}, h('td', { class: 'name' }, t('table.total')), line(total))),
    ),
  );
}
