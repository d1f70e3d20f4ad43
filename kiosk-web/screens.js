// The screens before a ticket: not paired, the fields (start, with "I have a booking" when
// the hall takes bookings), "priority?" and the priority claim's confirmation. Each answers
// a <section> drawn from `S`; app.js puts it in <main>.

import { h } from '/shared/el.js';
import { pairingCard } from '/shared/pairing.js';
import { fieldIcon } from './icons.js';
import {
  fieldState,
  hallState,
  names,
  nav,
  otherLang,
  PRIORITY_KINDS,
  printerTrouble,
  priorityName,
  reasonKey,
  S,
  service,
  t,
} from './state.js';
import { openCheckIn } from './checkin.js';
import { openResult } from './result.js';
import { issuingStopped, quotaText, stoppedHead, untilLine } from './hours.js';
import { chooseField, choosePriority, issue } from './steps.js';
import { backButton, bilingual, ico, label, other, tap, title } from './ui.js';

export function drawUnpaired() {
  // The chosen language first, with the one <h1>; the other one beneath, in its own language.
  const lines = (which, heading) => [
    h(heading, {}, which('unpaired_title')),
    h('p', { class: 'citizen' }, which('unpaired_citizen')),
    S.revoked ? h('p', { class: 'revoked' }, which('unpaired_revoked')) : null,
  ];
  return h(
    'section',
    { class: 'screen unpaired' },
    h('div', { class: 'pair-card' }, lines(t, 'h1')),
    h('div', { class: 'pair-card other', lang: otherLang() }, lines(t.other, 'h2')),
    S.pairing ? pairingCard(S.pairing, { lang: t.lang(), heading: 'h2' }) : null,
  );
}

export function drawStart() {
  const state = hallState();
  const onlyBooked = S.bookings.enabled && S.bookings.online_only;
  // On a break (lunch, a meeting) citizens may still take a number and wait; only a hall
  // with no counter open or paused is closed.
  const stopped = issuingStopped();
  const head = stopped
    ? stoppedHead()
    : state !== 'closed'
      ? title(onlyBooked ? 'only_title' : 'start_title')
      : h(
          'div',
          { class: 'title closed' },
          h('h1', {}, t(state === 'break' ? 'hall_break' : 'hall_closed')),
          other('p', { class: 'sub' }, state === 'break' ? 'hall_break' : 'hall_closed'),
          h('p', { class: 'hint' }, t('hall_closed_sub')),
        );
  const trouble = S.noPrinter ? null : printerTrouble();
  const n = S.services.length;
  const grid = h(
    'div',
    // Online-only, the booking and why walk-ins are only for the priority kinds take room above.
    {
      class: 'fields',
      'data-fit': 0,
      style: `--cols-p:${n > (onlyBooked ? 4 : 6) ? 2 : 1};--cols-l:${n <= 4 ? 2 : 3}`,
    },
    S.services.map(fieldButton),
  );
  return h(
    'section',
    { class: onlyBooked ? 'screen start only-booked' : 'screen start' },
    // "I have a booking" and "Collect a result" beside the title (above the fields, on a
    // portrait screen); online-only the booking is what most people came with.
    h(
      'div',
      { class: 'start-head' },
      head,
      h(
        'div',
        { class: S.bookings.enabled ? 'start-actions two' : 'start-actions' },
        S.bookings.enabled ? bookingButton(onlyBooked) : null,
        // A result pick-up is a number too: not while numbers are stopped.
        stopped ? null : resultButton(),
      ),
    ),
    state === 'break' && !stopped ? h('p', { class: 'banner' }, t('hall_break')) : null,
    stopped ? null : untilLine(),
    S.noPrinter
      ? h('p', { class: 'banner', 'data-banner': 'no-printer' }, ico('printer'), bilingual('no_printer'))
      : null,
    trouble
      ? h(
          'p',
          { class: 'banner', 'data-banner': 'printer-down' },
          ico('printer'),
          t('printer_down', { why: t(reasonKey(trouble)) }),
        )
      : null,
    // Online-only, the fields are for the priority kinds alone: the heading over them says so, and why.
    onlyBooked ? onlyWhy('h2') : null,
    grid,
    // The hall's notice and name are the hall's own words, in Vietnamese.
    S.notice ? h('p', { class: 'notice', lang: 'vi' }, S.notice) : null,
  );
}

