// The Now tab's drawing: the key figures on top, the fields' queues, the counters, the alerts
// (abuse.js), the printers (printers.js) and the report to the city, from one answer of
// GET /api/stats/now. dashboard.js reads it, live, and says when to draw.

import { h } from '/shared/el.js';

export function makeNow({ t, fmt, $, abuse, printers }) {
  const nameOf = (row) => (t.lang() === 'en' ? row.name_en : row.name_vi) || row.key || row.code || '';

  /** Draw `now` (an answer of /api/stats/now). */
  function render(now) {
    $('#now-updated').textContent = t('now.updated', { time: fmt.timeSeconds(now.at) });
    const fields = now.fields ?? [];
    const counters = now.counters ?? [];
    const hallPrinters = now.printers ?? [];

    // The figures on top.
    const waiting = fields.reduce((s, f) => s + (f.waiting ?? 0), 0);
    const prio = fields.reduce((s, f) => s + (f.priority_waiting ?? 0), 0);
    $('#now-waiting').textContent = fmt.int(waiting);
    $('#now-waiting-prio').textContent = prio ? t('now.waitingPrio', { n: fmt.int(prio) }) : '';
    const longest = fields
      .filter((f) => f.longest_wait_seconds != null)
      .sort((a, b) => b.longest_wait_seconds - a.longest_wait_seconds)[0];
    $('#now-longest').textContent = longest ? fmt.minutes(longest.longest_wait_seconds) : fmt.DASH;
    $('#now-longest-where').textContent = longest
      ? t('now.longestWhere', { field: `${longest.code} · ${nameOf(longest)}` })
      : '';
    $('[data-kpi="longest"]').classList.toggle('late', Boolean(longest && isLate(longest)));
    const by = (s) => counters.filter((c) => c.state === s).length;
    $('#now-counters').textContent = t('now.countersOf', { open: by('open'), all: counters.length });
    $('#now-counters-more').textContent = t('now.countersMore', {
      paused: by('paused'),
      closed: by('closed'),
    });
    $('#now-served').textContent = fmt.int(counters.reduce((s, c) => s + (c.served_today ?? 0), 0));
    const troubled = hallPrinters.filter((p) => printers.state(p).level !== 'ok').length;
    $('#now-printers').textContent = hallPrinters.length
      ? `${hallPrinters.length - troubled} / ${hallPrinters.length}`
      : fmt.DASH;
    $('#now-printers-hint').textContent = !hallPrinters.length
      ? t('now.printersNone')
      : troubled
        ? t('now.printersBad', { n: troubled })
        : t('now.printersOk');
    $('[data-kpi="printers"]').classList.toggle('late', troubled > 0);

    // Fields.
    $('#now-fields tbody').replaceChildren(
      ...fields.map((f) =>
        h(
          'tr',
          { dataset: { field: f.code }, class: isLate(f) ? 'late' : null },
          h('td', { class: 'name' }, h('span', { class: 'code-badge' }, f.code), ' ', nameOf(f)),
          h('td', { class: 'num waiting', dataset: { col: 'waiting' } }, fmt.int(f.waiting)),
          h('td', { class: 'num', dataset: { col: 'priority' } }, fmt.int(f.priority_waiting)),
          h('td', { class: 'num longest', dataset: { col: 'longest' } }, fmt.minutes(f.longest_wait_seconds)),
          h(
            'td',
            { class: 'num', dataset: { col: 'eta' } },
            f.waiting ? fmt.wholeMinutes(f.eta_minutes) : fmt.DASH,
          ),
          h('td', { class: 'num', dataset: { col: 'counters-open' } }, fmt.int(f.counters_open)),
          h(
            'td',
            { class: 'num muted', dataset: { col: 'target' } },
            fmt.wholeMinutes(f.target_wait_minutes),
          ),
        ),
      ),
    );

    // Counters.
    $('#now-counter-list').replaceChildren(...counters.map(counterCard));

    // Kiosks and staff refused for issuing too fast.
    abuse.renderAlerts(now);

    // Printers, and today's tickets that did not print.
    printers.render(hallPrinters);

    // The report to the city.
    const up = now.uplink ?? {};
    const uplink = $('#now-uplink');
    uplink.dataset.state = !up.enabled ? 'off' : up.last_error ? 'error' : up.backlog > 0 ? 'sending' : 'ok';
    uplink.replaceChildren(
      ...(!up.enabled
        ? [h('span', { class: 'muted' }, t('now.uplinkOff'))]
        : [
            // "Caught up" is not said while the city cannot be told anything.
            up.backlog > 0 || !up.last_error
              ? h(
                  'span',
                  {},
                  up.backlog > 0
                    ? t('now.uplinkBacklog', { n: fmt.int(up.backlog) })
                    : t('now.uplinkCaughtUp'),
                  h('br'),
                )
              : null,
            h(
              'span',
              { class: 'muted' },
              up.last_success_at
                ? t('now.uplinkLast', { time: fmt.time(up.last_success_at) })
                : t('now.uplinkNever'),
            ),
            // Why, in the manager's words; the server's English detail is for the technician (title).
            up.last_error
              ? h(
                  'span',
                  { class: 'error-inline', title: up.last_error },
                  h('br'),
                  t(
                    t.has(`uplink.${up.last_error_code}`)
                      ? `uplink.${up.last_error_code}`
                      : 'uplink.uplink_failed',
                  ),
                )
              : null,
          ].filter(Boolean)),
    ); // replaceChildren writes a null as the text "null"
  }

  /** A field whose oldest ticket has waited longer than its target. */
  function isLate(f) {
    return (
      f.longest_wait_seconds != null &&
      f.target_wait_minutes &&
      f.longest_wait_seconds > f.target_wait_minutes * 60
    );
  }

  const reasonText = (reason) => (t.has(`reason.${reason}`) ? t(`reason.${reason}`) : reason);

  function counterCard(c) {
    const current = c.current
      ? h(
          'p',
          { class: `current ${c.current.status}` },
          t(c.current.status === 'serving' ? 'counter.serving' : 'counter.called', {
            code: c.current.code,
            time: fmt.time(c.current.since),
          }),
        )
      : h('p', { class: 'current muted' }, c.state === 'open' ? t('counter.idle') : '');
    return h(
      'article',
      { class: 'card counter', dataset: { counter: c.no, state: c.state } },
      h(
        'header',
        {},
        h('strong', {}, t('counter.n', { no: c.no })),
        h('span', { class: 'chip', dataset: { state: c.state } }, t(`state.${c.state}`)),
      ),
      h(
        'p',
        { class: 'clerk' },
        c.clerk
          ? h('span', {}, `${t('counter.clerk')}: `, h('b', {}, c.clerk))
          : h('span', { class: 'muted' }, t('counter.noClerk')),
      ),
      c.state === 'paused'
        ? h('p', { class: 'reason' }, t('counter.reason', { reason: reasonText(c.reason ?? '') }))
        : null,
      current,
      h(
        'footer',
        {},
        h('span', { class: 'muted' }, t('counter.fields', { list: (c.services ?? []).join(', ') })),
        h('span', { class: 'served' }, t('counter.served', { n: fmt.int(c.served_today) })),
      ),
    );
  }

  return { render };
}
