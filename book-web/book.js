// The public booking page (/book/): a citizen picks a field, a day (today and the next six)
// and a time window with free places, holds it with a phone or citizen ID number (kept by
// the hall only as a keyed hash, with the consent Decree 13/2023 asks), and gets the
// booking's code and QR. /book/#CODE is one booking's own page (the QR leads there): its
// state, refreshed when the page is shown again and every minute (bookings have no live
// feed), its queue number once checked in, and a cancel with a confirm step. The last
// booking's code stays on this browser ("Lịch hẹn của tôi") until the citizen forgets it.
// Every step is drawn from `S` into <div id="view">; nothing is HTML strings.

import { ApiError, api } from '/shared/api.js';
import { fill, h } from '/shared/el.js';
import { applyStatic, makeI18n } from '/shared/i18n.js';
import { STRINGS } from './strings.js';

const t = makeI18n(STRINGS);
const $ = (id) => document.getElementById(id);
const body = document.body;
const MINE = 'motcua.book.last';
const REFRESH_MS = 60_000;

const S = {
  step: 'loading',
  hall: '',
  fields: [],
  onlineOnly: false,
  field: null, // the chosen field, as /api/bookings/fields gives it
  cal: null, // its calendar
  day: null, // the chosen day of the calendar
  window: null, // the chosen window of that day
  person: '',
  consent: false,
  booking: null, // the booking shown
  confirm: false, // the cancel's confirm step is open
  busy: false,
  missing: '', // the code asked for that is no booking
  retry: null, // what "Try again" does after a failure to load
};
let alertOf = null; // what the alert says, as a function: said again after a switch of language
let focusNext = false; // move the focus to the new step's heading after drawing it
let shown = false; // the first step is on screen: later steps take the focus

// ---------- remembered booking ----------
function mine() {
  try {
    const m = JSON.parse(localStorage.getItem(MINE));
    return m && typeof m.code === 'string' ? m : null;
  } catch {
    return null;
  }
}
function remember(b) {
  try {
    localStorage.setItem(
      MINE,
      JSON.stringify({ code: b.code, display: b.code_display, day: b.day, time: b.appointment }),
    );
  } catch {
    // private mode: nothing kept
  }
}
function forget() {
  try {
    localStorage.removeItem(MINE);
  } catch {
    // nothing kept anyway
  }
}

// ---------- words ----------
const name = (x) => t.pick(x.name_vi ?? x.service_name_vi, x.name_en ?? x.service_name_en);
function dateText(day, full = false) {
  const [y, m, d] = day.split('-');
  const wd = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d))).getUTCDay(); // 0 Sunday
  const w = t('weekdays').split('|')[(wd + 6) % 7];
  return t(full ? 'dateFull' : 'date', { w, d, m, y });
}
function errText(err) {
  if (!(err instanceof ApiError)) return t('err.generic');
  const rules = S.cal?.rules ?? {};
  const vars = {
    n: rules.per_person_per_day ?? 2,
    d: rules.days_ahead ?? 6,
    m: err.retryAfter ? Math.max(1, Math.ceil(err.retryAfter / 60)) : 5,
  };
  const key = `err.${err.code}`;
  if (t.has(key)) return t(key, vars);
  if (err.status === 0) return t('err.network');
  if (err.status >= 500) return t('err.internal');
  return `${t('err.generic')} (${err.code})`;
}
/** Say a refusal or a failure (`of` gives its words in the language in use), or nothing. */
function say(of) {
  alertOf = of || null;
  const text = alertOf ? alertOf() : '';
  fill($('alert'), text && h('p', {}, text));
}

// ---------- the server ----------
async function loadHall() {
  try {
    const hall = await api('GET', '/api/services');
    S.hall = hall.hall || '';
    $('hall').textContent = S.hall;
  } catch {
    // the name is a nicety: the page works without it
  }
}

async function startBooking() {
  S.field = S.cal = S.day = S.window = S.booking = null;
  S.confirm = false;
  say();
  history.replaceState(null, '', location.pathname + location.search);
  go('loading');
  try {
    const f = await api('GET', '/api/bookings/fields');
    S.fields = f.fields ?? [];
    S.onlineOnly = !!f.online_only;
    go(f.enabled === false ? 'off' : 'fields');
  } catch (err) {
    failed(err, startBooking);
  }
}

