// The check-in screen: "scan your booking's QR or your ID card, or type the code", the
// code typed so far, big keys of the code's alphabet only, and a refusal in plain sentences
// when the booking cannot be checked in now. The steps are in checkin.js.

import { h } from '/shared/el.js';
import { checkInTyped, eraseKey, typeKey } from './checkin.js';
import { CODE_ALPHABET, CODE_LENGTH } from './scan.js';
import { nav, otherLang, S, t } from './state.js';
import { backButton, ico, label, other, tap, title } from './ui.js';

/** "2026-12-07" → "07/12/2026", as people write a date here. */
function dayText(day) {
  const [y, m, d] = String(day ?? '').split('-');
  return y && m && d ? `${d}/${m}/${y}` : String(day ?? '');
}

export function drawCheckIn() {
  const c = S.checkin ?? { typed: '', via: 'keypad', error: null };
  return h(
    'section',
    { class: 'screen checkin' },
    title('checkin_title'),
    h(
      'p',
      { class: 'how' },
      ico('scan'),
      h('span', {}, h('span', { class: 'main' }, t('checkin_how')), other('small', {}, 'checkin_how')),
    ),
    c.via === 'card' ? cardRead() : codeBox(c),
    refusal(c),
    h(
      'div',
      { class: 'keypad', role: 'group', 'aria-label': t('keypad_label') },
      [...CODE_ALPHABET].map((ch) =>
        h(
          'button',
          {
            type: 'button',
            class: 'key',
            'data-key': ch,
            disabled: S.busy || c.typed.length >= CODE_LENGTH,
            onclick: tap(() => typeKey(ch)),
          },
          ch,
        ),
      ),
    ),
    h(
      'div',
      { class: 'keypad-actions' },
      h(
        'button',
        {
          type: 'button',
          class: 'erase',
          'data-action': 'erase',
          disabled: S.busy || !c.typed || c.via === 'card',
          onclick: tap(eraseKey),
        },
        ico('erase'),
        h('span', {}, t('key_erase')),
      ),
      h(
        'button',
        {
          type: 'button',
          class: 'get go',
          'data-action': 'check-in',
          disabled: S.busy || c.typed.length !== CODE_LENGTH,
          onclick: tap(checkInTyped),
        },
        S.busy
          ? h('span', { class: 'main' }, h('span', { class: 'spinner' }), t('checking'))
          : label('checkin_go'),
      ),
    ),
    backButton(() => {
      S.checkin = null;
      nav.show('start');
    }, S.busy),
  );
}

/** The code typed (or scanned) so far, in eight boxes, "K7M2-QX9P" as it is printed. */
function codeBox(c) {
  const slots = [];
  for (let i = 0; i < CODE_LENGTH; i++) {
    if (i === 4) slots.push(h('span', { class: 'dash', 'aria-hidden': 'true' }, '-'));
    const ch = c.typed[i];
    slots.push(h('span', { class: ch ? 'slot' : 'slot empty' }, ch ?? ''));
  }
  return h(
    'div',
    { class: 'code-box' },
    h('span', { id: 'checkin-code-label', class: 'label' }, t('code_label')),
    h('output', { id: 'checkin-code', 'data-code': c.typed, 'aria-labelledby': 'checkin-code-label' }, slots),
  );
}

/** An ID card was read: its number is not shown (others stand behind), only that it was read. */
function cardRead() {
  return h(
    'div',
    { class: 'code-box card', id: 'checkin-card' },
    ico('booking'),
    h('span', {}, h('strong', {}, t('card_read')), other('small', {}, 'card_read')),
  );
}

/** Why the booking was not checked in, in both languages, or null. */
function refusal(c) {
  if (!c.error) return null;
  const [key, sub, vars] = refusalWords(c);
  return h(
    'p',
    { class: 'error', role: 'alert', 'data-error': c.error },
    ico('warning'),
    h(
      'span',
      {},
      h('strong', {}, t(key)),
      h('small', {}, t(sub, vars)),
      h('small', { class: 'other-lang', lang: otherLang() }, `${t.other(key)}. ${t.other(sub, vars)}`),
    ),
  );
}

/** [the refusal's heading, its sentence, what fills the sentence in]. */
function refusalWords(c) {
  const b = c.booking;
  switch (c.error) {
    case 'too_early':
      if (b?.check_in?.from && b.appointment)
        return ['ci_too_early', 'ci_too_early_from', { time: b.check_in.from, at: b.appointment }];
      return b?.check_in?.from
        ? ['ci_too_early', 'ci_come_back_from', { time: b.check_in.from }]
        : ['ci_too_early', 'ci_too_early_sub'];
    case 'not_today':
      return b?.day
        ? ['ci_not_today', 'ci_not_today_on', { day: dayText(b.day), time: b.appointment }]
        : ['ci_not_today', 'ci_not_today_sub'];
    case 'not_found':
      return c.via === 'card'
        ? ['ci_no_booking_card', 'ci_no_booking_card_sub']
        : ['ci_not_found', 'ci_not_found_sub'];
    case 'late':
      return ['ci_late', S.bookings.online_only ? 'ci_late_sub_only' : 'ci_late_sub'];
    case 'cancelled':
      return ['ci_cancelled', 'ci_cancelled_sub'];
    case 'bad_code':
      return ['ci_bad_code', 'ci_bad_code_sub'];
    case 'bad_person':
      return ['ci_bad_person', 'ci_bad_person_sub'];
    case 'too_fast':
      return ['ci_too_fast', 'too_fast_sub', { n: c.retryAfter }];
    default:
      return ['try_again', 'ci_try_again_sub'];
  }
}
