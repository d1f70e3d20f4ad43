// Translations: every page's strings as {vi: {key: text}, en: {key: text}}, Vietnamese first
// and the default. `{name}` in a text is filled from the variables given.

import { ApiError } from './api.js';

const LANGS = ['vi', 'en'];
const STORAGE_KEY = 'motcua.lang';

function stored() {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // storage off (a locked-down kiosk profile): nothing kept
  }
}

/**
 * `t('key', {vars})` in the chosen language: `?lang=` of the address, else the last choice on
 * this browser, else Vietnamese. A key missing in English falls back to Vietnamese, a key
 * missing everywhere shows itself (a test catches it, a person can still report it).
 *   t.lang()            the language in use
 *   t.set('en')         switch (kept on this browser), refill the static texts, tell listeners
 *   t.other(key, vars)  the same text in the other language (the kiosk shows both)
 *   t.has(key)          whether there is a text for key
 *   t.pick(vi, en)      of a server's pair of names, the one for the language in use
 *   t.onChange(f)       f(lang) after every switch
 */
export function makeI18n(strings, { remember = true } = {}) {
  const param = new URLSearchParams(location.search).get('lang');
  let lang = LANGS.includes(param) ? param : remember ? stored() : null;
  if (!LANGS.includes(lang) || !strings[lang]) lang = 'vi';
  const listeners = [];
  const text = (l, key, vars) => {
    const s = strings[l]?.[key] ?? strings.vi[key] ?? key;
    return s.replace(/\{(\w+)\}/g, (_, k) => String(vars?.[k] ?? ''));
  };
  const t = (key, vars) => text(lang, key, vars);
  t.lang = () => lang;
  t.other = (key, vars) => text(lang === 'vi' ? 'en' : 'vi', key, vars);
  t.has = (key) => key in (strings[lang] ?? {}) || key in strings.vi;
  t.pick = (vi, en) => (lang === 'en' && en ? en : vi);
  t.onChange = (f) => listeners.push(f);
  t.set = (l) => {
    if (!LANGS.includes(l)) return;
    lang = l;
    if (remember) {
      try {
        localStorage.setItem(STORAGE_KEY, l);
      } catch {
        // storage off: the choice lasts until the page reloads
      }
    }
    document.documentElement.lang = l;
    applyStatic(t);
    for (const f of listeners) f(l);
  };
  document.documentElement.lang = lang;
  return t;
}

/**
 * Fill the page's fixed texts from the strings: `data-i18n` (text), `data-i18n-placeholder`,
 * `data-i18n-title`, `data-i18n-label` (aria-label: keep it the visible text, or start with it,
 * so a voice user can say what they see).
 */
export function applyStatic(t, root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-placeholder]'))
    el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of root.querySelectorAll('[data-i18n-title]')) el.title = t(el.dataset.i18nTitle);
  for (const el of root.querySelectorAll('[data-i18n-label]'))
    el.setAttribute('aria-label', t(el.dataset.i18nLabel));
}

/**
 * A sentence for people from an API error: known codes in plain words (`err.<code>` in the
 * page's strings), never raw JSON or a server's English message alone.
 */
export function errorText(t, err) {
  if (!(err instanceof ApiError)) return t('err.generic');
  const key = `err.${err.code}`;
  if (t.has(key)) return t(key);
  if (err.status === 0) return t.has('err.network') ? t('err.network') : t('err.generic');
  if (err.status === 401 && t.has('err.unauthenticated')) return t('err.unauthenticated');
  if (err.status === 403 && t.has('err.forbidden')) return t('err.forbidden');
  if (err.status >= 500 && t.has('err.internal')) return t('err.internal');
  return `${t('err.generic')} (${err.code})`;
}