async function loadCalendar() {
  S.cal = await api('GET', `/api/bookings/calendar?service=${encodeURIComponent(S.field.code)}`);
  // Keep the chosen day and window as the new calendar has them (their free places change).
  if (S.day) S.day = S.cal.days.find((d) => d.day === S.day.day) ?? null;
  if (S.window && S.day) S.window = S.day.windows.find((w) => w.start === S.window.start) ?? null;
}

async function chooseField(field) {
  S.field = field;
  S.day = S.window = null;
  say();
  go('loading');
  try {
    await loadCalendar();
    go('days');
  } catch (err) {
    failed(err, () => chooseField(field));
  }
}

async function openBooking(code, { quiet = false } = {}) {
  if (!quiet) {
    S.confirm = false;
    go('loading');
  }
  try {
    const b = await api('GET', `/api/bookings/${encodeURIComponent(code)}`);
    showBooking(b, !quiet);
  } catch (err) {
    if (quiet) return; // a refresh that failed: the booking as last seen stays
    if (err.code === 'booking_not_found') {
      if (mine()?.code === code) forget();
      S.missing = code;
      go('missing');
    } else failed(err, () => openBooking(code));
  }
}

function showBooking(b, moveFocus) {
  S.booking = b;
  // "My booking" is one still to come or checked in; a cancelled or expired one is let go.
  if (b.status === 'booked' || b.status === 'checked_in') remember(b);
  else if (mine()?.code === b.code) forget();
  if (location.hash.slice(1) !== b.code) history.replaceState(null, '', `#${b.code}`);
  if (moveFocus || S.step !== 'booking') go('booking');
  else render();
}

async function book(e) {
  e.preventDefault();
  if (S.busy) return;
  const person = S.person.replace(/[\s.\-()]/g, '');
  if (!person) {
    say(() => t('err.bad_person'));
    $('person')?.focus();
    return;
  }
  if (!S.consent) {
    say(() => t('err.consent_required'));
    $('consent')?.focus();
    return;
  }
  S.busy = true;
  say();
  render();
  try {
    const b = await api('POST', '/api/bookings', {
      service: S.field.code,
      day: S.day.day,
      window: S.window.start,
      person,
      consent: S.consent,
    });
    S.busy = false;
    S.person = '';
    S.consent = false;
    showBooking(b, true);
  } catch (err) {
    S.busy = false;
    if (['window_full', 'window_past', 'bad_window'].includes(err.code)) {
      await refreshAndGo('windows');
    } else if (['day_closed', 'day_out_of_range', 'bad_day'].includes(err.code)) {
      await refreshAndGo('days');
    } else if (['unknown_service', 'field_not_bookable', 'bookings_off'].includes(err.code)) {
      await startBooking();
    } else {
      render();
    }
    say(() => errText(err));
    if (S.step === 'person') $(err.code === 'consent_required' ? 'consent' : 'person')?.focus();
  }
}

/** After a refusal about the place: the calendar again, back to the step to choose anew. */
async function refreshAndGo(step) {
  try {
    await loadCalendar();
  } catch {
    // the old calendar stays; the refusal is said anyway
  }
  if (step === 'days') S.day = null;
  S.window = null;
  go(step === 'windows' && !S.day ? 'days' : step);
}

async function cancelBooking() {
  if (S.busy || !S.booking) return;
  S.busy = true;
  render();
  try {
    const b = await api('POST', `/api/bookings/${encodeURIComponent(S.booking.code)}/cancel`, {});
    S.busy = false;
    S.confirm = false;
    showBooking(b, false);
    $('note').textContent = t('cancelled');
    $('status')?.focus();
  } catch (err) {
    S.busy = false;
    S.confirm = false;
    render();
    say(() => errText(err));
    openBooking(S.booking.code, { quiet: true });
  }
}

function failed(err, again) {
  S.retry = again;
  say(() => errText(err));
  go('failed');
}

// ---------- drawing ----------
function go(step) {
  if (step !== S.step) focusNext = shown && step !== 'loading';
  if (step !== 'loading') shown = true;
  S.step = step;
  render();
}

function heading(key, n) {
  return h(
    'h1',
    { id: 'step-title', tabindex: '-1' },
    n ? h('span', { class: 'stepno' }, t('step', { n })) : null,
    t(key),
  );
}

