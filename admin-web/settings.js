// What the areas that change the hall's settings share (hall.js, fields.js, counters.js and
// the day's rules): the live sections (GET /api/admin/settings), read once and kept fresh,
// a card per section with its Save and "back to the settings file", checks in plain words
// before anything is sent, and the server's refusal shown at the input it names.

import { api } from '/shared/api.js';
import { fill, h } from '/shared/el.js';
import { errorText } from '/shared/i18n.js';

let cache = null;

/** The live sections by name ({section, value, file, changed_at, changed_by, skipped}). */
export function sections(refresh = false) {
  if (!cache || refresh) {
    cache = api('GET', '/api/admin/settings').then((r) =>
      Object.fromEntries(r.sections.map((s) => [s.section, s])),
    );
    cache.catch(() => {
      cache = null;
    });
  }
  return cache;
}

async function remember(view) {
  const all = await sections();
  all[view.section] = view;
}

/** `2026-11-25T08:00:00+07:00` as `25/11/2026 08:00`. */
export const when = (rfc) => {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}:\d{2})/.exec(rfc ?? '');
  return m ? `${m[3]}/${m[2]}/${m[1]} ${m[4]}` : (rfc ?? '');
};

/** A labelled input: `h('label', {}, text, input, hint)`; the input carries `data-key`. */
export function labelled(t, key, input, { hint, wide } = {}) {
  input.dataset.label = key;
  return h(
    'label',
    { class: wide ? 'wide' : null },
    h('span', { 'data-i18n': key }, t(key)),
    input,
    hint ? h('span', { class: 'hint', 'data-i18n': hint }, t(hint)) : null,
  );
}

/** A row's ✕ button in an edited table (`label`: its accessible name, saying which row). */
export const removeButton = (action, label, onRemove) =>
  h(
    'button',
    { type: 'button', class: 'danger-button', 'data-action': action, 'aria-label': label, onclick: onRemove },
    '✕',
  );

/** A value the page itself refuses: the input marked and focused, the sentence in `error`. */
export function markWrong(input, error, why) {
  input?.setAttribute('aria-invalid', 'true');
  input?.focus();
  error.textContent = why;
  return null;
}

/** A whole-number input between `min` and `max`. */
export const number = (value, min, max, attrs = {}) =>
  h('input', {
    type: 'number',
    inputmode: 'numeric',
    min,
    max,
    step: 1,
    value: String(value ?? ''),
    ...attrs,
  });

/** A choice among `options` ([value, text key]). */
export function select(t, value, options, attrs = {}) {
  const el = h(
    'select',
    attrs,
    options.map(([v, key]) =>
      h('option', { value: v, 'data-i18n': key, selected: String(v) === String(value) }, t(key)),
    ),
  );
  return el;
}

/**
 * Check the inputs in `root` before sending: required ones filled, numbers whole and within
 * their min and max, texts within their maxlength. The first wrong one is marked, focused and
 * named in `error`; answers whether all hold.
 */
export function check(t, root, error) {
  for (const el of root.querySelectorAll('input, textarea, select')) el.removeAttribute('aria-invalid');
  for (const el of root.querySelectorAll('input, textarea')) {
    const label = el.dataset.label ? t(el.dataset.label) : '';
    const v = el.value.trim();
    let why = null;
    if (el.required && v === '') why = t('form.invalid.required', { label });
    else if (el.type === 'number' && v !== '') {
      const n = Number(v);
      const [min, max] = [Number(el.min), Number(el.max)];
      if (!Number.isInteger(n) || n < min || n > max) why = t('form.invalid.range', { label, min, max });
    } else if (el.maxLength > 0 && el.value.length > el.maxLength)
      why = t('form.invalid.long', { label, max: el.maxLength });
    if (why) {
      el.setAttribute('aria-invalid', 'true');
      el.focus();
      error.textContent = why;
      return false;
    }
  }
  return true;
}

/**
 * The server refused a value: `bad setting \`services[1].target_wait_minutes\`: why`. The input
 * for that key (`data-key`) is marked and focused, and the sentence names it.
 */