/**
 * Why walk-ins are for the priority kinds alone today (online-only), under `heading`: on the
 * start screen the fields' heading, on the priority step what stands in place of "No".
 */
function onlyWhy(tag, key = 'only_fields') {
  return h(
    'div',
    { class: 'only-why', 'data-banner': 'online-only' },
    ico('booking'),
    h(
      'div',
      {},
      tag ? h(tag, {}, t(key)) : null,
      h('p', {}, `${t('only_why')}.`),
      other('p', { class: 'other' }, 'only_why'),
    ),
  );
}

/** "I have a booking": the check-in screen (the scanner needs no button: it works anywhere). */
function bookingButton(first) {
  return h(
    'button',
    {
      type: 'button',
      class: first ? 'booking first' : 'booking',
      'data-action': 'booking',
      onclick: tap(openCheckIn),
    },
    ico('booking'),
    h(
      'span',
      { class: 'names' },
      h('span', { class: 'name' }, t('booking_button')),
      other('span', { class: 'name2' }, 'booking_button'),
      h('span', { class: 'why' }, t('booking_button_sub')),
    ),
  );
}

/** "Collect a result": the receipt's QR (the scanner needs no button: it works anywhere). */
function resultButton() {
  return h(
    'button',
    { type: 'button', class: 'booking result', 'data-action': 'result', onclick: tap(openResult) },
    ico('document'),
    h(
      'span',
      { class: 'names' },
      h('span', { class: 'name' }, t('result_button')),
      other('span', { class: 'name2' }, 'result_button'),
      h('span', { class: 'why' }, t('result_button_sub')),
    ),
  );
}

function fieldButton(s) {
  const [name, name2] = names(s.name_vi, s.name_en);
  // No numbers anywhere now (the hall's hours): every field says so by being off.
  const state = issuingStopped() ? 'closed' : fieldState(s);
  const waiting = t('waiting', { n: s.waiting ?? 0 });
  const quota = quotaText(s);
  const count =
    state === 'full'
      ? quota
      : state === 'open'
        ? quota
          ? `${waiting} · ${quota}`
          : waiting
        : state === 'break'
          ? `${t('field_break')} · ${t('no_counter')} · ${waiting}`
          : issuingStopped()
            ? waiting
            : t('no_counter');
  return h(
    'button',
    {
      type: 'button',
      class: `field ${state}`,
      'data-field': s.code,
      disabled: state === 'closed' || state === 'full',
      onclick: tap(() => chooseField(s.code)),
    },
    h('span', { class: 'icon' }, fieldIcon(s)),
    h(
      'span',
      { class: 'names' },
      h('span', { class: 'name' }, name),
      name2 ? h('span', { class: 'name2', lang: otherLang() }, name2) : null,
    ),
    h(
      'span',
      {
        class: state === 'open' && !quota ? 'count' : 'count long',
        'data-quota': state === 'full' ? 'full' : null,
      },
      count,
    ),
  );
}

/** The chosen field, small, at the top of the next screens. */
function chosenField() {
  const s = service(S.field);
  if (!s) return null;
  return h(
    'p',
    { class: 'chosen' },
    h('span', { class: 'icon' }, fieldIcon(s)),
    names(s.name_vi, s.name_en)[0],
  );
}