function backButton(to) {
  return h(
    'button',
    {
      type: 'button',
      class: 'back',
      id: 'back',
      onclick: () => {
        say();
        if (to === 'fields') startBooking();
        else {
          go(to);
          // The places shown a while ago may have gone: ask again, quietly.
          loadCalendar().then(
            () => S.step === to && render(),
            () => {},
          );
        }
      },
    },
    h('span', { 'aria-hidden': 'true' }, '← '),
    t('back'),
  );
}

function summary() {
  const rows = [];
  if (S.field) rows.push([t('field'), name(S.field)]);
  if (S.day && S.step !== 'days') rows.push([t('day'), dateText(S.day.day, true)]);
  if (S.window && S.step === 'person') rows.push([t('time'), `${S.window.start}–${S.window.end}`]);
  return h(
    'dl',
    { class: 'summary' },
    rows.map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v))),
  );
}

function drawFields() {
  const list = S.fields.length
    ? h(
        'ul',
        { class: 'choices' },
        S.fields.map((f) =>
          h(
            'li',
            {},
            h(
              'button',
              { type: 'button', class: 'choice', dataset: { field: f.code }, onclick: () => chooseField(f) },
              h('span', { class: 'main' }, name(f)),
            ),
          ),
        ),
      )
    : h('p', { class: 'card' }, t('noFields'));
  return [heading('pickField', 1), S.onlineOnly ? h('p', { class: 'info' }, t('onlineOnly')) : null, list];
}

function dayState(d, i) {
  const open = d.windows.filter((w) => w.open);
  const free = open.reduce((n, w) => n + Math.max(0, w.free), 0);
  if (d.closed)
    return { ok: false, text: t('closed', { why: t.pick(d.closed.vi, d.closed.en) }), kind: 'closed' };
  if (!d.windows.length) return { ok: false, text: t('closedPlain'), kind: 'closed' };
  if (!open.length && i === 0) return { ok: false, text: t('dayOver'), kind: 'full' };
  if (free === 0) return { ok: false, text: t('dayFull'), kind: 'full' };
  return { ok: true, text: t('dayFree', { n: free }), kind: 'free' };
}

function drawDays() {
  return [
    backButton('fields'),
    summary(),
    heading('pickDay', 2),
    h(
      'ul',
      { class: 'choices' },
      S.cal.days.map((d, i) => {
        const st = dayState(d, i);
        const tag = i === 0 ? t('today') : i === 1 ? t('tomorrow') : null;
        return h(
          'li',
          {},
          h(
            'button',
            {
              type: 'button',
              class: `choice ${st.kind}`,
              dataset: { day: d.day, state: st.kind },
              disabled: !st.ok,
              onclick: () => {
                S.day = d;
                S.window = null;
                say();
                go('windows');
              },
            },
            h('span', { class: 'main' }, dateText(d.day), tag ? h('span', { class: 'tag' }, tag) : null),
            h('span', { class: 'sub' }, st.text),
          ),
        );
      }),
    ),
  ];
}

function windowButton(w) {
  const kind = !w.open ? 'past' : w.free > 0 ? 'free' : 'full';
  return h(
    'li',
    {},
    h(
      'button',
      {
        type: 'button',
        class: `choice ${kind}`,
        dataset: { window: w.start, state: kind, free: w.free },
        disabled: kind !== 'free',
        onclick: () => {
          S.window = w;
          say();
          go('person');
        },
      },
      h('span', { class: 'main' }, `${w.start}–${w.end}`),
      h('span', { class: 'sub' }, kind === 'free' ? t('free', { n: w.free }) : t(kind)),
    ),
  );
}

function drawWindows() {
  const windows = S.day.windows;
  const any = windows.some((w) => w.open && w.free > 0);
  // Morning and afternoon apart, as people think of a working day.
  const parts = [
    ['morning', windows.filter((w) => w.start < '12:00')],
    ['afternoon', windows.filter((w) => w.start >= '12:00')],
  ].filter(([, list]) => list.length);
  return [
    backButton('days'),
    summary(),
    heading('pickWindow', 3),
    any ? null : h('p', { class: 'info' }, t('noWindows')),
    parts.map(([part, list]) => [
      parts.length > 1 ? h('h2', { class: 'part' }, t(part)) : null,
      h('ul', { class: 'choices windows' }, list.map(windowButton)),
    ]),
  ];
}

