// The ticket on screen and what became of its printing: the server always says (printed,
// failed, or waiting with a reason, until the job expires), so the kiosk never guesses. A
// checked-in booking's ticket is the same, with a line saying it is a booked number.

import { h } from '/shared/el.js';
import { names, nav, priorityName, reasonKey, S, t } from './state.js';
import { ico, other, tap } from './ui.js';

// Only if no word at all came by then (the feed dropped the frame) does the ticket say it
// waits for the printer, so the citizen keeps a photo of the screen: a nudge, not a verdict;
// a later word still counts.
const PRINT_QUIET_MS = 10_000;
const FINAL = new Set(['printed', 'failed']);

let printTimer = null;

export function forgetPrint() {
  clearTimeout(printTimer);
}

export function drawTicket() {
  const tk = S.ticket;
  const [name] = names(tk.service_name_vi, tk.service_name_en);
  const eta = tk.eta_minutes ?? 0;
  return h(
    'section',
    { class: 'screen ticket' },
    h(
      'div',
      { class: 'ticket-main' },
      // A checked-in booking's number says so where others say "your number".
      S.booking ? booked() : S.resultTicket ? resultLine() : h('h1', { class: 'label' }, t('your_number')),
      // As big as the card allows: about 4 characters fill it.
      h(
        'div',
        { id: 'ticket-code', class: 'code', style: `--chars:${Math.max(4, tk.code.length)}` },
        tk.code,
      ),
      h('div', { id: 'ticket-field', class: 'tfield' }, name),
      tk.priority && tk.priority !== 'none'
        ? h('div', { class: 'tprio' }, `${t('confirm_priority')}: ${priorityName(tk.priority)}`)
        : null,
      h(
        'div',
        { class: 'facts' },
        h('div', { id: 'ticket-ahead', class: 'fact' }, t('ahead', { n: tk.ahead ?? 0 })),
        h(
          'div',
          { id: 'ticket-eta', class: 'fact' },
          tk.no_counter_open ? t('no_counter') : eta > 0 ? t('eta', { n: eta }) : t('eta_soon'),
        ),
      ),
    ),
    h(
      'div',
      { class: 'ticket-side' },
      h(
        'figure',
        { class: 'qr' },
        h('img', {
          id: 'ticket-qr',
          src: `/api/tickets/${encodeURIComponent(tk.token)}/qr.svg`,
          alt: t('qr_alt', { code: tk.code }),
          draggable: 'false',
          onerror: (e) => e.target.classList.add('missing'),
        }),
        h('figcaption', {}, t('qr_hint')),
      ),
      printStatus(),
      // Not printed: the screen counts down to closing (timeout.js).
      h('p', { id: 'ticket-countdown', class: 'countdown', hidden: true }),
      doneButton(),
    ),
  );
}

/**
 * A checked-in booking's heading: a booked number, called by its booked time; or, come after
 * the late window where the hall turns late bookings into walk-ins, an ordinary number.
 */
function booked() {
  const { outcome, booking } = S.booking;
  const late = outcome === 'walk_in';
  const key = late ? 'booked_walk_in' : 'booked_line';
  const vars = { time: booking?.appointment ?? '' };
  return h(
    'h1',
    {
      id: 'ticket-booking',
      class: late ? 'label tbooking late' : 'label tbooking',
      'data-outcome': late ? 'walk_in' : 'checked_in',
    },
    h('span', { class: 'main' }, t(key, vars)),
    other('span', { class: 'other' }, key, vars),
  );
}

/** A result pick-up ticket's heading: the number is for collecting a result. */
function resultLine() {
  return h(
    'h1',
    { id: 'ticket-result', class: 'label tbooking tresult' },
    h('span', { class: 'main' }, t('result_line')),
    other('span', { class: 'other' }, 'result_line'),
  );
}

/** "OK" under a printed ticket; "I have my number" under one the citizen must note down. */
export function doneButton() {
  const printed = ['printed', 'printing'].includes(S.print?.state);
  return h(
    'button',
    { type: 'button', class: 'done', 'data-action': 'done', onclick: tap(() => nav.goStart()) },
    printed ? t('ok') : h('span', { class: 'main' }, t('have_number')),
    printed ? null : other('span', { class: 'other' }, 'have_number'),
  );
}

function printStatus() {
  const p = S.print;
  const el = h('div', {
    id: 'print-status',
    class: `print ${p.state}`,
    'data-state': p.state,
    'data-reason': p.reason || null,
    role: 'status',
  });
  if (p.state === 'printing') {
    el.append(h('span', { class: 'spinner' }), h('span', {}, t('printing')));
  } else if (p.state === 'printed') {
    el.append(ico('arrow_down'), h('span', {}, t('printed')));
  } else if (p.state === 'again') {
    // A booking checked in before: the same number again, its ticket not printed twice.
    el.append(
      ico('booking'),
      h('span', {}, h('strong', {}, t('print_again')), other('small', {}, 'print_again')),
    );
  } else if (p.state === 'waiting') {
    // The ticket is valid and on screen; the printer may still print it (until the job expires).
    const key = p.reason ? 'print_waiting_why' : 'print_waiting';
    const why = p.reason ? reasonKey(p.reason) : null;
    el.append(
      h('span', { class: 'spinner' }),
      h(
        'span',
        {},
        h('strong', {}, t(key, { why: why && t(why) })),
        other('small', {}, key, { why: why && t.other(why) }),
      ),
    );
  } else {
    const why = reasonKey(p.reason);
    el.append(
      ico('warning'),
      h(
        'span',
        {},
        h('strong', {}, t('print_failed', { why: t(why) })),
        other('small', {}, 'print_failed', { why: t.other(why) }),
      ),
    );
  }
  return el;
}

/** The kiosk's word for a job's status from the server (the POST's answer or the feed). */
export function printState(status) {
  switch (status) {
    case 'sent':
      return 'printing';
    case 'waiting':
    case 'printed':
    case 'again':
      return status;
    default:
      return 'failed';
  }
}

export function showTicket(tk) {
  // A booking checked in before comes back without a print job: nothing is printed again.
  const p = tk.print || {
    job: null,
    status: S.booking ? 'again' : 'failed',
    reason: S.booking ? null : 'no_printer',
  };
  S.ticket = tk;
  S.print = { job: p.job, state: printState(p.status), reason: p.reason ?? null };
  // The feed may have spoken before our own answer came back: its word is the later one,
  // unless ours is already final.
  const early = p.job != null && S.printResults.get(p.job);
  if (early && !FINAL.has(S.print.state)) {
    S.print.state = printState(early.status);
    S.print.reason = early.reason ?? null;
  }
  clearTimeout(printTimer);
  if (S.print.state === 'printing') {
    const job = p.job;
    printTimer = setTimeout(() => {
      if (S.print?.job === job && S.print.state === 'printing') setPrint('waiting', null);
    }, PRINT_QUIET_MS);
  }
  nav.show('ticket');
}

export function setPrint(state, reason) {
  const p = S.print;
  // Printed or failed is the end: a late "waiting" frame does not undo it.
  if (FINAL.has(p.state) && !FINAL.has(state)) return;
  if (p.state === state && p.reason === reason) return;
  Object.assign(p, { state, reason: reason ?? null });
  if (state !== 'printing') clearTimeout(printTimer);
  if (S.screen === 'ticket') {
    document.getElementById('print-status')?.replaceWith(printStatus());
    document.querySelector('.ticket-side > .done')?.replaceWith(doneButton());
  }
  // Waiting then failed keeps its countdown running; printed at last starts its own.
  nav.armIdle(true);
}