export function showRefusal(t, root, error, err) {
  if (err?.code === 'bad_setting') {
    const m = /`([^`]+)`:\s*(.*)$/s.exec(err.message ?? '');
    const key = m?.[1] ?? '';
    const input = key ? root.querySelector(`[data-key="${CSS.escape(key)}"]`) : null;
    if (input) {
      input.setAttribute('aria-invalid', 'true');
      input.focus();
    }
    const label = input?.dataset.label ? t(input.dataset.label) : key;
    error.textContent = t('form.refused', { label, why: m?.[2] ?? err.message ?? '' });
    return;
  }
  error.textContent = errorText(t, err);
}

/**
 * A card that edits one live section: `build(value)` fills the card's body and answers
 * `read()`, the section's new value. Save sends it (PUT), "back to the settings file" drops
 * the change (DELETE); both apply at once. Only admins change; managers read.
 */
export function sectionCard({ t, name, title, hint, build, admin, refused, onSaved }) {
  const body = h('div');
  const error = h('p', { class: 'form-error', role: 'alert' });
  const ok = h('p', { class: 'form-ok', role: 'status' });
  const source = h('span', { class: 'source' });
  const save = h('button', {
    type: 'button',
    class: 'primary',
    'data-action': `save-${name}`,
    'data-i18n': 'form.save',
  });
  const back = h('button', {
    type: 'button',
    class: 'secondary',
    'data-action': `file-${name}`,
    'data-i18n': 'form.back_to_file',
    hidden: true,
  });
  save.textContent = t('form.save');
  back.textContent = t('form.back_to_file');
  const card = h(
    'form',
    { class: 'card panel', dataset: { section: name }, novalidate: true },
    h('div', { class: 'panel-head' }, h('h2', { 'data-i18n': title }, t(title))),
    hint ? h('p', { class: 'muted', 'data-i18n': hint }, t(hint)) : null,
    body,
    h('div', { class: 'form-actions' }, admin ? save : null, admin ? back : null, source),
    admin ? null : h('p', { class: 'hint', 'data-i18n': 'form.read_only' }, t('form.read_only')),
    error,
    ok,
  );
  let view = null;
  let form = null;

  function draw(v) {
    view = v;
    form = build(structuredClone(v.value));
    fill(body, form.el);
    if (!admin) for (const el of body.querySelectorAll('input, select, textarea, button')) el.disabled = true;
    source.textContent = v.changed_at
      ? t('form.from_admin', { time: when(v.changed_at), by: v.changed_by ?? '' })
      : t('form.from_file');
    if (v.skipped) source.textContent += ` ${t('form.skipped', { why: v.skipped })}`;
    back.hidden = !v.changed_at;
  }

  async function send(method, value) {
    error.textContent = '';
    ok.textContent = '';
    save.disabled = true;
    back.disabled = true;
    try {
      const path = `/api/admin/settings/${name}`;
      const answer = method === 'PUT' ? await api('PUT', path, { value }) : await api('DELETE', path);
      await remember(answer.section);
      draw(answer.section);
      // The hall's time, as the server stamped the change (back to the file has no stamp).
      const at = answer.section.changed_at ? when(answer.section.changed_at).slice(-5) : '';
      ok.textContent = at ? t('form.saved', { time: at }) : t('form.saved_file');
      onSaved?.(answer.section);
    } catch (err) {
      if (!refused(err)) showRefusal(t, body, error, err);
    } finally {
      save.disabled = false;
      back.disabled = false;
    }
  }

  card.addEventListener('submit', (e) => e.preventDefault());
  save.addEventListener('click', () => {
    error.textContent = '';
    ok.textContent = '';
    if (!check(t, body, error)) return;
    const value = form.read();
    if (value === null) return;
    send('PUT', value);
  });
  back.addEventListener('click', () => {
    if (window.confirm(t('form.back_to_file.confirm'))) send('DELETE');
  });

  return {
    el: card,
    draw,
    /** Read the section afresh and draw it. */
    async load(refresh) {
      try {
        const all = await sections(refresh);
        draw(all[name]);
      } catch (err) {
        if (!refused(err)) error.textContent = errorText(t, err);
      }
    },
    relabel: () => view && draw(view),
    error,
  };
}