function drawPerson() {
  const r = S.cal.rules;
  return [
    backButton('windows'),
    summary(),
    heading('pickPerson', 4),
    h(
      'form',
      { id: 'book-form', novalidate: true, onsubmit: book },
      h('label', { for: 'person', class: 'label' }, t('personLabel')),
      h('input', {
        id: 'person',
        name: 'person',
        type: 'text',
        inputmode: 'numeric',
        autocomplete: 'off',
        spellcheck: 'false',
        maxlength: '20',
        required: true,
        value: S.person,
        'aria-describedby': 'person-hint',
        oninput: (e) => {
          S.person = e.target.value;
        },
      }),
      h('p', { id: 'person-hint', class: 'hint' }, t('personHint', { n: r.per_person_per_day })),
      h(
        'div',
        { class: 'consent' },
        h('input', {
          id: 'consent',
          name: 'consent',
          type: 'checkbox',
          required: true,
          checked: S.consent,
          'aria-describedby': 'consent-details',
          onchange: (e) => {
            S.consent = e.target.checked;
            if (S.consent && alertOf?.() === t('err.consent_required')) say();
          },
        }),
        h('label', { for: 'consent' }, t('consentLabel')),
        h(
          'ul',
          { id: 'consent-details' },
          h('li', {}, t('consentWhat')),
          h('li', {}, t('consentWhy', { n: r.per_person_per_day })),
          h('li', {}, t('consentHow', { d: r.keep_personal_days })),
          h('li', {}, t('consentRight')),
        ),
      ),
      h(
        'button',
        { type: 'submit', class: 'big', id: 'book', disabled: S.busy },
        t(S.busy ? 'booking' : 'book'),
      ),
    ),
  ];
}

function drawBooking() {
  const b = S.booking;
  const when = t('at', { time: b.appointment, day: dateText(b.day, true) });
  const status = h(
    'p',
    { id: 'status', class: `status ${b.status}`, tabindex: '-1' },
    t(`status.${b.status}`),
  );
  const parts = [
    h(
      'section',
      { class: 'card ticket', 'aria-labelledby': 'step-title' },
      h('h1', { id: 'step-title', class: 'label', tabindex: '-1' }, t('yours')),
      h('p', { id: 'code', class: 'code' }, b.code_display),
      status,
      b.status === 'booked'
        ? [
            h('img', {
              id: 'qr',
              src: b.qr,
              alt: t('qr', { code: b.code_display }),
              width: '220',
              height: '220',
            }),
            h('p', { class: 'hint' }, t('qrHint')),
          ]
        : null,
      h(
        'dl',
        { class: 'facts' },
        h('div', {}, h('dt', {}, t('field')), h('dd', { id: 'field' }, name(b))),
        h(
          'div',
          {},
          h('dt', {}, t('appointment')),
          h(
            'dd',
            {},
            h('b', { id: 'appointment' }, when),
            ' ',
            h('span', { class: 'muted' }, `(${t('window', b.window)})`),
          ),
        ),
      ),
    ),
  ];
  if (b.ticket) {
    parts.push(
      h(
        'section',
        { class: 'card queue' },
        h('p', { class: 'label' }, t('ticketIs')),
        h('p', { id: 'ticket-code', class: 'code' }, b.ticket.code),
        h('a', { id: 'ticket-link', class: 'big', href: b.ticket.url }, t('ticketLink')),
      ),
    );
  } else if (b.status === 'late') {
    parts.push(h('p', { class: 'card info' }, t('lateNoTicket')));
  }
  if (b.status === 'booked') {
    parts.push(
      h(
        'section',
        { class: 'card rules', 'aria-labelledby': 'rules-title' },
        h('h2', { id: 'rules-title' }, t('whenYouCome')),
        h('p', { id: 'check-in' }, t('checkIn', b.check_in)),
        h('p', { id: 'late' }, t(b.late_arrival === 'refuse' ? 'lateRefuse' : 'lateWalkIn', b.check_in)),
      ),
    );
    parts.push(
      S.confirm
        ? h(
            'section',
            { class: 'card confirm', id: 'confirm', 'aria-labelledby': 'confirm-q' },
            h('p', { id: 'confirm-q' }, t('cancelAsk', { code: b.code_display })),
            h(
              'button',
              {
                type: 'button',
                class: 'big danger',
                id: 'cancel-yes',
                disabled: S.busy,
                onclick: cancelBooking,
              },
              t(S.busy ? 'cancelling' : 'cancelYes'),
            ),
            h(
              'button',
              {
                type: 'button',
                class: 'big plain',
                id: 'cancel-no',
                disabled: S.busy,
                onclick: () => {
                  S.confirm = false;
                  render();
                  $('cancel')?.focus();
                },
              },
              t('cancelNo'),
            ),
          )
        : h(
            'button',
            {
              type: 'button',
              class: 'big plain danger-text',
              id: 'cancel',
              onclick: () => {
                S.confirm = true;
                say();
                render();
                $('cancel-no')?.focus();
              },
            },
            t('cancel'),
          ),
    );
  }
  parts.push(
    h('button', { type: 'button', class: 'big plain', id: 'again', onclick: startBooking }, t('again')),
  );
  return parts;
}

