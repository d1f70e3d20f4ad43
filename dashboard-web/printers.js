// The Now tab's printers: each printer's state in the words of the shared reason list
// (printer/src/reason.rs: `perr.<code>` in strings.js), and today's tickets whose print job
// did not print (GET /api/print-jobs: failed, print_uncertain, or still waiting), each with
// "In lại / Reprint" (POST /api/tickets/{id}/reprint), pressed twice.

import { api } from '/shared/api.js';
import { h } from '/shared/el.js';
import { errorText } from '/shared/i18n.js';

/** A first press arms a reprint for this long. */
const CONFIRM_MS = 3000;

export function makePrinters({ t, fmt, $ }) {
  let jobs = null; // the last answer's jobs (null before the first)
  let armed = { job: null, at: 0 };
  let busy = false;
  let drawn = ''; // what the unprinted list shows now

  const why = (code) => (code ? (t.has(`perr.${code}`) ? t(`perr.${code}`) : code) : '');
  const capital = (s) => (s ? s.charAt(0).toLocaleUpperCase() + s.slice(1) : s);
  /** "08:05" from the hall's local time stamp ("2026-11-25T08:05:00+07:00"). */
  const time = (iso) => (typeof iso === 'string' && iso.length >= 16 ? iso.slice(11, 16) : '');

  /**
   * What a printer's last report says, worst first, as a reason code of the shared list
   * (`code`) and the words for it. A report's `error` is such a code: why the printer could
   * not be asked, or `printer_error` (its own error bit, which paper and cover explain better).
   */
  function state(p) {
    const r = p.report;
    const said = r?.error || null;
    const bad = (code) => ({ level: 'bad', code, text: capital(why(code)) });
    // An agent that is away says nothing new; the server's own printer says why it is not reachable.
    if (!p.connected) return bad(p.via && p.via !== 'agent' && said ? said : 'printer_away');
    if (!r) return { level: 'warn', code: null, text: t('printer.unknown') };
    if (said && said !== 'printer_error') return bad(said);
    if (r.paper_out) return bad('paper_out');
    if (r.cover_open) return bad('cover_open');
    if (r.error) return bad('printer_error');
    if (!r.online) return bad('printer_offline');
    if (r.paper_near_end) return { level: 'warn', code: null, text: t('printer.paper_near_end') };
    return { level: 'ok', code: null, text: t('printer.ready') };
  }

  function item(p) {
    const s = state(p);
    return h(
      'li',
      { class: 'printer', dataset: { printer: p.name, level: s.level, reason: s.code ?? '' } },
      h(
        'div',
        { class: 'printer-head' },
        h('b', {}, p.name),
        h('span', { class: 'status-dot', dataset: { level: s.level } }, s.text),
      ),
      h(
        'div',
        { class: 'muted' },
        `${t('col.kiosk')}: ${p.kiosk}`,
        p.via && p.via !== 'agent' ? ` · ${p.via}` : '',
        p.last_seen ? ` · ${t('col.lastSeen')}: ${fmt.timeSeconds(p.last_seen)}` : '',
      ),
      p.last_error
        ? h('div', { class: 'error-small' }, t('printer.lastError', { e: why(p.last_error) }))
        : null,
    );
  }

  /** Draw the printers (from /api/stats/now) and the unprinted tickets (from the last read). */
  function render(printers) {
    if (printers) {
      $('#now-printers-list').replaceChildren(
        ...(printers.length ? printers.map(item) : [h('li', { class: 'muted empty' }, t('now.noPrinters'))]),
      );
    }
    const list = $('#now-unprinted');
    if (!list || jobs == null) return;
    // The same list is not drawn again: a button is not replaced under the manager's mouse.
    const key = JSON.stringify([t.lang(), busy, armed.job, jobs.map((j) => [j.job, j.status, j.reason])]);
    if (key === drawn) return;
    drawn = key;
    $('#now-unprinted-count').textContent = fmt.int(jobs.length);
    list.replaceChildren(
      ...(jobs.length ? jobs.map(job) : [h('li', { class: 'muted empty' }, t('unprinted.none'))]),
    );
  }

  function job(j) {
    const waiting = j.status !== 'failed';
    const isArmed = armed.job === j.job && Date.now() - armed.at < CONFIRM_MS;
    return h(
      'li',
      {
        class: 'unprinted-job',
        dataset: {
          job: j.job,
          ticketId: j.ticket,
          status: waiting ? 'waiting' : 'failed',
          reason: j.reason ?? '',
        },
      },
      h('b', { class: 'code' }, j.code),
      h(
        'span',
        { class: 'what' },
        h(
          'span',
          { class: waiting ? 'why' : 'why error-small' },
          `${t(waiting ? 'unprinted.waiting' : 'unprinted.failed')}${j.reason ? `: ${why(j.reason)}` : ''}`,
        ),
        h('span', { class: 'muted' }, t('unprinted.where', { kiosk: j.kiosk, time: time(j.created_at) })),
      ),
      h(
        'button',
        {
          type: 'button',
          class: isArmed ? 'armed' : '',
          dataset: { action: 'reprint-job', ticketId: j.ticket },
          disabled: busy,
          onclick: () => reprint(j),
        },
        t(isArmed ? 'unprinted.confirm' : 'unprinted.reprint'),
      ),
    );
  }

  /** The list's button: the first press arms it, the second prints the ticket again. */
  async function reprint(j) {
    if (busy) return;
    const now = Date.now();
    if (armed.job !== j.job || now - armed.at >= CONFIRM_MS) {
      armed = { job: j.job, at: now };
      render();
      setTimeout(() => {
        if (armed.job === j.job && Date.now() - armed.at >= CONFIRM_MS) {
          armed = { job: null, at: 0 };
          render();
        }
      }, CONFIRM_MS + 50);
      return;
    }
    armed = { job: null, at: 0 };
    busy = true;
    render();
    const out = $('#now-unprinted-message');
    try {
      const answer = await api('POST', `/api/tickets/${j.ticket}/reprint`, {});
      const p = answer.print ?? {};
      const vars = { code: answer.code ?? j.code, why: why(p.reason) };
      const key =
        { failed: 'unprinted.failedNow', waiting: 'unprinted.waitingNow', printed: 'unprinted.printed' }[
          p.status
        ] ?? 'unprinted.sent';
      out.textContent = t(key, vars);
      out.dataset.kind = p.status === 'failed' ? 'error' : 'info';
    } catch (err) {
      out.textContent = errorText(t, err);
      out.dataset.kind = 'error';
    } finally {
      busy = false;
      await refresh();
    }
  }

  /** Read today's unprinted tickets again (with every refresh of the Now tab). */
  async function refresh() {
    try {
      jobs = (await api('GET', '/api/print-jobs')).jobs ?? [];
    } catch {
      // The list stays as it was; the next refresh tries again.
    }
    render();
  }

  return { state, render, refresh };
}
