// "Quy tắc trong ngày": the day's rules, edited live (GET /api/admin/settings, PUT
// /api/admin/settings/{section}): when numbers are given ([hours]: following the calendar,
// the cut-off before each close, the last issuing time, the weekdays with their own hours)
// and the calls' rules ([queue]: recalls' gap, the hall's own absence after N calls, holds
// per counter). Each section is sent whole, the keys this area does not show as they are.
// Fields' daily quotas are the fields' area's (services[].daily_quota).

import { api } from '/shared/api.js';
import { fill, h } from '/shared/el.js';
import { errorText } from '/shared/i18n.js';
import { strings as texts } from './rules-strings.js';

export const roles = ['admin', 'manager'];
export const strings = texts;

const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

/** The inputs of one section: [key, kind, {min, max}]. */
const HOURS = [
  ['follow_calendar', 'check'],
  ['stop_before_close_minutes', 'number', { min: 0, max: 240 }],
  ['last_issue', 'time'],
];
const QUEUE = [
  ['recall_gap_minutes', 'number', { min: 0, max: 60 }],
  ['absent_after_calls', 'number', { min: 0, max: 10 }],
  ['holds_per_counter', 'number', { min: 0, max: 20 }],
];

export function mount({ t, root, user, refused }) {
  const admin = user?.role === 'admin';
  const sections = new Map();

  /** One input, labelled, with its hint. */
  function input(section, [key, kind, range = {}]) {
    const id = `rules-${section}-${key}`;
    const attrs = { id, name: key, disabled: !admin, 'aria-describedby': `${id}-hint` };
    const field =
      kind === 'check'
        ? h('input', { ...attrs, type: 'checkbox' })
        : kind === 'time'
          ? h('input', { ...attrs, type: 'time', step: 60 })
          : h('input', {
              ...attrs,
              type: 'number',
              inputmode: 'numeric',
              min: range.min,
              max: range.max,
              step: 1,
            });
    const hint = h('small', { id: `${id}-hint`, class: 'hint' }, t(`rules.${section}.${key}.hint`));
    // A checkbox before its words, as the other areas draw one.
    if (kind === 'check')
      return h(
        'label',
        { class: 'check', for: id },
        field,
        h('span', {}, t(`rules.${section}.${key}`)),
        hint,
      );
    return h('label', { for: id }, h('span', {}, t(`rules.${section}.${key}`)), field, hint);
  }

  /** The weekdays with their own spans: one text box each, empty for the usual hours. */
  function weekdayInputs() {
    return WEEKDAYS.map((d) => {
      const id = `rules-hours-weekday-${d}`;
      return h(
        'label',
        { for: id },
        h('span', {}, t(`rules.weekday.${d}`)),
        h('input', {
          id,
          name: `weekday-${d}`,
          disabled: !admin,
          placeholder: t('rules.hours.weekdays.placeholder'),
          'aria-describedby': 'rules-weekdays-hint',
        }),
      );
    });
  }

  function form(section, inputs, extra) {
    const status = h('p', { class: 'source', 'data-rules-source': section });
    const message = h('p', { class: 'form-error', role: 'alert', 'data-rules-message': section });
    const el = h(
      'form',
      { class: 'panel', 'data-rules': section, novalidate: true },
      h('h3', {}, t(`rules.${section}.title`)),
      h('p', { class: 'hint' }, t(`rules.${section}.hint`)),
      h(
        'div',
        { class: 'form-grid' },
        inputs.map((i) => input(section, i)),
      ),
      extra ?? null,
      h(
        'div',
        { class: 'form-actions' },
        h(
          'button',
          { type: 'submit', class: 'primary', disabled: !admin, 'data-action': `rules-save-${section}` },
          t('form.save'),
        ),
        status,
      ),
      message,
      admin ? null : h('p', { class: 'hint' }, t('form.read_only')),
    );
    el.addEventListener('submit', (e) => {
      e.preventDefault();
      save(section);
    });
    sections.set(section, { el, inputs, status, message, value: null });
    return el;
  }

  /** What the form says, over the section as it runs (the keys not shown kept). */
  function edited(section) {
    const s = sections.get(section);
    const value = { ...(s.value ?? {}) };
    for (const [key, kind] of s.inputs) {
      const el = s.el.elements[key];
      if (kind === 'check') value[key] = el.checked;
      else if (kind === 'time') value[key] = el.value ? el.value.slice(0, 5) : '';
      else value[key] = el.value === '' ? Number.NaN : Number(el.value);
    }
    if (section === 'hours') {
      const days = {};
      for (const d of WEEKDAYS) {
        const spans = s.el.elements[`weekday-${d}`].value
          .split(',')
          .map((x) => x.trim().replace(/\s+/g, ''))
          .filter(Boolean);
        if (spans.length) days[d] = spans;
      }
      value.weekdays = days;
    }
    return value;
  }

  /** Numbers in range, before the server is asked (it checks again, as for the file). */
  function invalid(section, value) {
    for (const [key, kind, range] of sections.get(section).inputs) {
      if (kind !== 'number') continue;
      const n = value[key];
      if (!Number.isInteger(n) || n < range.min || n > range.max) {
        return { key, text: t('rules.invalid.range', { label: t(`rules.${section}.${key}`), ...range }) };
      }
    }
    return null;
  }

  function show(view) {
    const s = sections.get(view.section);
    if (!s) return;
    s.value = view.value ?? {};
    for (const [key, kind] of s.inputs) {
      const el = s.el.elements[key];
      el.removeAttribute('aria-invalid');
      if (kind === 'check') el.checked = Boolean(s.value[key]);
      else el.value = s.value[key] ?? '';
    }
    if (view.section === 'hours') {
      for (const d of WEEKDAYS)
        s.el.elements[`weekday-${d}`].value = (s.value.weekdays?.[d] ?? []).join(', ');
    }
    s.status.textContent = view.changed_at
      ? t('form.from_admin', { time: view.changed_at.slice(11, 16), by: view.changed_by ?? '' })
      : t('form.from_file');
  }

  async function save(section) {
    const s = sections.get(section);
    const value = edited(section);
    const bad = invalid(section, value);
    s.message.className = 'form-error';
    if (bad) {
      s.el.elements[bad.key].setAttribute('aria-invalid', 'true');
      s.message.textContent = bad.text;
      return;
    }
    s.message.textContent = t('form.saving');
    try {
      const answer = await api('PUT', `/api/admin/settings/${section}`, { value });
      show(answer.section);
      s.message.className = 'form-ok';
      s.message.textContent = t('form.saved', { time: new Date().toTimeString().slice(0, 5) });
    } catch (err) {
      if (refused(err)) return;
      // A value the server refused: its message names the key and why, as for the file.
      s.message.textContent =
        err.code === 'bad_setting' ? t('rules.refused', { why: err.message }) : errorText(t, err);
    }
  }

  async function load() {
    try {
      const answer = await api('GET', '/api/admin/settings');
      for (const view of answer.sections ?? []) show(view);
      for (const [name, s] of sections) {
        const live = (answer.sections ?? []).some((v) => v.section === name);
        s.el.hidden = !live;
      }
    } catch (err) {
      if (!refused(err)) fill(root.querySelector('.rules-error'), errorText(t, err));
    }
  }

  fill(
    root,
    h('h2', {}, t('rules.title')),
    h('p', { class: 'hint' }, t('rules.hint')),
    h('p', { class: 'form-error rules-error', role: 'alert' }),
    form(
      'hours',
      HOURS,
      h(
        'fieldset',
        { class: 'weekdays' },
        h('legend', {}, t('rules.hours.weekdays')),
        h('p', { id: 'rules-weekdays-hint', class: 'hint' }, t('rules.hours.weekdays.hint')),
        h('div', { class: 'form-grid' }, weekdayInputs()),
      ),
    ),
    form('queue', QUEUE),
    h('p', { class: 'hint' }, t('rules.quota.where')),
  );
  return { open: load };
}