function drawMissing() {
  return [
    h('h1', { id: 'step-title', tabindex: '-1' }, t('missing', { code: S.missing })),
    h('p', {}, t('missingHint')),
    h('button', { type: 'button', class: 'big', id: 'again', onclick: startBooking }, t('newBooking')),
  ];
}

function drawOff() {
  return [
    h('h1', { id: 'step-title', tabindex: '-1' }, t('title')),
    h('p', { class: 'card info' }, t('off')),
  ];
}

function drawFailed() {
  return [
    h('h1', { id: 'step-title', tabindex: '-1' }, t('title')),
    h(
      'button',
      { type: 'button', class: 'big', id: 'retry', onclick: () => (S.retry ?? startBooking)() },
      t('retry'),
    ),
  ];
}

const DRAW = {
  loading: () => h('p', { class: 'loading' }, t('loading')),
  fields: drawFields,
  days: drawDays,
  windows: drawWindows,
  person: drawPerson,
  booking: drawBooking,
  missing: drawMissing,
  off: drawOff,
  failed: drawFailed,
};

function render() {
  body.dataset.step = S.step;
  body.dataset.busy = S.busy;
  body.dataset.status = S.step === 'booking' && S.booking ? S.booking.status : '';
  $('lang').lang = t.lang() === 'vi' ? 'en' : 'vi';
  $('hall').textContent = S.hall || t('hallFallback');
  const m = mine();
  $('mine').hidden = !m || S.step !== 'fields';
  if (m) {
    $('mine-code').textContent = m.display || m.code;
    $('mine-when').textContent = m.day ? t('mineAt', { time: m.time, day: dateText(m.day) }) : '';
  }
  if (S.step !== 'booking') $('note').textContent = '';
  // A redraw keeps the focus where it was (a refresh must not throw a keyboard user out).
  const had = $('view').contains(document.activeElement) ? document.activeElement.id : '';
  fill($('view'), DRAW[S.step]());
  if (had && !focusNext) $(had)?.focus();
  document.title =
    S.step === 'booking' && S.booking ? `${S.booking.code_display} · ${t('title')}` : t('title');
  if (focusNext) {
    focusNext = false;
    $('step-title')?.focus();
  }
}

// ---------- wiring ----------
$('lang').onclick = () => t.set(t.lang() === 'vi' ? 'en' : 'vi');
t.onChange(() => {
  render();
  say(alertOf);
});
$('mine-open').onclick = () => {
  const m = mine();
  if (m) openBooking(m.code);
};
$('forget').onclick = () => {
  forget();
  render();
  $('note').textContent = t('forgotten');
  $('step-title')?.focus();
};

/** The booking code in the address (`/book/#K7M2-QX9P`, any case), or ''. */
function codeInAddress() {
  return decodeURIComponent(location.hash.slice(1)).replace(/[\s-]/g, '').toUpperCase();
}
addEventListener('hashchange', () => {
  const code = codeInAddress();
  say();
  if (code) openBooking(code);
  else if (S.step === 'booking' || S.step === 'missing') startBooking();
});
// No push exists for bookings: ask again when the page is seen again, and every minute.
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible' && S.step === 'booking' && S.booking && !S.busy)
    openBooking(S.booking.code, { quiet: true });
});
setInterval(() => {
  if (document.visibilityState === 'visible' && S.step === 'booking' && S.booking && !S.busy)
    openBooking(S.booking.code, { quiet: true });
}, REFRESH_MS);

applyStatic(t);
loadHall();
const first = codeInAddress();
if (first) openBooking(first);
else startBooking();
