// "Quầy": the hall's counters and the fields each serves, in order of preference (`counters`).
// A counter's fields change during the day (the morning's land counter helps with
// certifications in the afternoon): saved, the counter calls from its new fields at its next
// call. A counter may go only while closed.

import { fill, h } from '/shared/el.js';
import { markWrong, removeButton, sectionCard, sections } from './settings.js';

export const roles = ['admin', 'manager'];

export const strings = {
  vi: {
    'counters.tab': 'Quầy',
    'counters.title': 'Quầy và lĩnh vực phục vụ',
    'counters.hint':
      'Mỗi quầy phục vụ các lĩnh vực theo thứ tự ưu tiên (lựa chọn 1 trước). Thay đổi áp dụng ngay, từ lần gọi số tiếp theo.',
    'counters.no': 'Số quầy',
    'counters.choice': 'Lựa chọn {n}',
    'counters.choice.none': '— không —',
    'counters.remove': 'Bỏ quầy {no}',
    'counters.add': 'Thêm quầy',
    'counters.need_field': 'Quầy {no} phải phục vụ ít nhất một lĩnh vực.',
    'counters.twice': 'Quầy {no} chọn lĩnh vực {code} hai lần.',
    'counters.no_taken': 'Số quầy {no} bị trùng.',
    'counters.none': 'Bộ phận cần ít nhất một quầy.',
  },
  en: {
    'counters.tab': 'Counters',
    'counters.title': 'Counters and the fields they serve',
    'counters.hint':
      'Each counter serves its fields in order of preference (choice 1 first). A change applies at once, from the counter’s next call.',
    'counters.no': 'Counter number',
    'counters.choice': 'Choice {n}',
    'counters.choice.none': '— none —',
    'counters.remove': 'Remove counter {no}',
    'counters.add': 'Add a counter',
    'counters.need_field': 'Counter {no} must serve at least one field.',
    'counters.twice': 'Counter {no} has field {code} twice.',
    'counters.no_taken': 'Counter number {no} is used twice.',
    'counters.none': 'A hall needs at least one counter.',
  },
};

export function mount({ t, root, admin, refused }) {
  let fields = [];
  const card = sectionCard({
    t,
    admin,
    refused,
    name: 'counters',
    title: 'counters.title',
    hint: 'counters.hint',
    build(list) {
      let rows = list.map((c) => ({ no: c.no, services: [...c.services] }));
      const choices = Math.max(1, Math.min(fields.length, 6));
      const body = h('tbody');
      const add = h(
        'button',
        { type: 'button', class: 'secondary', 'data-action': 'add-counter' },
        t('counters.add'),
      );
      const inputs = new Map();
      const el = h(
        'div',
        {},
        h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { class: 'grid-table edit-table', id: 'counters-table' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                h('th', { scope: 'col' }, t('counters.no')),
                Array.from({ length: choices }, (_, n) =>
                  h('th', { scope: 'col' }, t('counters.choice', { n: n + 1 })),
                ),
                h('th', { scope: 'col' }),
              ),
            ),
            body,
          ),
        ),
        h('div', { class: 'form-actions' }, add),
      );

      function draw() {
        inputs.clear();
        fill(
          body,
          rows.map((row, i) => {
            const no = h('input', {
              type: 'number',
              min: 1,
              max: 99,
              step: 1,
              required: true,
              value: String(row.no ?? ''),
              'data-key': `counters[${i}].no`,
              'data-label': 'counters.no',
              'aria-label': `${t('counters.no')} (${row.no ?? ''})`,
            });
            const picks = Array.from({ length: choices }, (_, n) =>
              h(
                'select',
                {
                  'data-key': `counters[${i}].services`,
                  'aria-label': `${t('counters.choice', { n: n + 1 })} (${t('counters.no')} ${row.no ?? ''})`,
                },
                h('option', { value: '' }, t('counters.choice.none')),
                fields.map((f) =>
                  h(
                    'option',
                    { value: f.code, selected: row.services[n] === f.code },
                    `${f.code} · ${t.pick(f.name_vi, f.name_en)}`,
                  ),
                ),
              ),
            );
            inputs.set(row, { no, picks });
            return h(
              'tr',
              { dataset: { no: String(row.no ?? '') } },
              h('td', { class: 'num' }, no),
              picks.map((p) => h('td', {}, p)),
              h(
                'td',
                {},
                removeButton('remove-counter', t('counters.remove', { no: row.no ?? '' }), () => {
                  readAll();
                  rows = rows.filter((r) => r !== row);
                  draw();
                }),
              ),
            );
          }),
        );
      }

      function readAll() {
        for (const row of rows) {
          const i = inputs.get(row);
          if (!i) continue;
          row.no = Number(i.no.value);
          row.services = i.picks.map((p) => p.value).filter(Boolean);
        }
      }

      add.addEventListener('click', () => {
        readAll();
        const next = Math.max(0, ...rows.map((r) => r.no || 0)) + 1;
        rows.push({ no: next, services: fields.length ? [fields[0].code] : [] });
        draw();
        inputs.get(rows[rows.length - 1])?.picks[0].focus();
      });
      draw();

      return {
        el,
        read() {
          readAll();
          const error = card.error;
          if (rows.length === 0) {
            error.textContent = t('counters.none');
            return null;
          }
          const numbers = new Set();
          for (const row of rows) {
            const i = inputs.get(row);
            const fail = (input, why) => markWrong(input, error, why);
            if (numbers.has(row.no)) return fail(i?.no, t('counters.no_taken', { no: row.no }));
            numbers.add(row.no);
            if (row.services.length === 0) return fail(i?.picks[0], t('counters.need_field', { no: row.no }));
            const twice = row.services.find((c, k) => row.services.indexOf(c) !== k);
            if (twice)
              return fail(
                i?.picks[row.services.lastIndexOf(twice)],
                t('counters.twice', { no: row.no, code: twice }),
              );
          }
          return rows.map((r) => ({ no: r.no, services: r.services }));
        },
      };
    },
  });
  root.append(card.el);
  return {
    async open() {
      try {
        fields = (await sections(true)).services?.value ?? [];
      } catch (err) {
        refused(err);
      }
      await card.load(false);
    },
    relabel: () => card.relabel(),
  };
}
