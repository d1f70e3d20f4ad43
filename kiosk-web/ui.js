// The kiosk's small building blocks: an icon, a tap that ignores a double tap's second half,
// and texts in the chosen language with the other one small beneath (marked with its own
// language, so a screen reader pronounces each in its own voice).

import { h } from '/shared/el.js';
import { icon } from './icons.js';
import { S, otherLang, t } from './state.js';

const TOUCH_GUARD_MS = 450; // the second tap of a double tap must not hit the next screen

export const ico = (name, cls = 'icon') => h('span', { class: cls }, icon(name));

/** A tap handler that ignores the second tap of a finger's double tap on a new screen. */
export function tap(fn) {
  return (e) => {
    if (e.pointerType === 'touch' && performance.now() - S.shownAt < TOUCH_GUARD_MS) return;
    fn(e);
  };
}

/** The same words in the other language. */
export const other = (tag, attrs, key, vars) => h(tag, { ...attrs, lang: otherLang() }, t.other(key, vars));

/** The screen's heading (its one <h1>) in the chosen language, the other one small beneath. */
export function title(key, cls = 'title') {
  return h('div', { class: cls }, h('h1', {}, t(key)), other('p', { class: 'sub' }, key));
}

/** A sentence in the chosen language, the other one small beneath. */
export function bilingual(key, vars) {
  return h('span', { class: 'both' }, h('strong', {}, t(key, vars)), other('small', {}, key, vars));
}

/** A big button's words: the chosen language, the other one small. */
export function label(key) {
  return [h('span', { class: 'main' }, t(key)), other('span', { class: 'other' }, key)];
}

export function backButton(fn, disabled = false) {
  return h(
    'button',
    { type: 'button', class: 'back', 'data-action': 'back', disabled, onclick: tap(fn) },
    ico('back'),
    h('span', {}, t('back')),
  );
}