export function drawPriority() {
  const onlyBooked = S.bookings.online_only;
  const offered = S.priorities.map((p) => p.code).filter((c) => c !== 'none');
  const kinds = offered.length ? offered : PRIORITY_KINDS;
  const choice = (code, iconName, name, why, cls) =>
    h(
      'button',
      {
        type: 'button',
        class: `choice ${cls}`,
        'data-priority': code,
        disabled: S.busy,
        onclick: tap(() => choosePriority(code)),
      },
      ico(iconName),
      h(
        'span',
        { class: 'names' },
        h('span', { class: 'name' }, name),
        why ? h('span', { class: 'why' }, why) : null,
      ),
    );
  // "No" takes the regular number at once; a priority claim goes on to be confirmed.
  // Online-only, there is no regular number to take: the sentence why stands in its place.
  const regular = onlyBooked
    ? onlyWhy(null)
    : S.busy
      ? h(
          'button',
          { type: 'button', class: 'choice no', 'data-priority': 'none', disabled: true },
          h('span', { class: 'spinner' }),
          h('span', { class: 'names' }, h('span', { class: 'name' }, t('getting'))),
        )
      : choice('none', 'person', t('no'), t('no_sub'), 'no');
  return h(
    'section',
    { class: onlyBooked ? 'screen priority only-booked' : 'screen priority' },
    chosenField(),
    title(onlyBooked ? 'only_priority_title' : 'priority_title'),
    h('p', { class: 'hint' }, t('priority_sub')),
    issueError(),
    regular,
    h(
      'div',
      { class: 'prios', 'data-fit': 0, role: 'group', 'aria-label': t('prios_label') },
      kinds.map((code) =>
        choice(
          code,
          code,
          priorityName(code),
          t.has(`prio_${code}_why`) ? t(`prio_${code}_why`) : '',
          'prio',
        ),
      ),
    ),
    backButton(() => nav.show('start'), S.busy),
  );
}

/** Why the last try at a number failed (on the screen that asked for it), or null. */
function issueError() {
  // Too many tickets from this kiosk at once (429): how long to wait, in both languages.
  if (S.error === 'too_fast') {
    const n = { n: S.retryAfter };
    return h(
      'p',
      { class: 'error', role: 'alert', 'data-error': 'too_fast' },
      ico('warning'),
      h(
        'span',
        {},
        h('strong', {}, t('too_fast')),
        h('small', {}, t('too_fast_sub', n)),
        h(
          'small',
          { class: 'other-lang', lang: otherLang() },
          `${t.other('too_fast')}. ${t.other('too_fast_sub', n)}`,
        ),
      ),
    );
  }
  // Online-only: the server gives walk-in numbers to the priority kinds alone.
  if (S.error === 'priority_only') {
    return h(
      'p',
      { class: 'error', role: 'alert', 'data-error': 'priority_only' },
      ico('warning'),
      h(
        'span',
        {},
        h('strong', {}, t('priority_only')),
        h('small', {}, `${t('only_why')}.`),
        h(
          'small',
          { class: 'other-lang', lang: otherLang() },
          `${t.other('priority_only')}. ${t.other('only_why')}.`,
        ),
      ),
    );
  }
  if (!S.error) return null;
  const key = S.error === 'exhausted' ? 'exhausted' : 'try_again';
  return h(
    'p',
    { class: 'error', role: 'alert', 'data-error': S.error },
    ico('warning'),
    h('span', {}, h('strong', {}, t(key)), h('small', {}, t(`${key}_sub`))),
  );
}

export function drawConfirm() {
  const s = service(S.field) || { code: S.field, name_vi: S.field, name_en: '' };
  const [name, name2] = names(s.name_vi, s.name_en);
  const prio = S.priority === 'none' ? t('no_priority') : priorityName(S.priority);
  return h(
    'section',
    { class: 'screen confirm' },
    title('confirm_title'),
    h(
      'div',
      { class: 'summary' },
      h(
        'div',
        { class: 'row' },
        h('span', { class: 'icon' }, fieldIcon(s)),
        h(
          'div',
          {},
          h('div', { class: 'label' }, t('confirm_field')),
          h('div', { class: 'name' }, name),
          name2 ? h('div', { class: 'name2', lang: otherLang() }, name2) : null,
        ),
      ),
      h(
        'div',
        { class: 'row' },
        ico(S.priority === 'none' ? 'person' : S.priority),
        h('div', {}, h('div', { class: 'label' }, t('confirm_priority')), h('div', { class: 'name' }, prio)),
      ),
    ),
    h(
      'div',
      { class: 'actions' },
      issueError(),
      h(
        'button',
        { type: 'button', class: 'get', 'data-action': 'confirm', disabled: S.busy, onclick: tap(issue) },
        S.busy
          ? h('span', { class: 'main' }, h('span', { class: 'spinner' }), t('getting'))
          : label('get_number'),
      ),
      backButton(() => nav.show('priority'), S.busy),
    ),
  );
}
