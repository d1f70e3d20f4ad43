// "Lĩnh vực": the hall's fields of procedures (`services`) in one table: names, number prefix,
// target wait, typical service time, the Decision 766 target, the kiosk's picture, and their
// order on the kiosk; a field added or removed. Saved as one change, applied at once.

import { fill, h } from '/shared/el.js';
import { markWrong, removeButton, sectionCard } from './settings.js';

export const roles = ['admin', 'manager'];

const ICONS = ['', 'family', 'house', 'care', 'stamp', 'shop', 'bridge', 'document'];

export const strings = {
  vi: {
    'fields.tab': 'Lĩnh vực',
    'fields.title': 'Lĩnh vực thủ tục',
    'fields.hint':
      'Thứ tự ở đây là thứ tự các nút trên máy lấy số. Mã lĩnh vực không đổi được sau khi tạo; bỏ một lĩnh vực chỉ được khi không còn ai chờ.',
    'fields.code': 'Mã',
    'fields.name_vi': 'Tên tiếng Việt',
    'fields.name_en': 'Tên tiếng Anh',
    'fields.prefix': 'Tiền tố số',
    'fields.target': 'Chờ mục tiêu (phút)',
    'fields.minutes': 'Phục vụ (phút)',
    'fields.satisfaction': 'Mục tiêu hài lòng (%)',
    'fields.quota': 'Số tối đa mỗi ngày (0: không giới hạn)',
    'fields.icon': 'Hình trên máy lấy số',
    'fields.order': 'Thứ tự',
    'fields.up': 'Lên trên: {name}',
    'fields.down': 'Xuống dưới: {name}',
    'fields.remove': 'Bỏ lĩnh vực {name}',
    'fields.add': 'Thêm lĩnh vực',
    'fields.new': 'Lĩnh vực mới',
    'fields.icon.auto': 'Tự chọn theo tên',
    'fields.icon.family': 'Gia đình (hộ tịch)',
    'fields.icon.house': 'Nhà đất',
    'fields.icon.care': 'Chăm sóc (xã hội)',
    'fields.icon.stamp': 'Con dấu (chứng thực)',
    'fields.icon.shop': 'Cửa hàng (kinh doanh)',
    'fields.icon.bridge': 'Cây cầu (hạ tầng)',
    'fields.icon.document': 'Giấy tờ',
    'fields.none': 'Bộ phận cần ít nhất một lĩnh vực.',
    'fields.code_taken': 'Mã «{code}» đã có.',
    'fields.code_bad': 'Mã lĩnh vực là 1–4 chữ cái hoặc chữ số, viết hoa.',
  },
  en: {
    'fields.tab': 'Fields',
    'fields.title': 'Fields of procedures',
    'fields.hint':
      'The order here is the order of the kiosk’s buttons. A field’s code cannot change once made; a field may go only when nobody waits in it.',
    'fields.code': 'Code',
    'fields.name_vi': 'Name in Vietnamese',
    'fields.name_en': 'Name in English',
    'fields.prefix': 'Number prefix',
    'fields.target': 'Target wait (min)',
    'fields.minutes': 'Service (min)',
    'fields.satisfaction': 'Satisfaction target (%)',
    'fields.quota': 'Numbers a day at most (0: no limit)',
    'fields.icon': 'Picture on the kiosk',
    'fields.order': 'Order',
    'fields.up': 'Move up: {name}',
    'fields.down': 'Move down: {name}',
    'fields.remove': 'Remove field {name}',
    'fields.add': 'Add a field',
    'fields.new': 'New field',
    'fields.icon.auto': 'From its name',
    'fields.icon.family': 'Family (civil status)',
    'fields.icon.house': 'House (land)',
    'fields.icon.care': 'Care (social affairs)',
    'fields.icon.stamp': 'Stamp (certification)',
    'fields.icon.shop': 'Shop (business)',
    'fields.icon.bridge': 'Bridge (infrastructure)',
    'fields.icon.document': 'Document',
    'fields.none': 'A hall needs at least one field.',
    'fields.code_taken': 'The code “{code}” is taken.',
    'fields.code_bad': 'A field’s code is 1–4 capital letters or digits.',
  },
};

const COLUMNS = [
  'fields.order',
  'fields.code',
  'fields.name_vi',
  'fields.name_en',
  'fields.prefix',
  'fields.target',
  'fields.minutes',
  'fields.satisfaction',
  'fields.quota',
  'fields.icon',
  '',
];

export function mount({ t, root, admin, refused }) {
  const card = sectionCard({
    t,
    admin,
    refused,
    name: 'services',
    title: 'fields.title',
    hint: 'fields.hint',
    build(list) {
      // Each row keeps the field's other settings (series, bookings, procedures) as they were.
      let rows = list.map((s) => ({ s, known: true }));
      const body = h('tbody');
      const add = h(
        'button',
        { type: 'button', class: 'secondary', 'data-action': 'add-field' },
        t('fields.add'),
      );
      const el = h(
        'div',
        {},
        h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { class: 'grid-table edit-table', id: 'fields-table' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                COLUMNS.map((k) => h('th', { scope: 'col', 'data-i18n': k || null }, k ? t(k) : '')),
              ),
            ),
            body,
          ),
        ),
        h('div', { class: 'form-actions' }, add),
      );
      const inputs = new Map();

      function draw() {
        inputs.clear();
        fill(
          body,
          rows.map((row, i) => {
            const { s } = row;
            const key = (k) => `services[${i}].${k}`;
            const name = s.name_vi || s.code || t('fields.new');
            const cell = (input, cls) => h('td', { class: cls }, input);
            const text = (k, v, { label, ...attrs }) =>
              h('input', { value: v ?? '', 'data-key': key(k), 'data-label': label, ...attrs });
            const num = (k, v, min, max, label) =>
              h('input', {
                type: 'number',
                min,
                max,
                step: 1,
                required: true,
                value: String(v ?? ''),
                'data-key': key(k),
                'data-label': label,
                'aria-label': `${t(label)} (${name})`,
              });
            const code = text('code', s.code, {
              readonly: row.known,
              required: true,
              maxlength: 4,
              label: 'fields.code',
              'aria-label': `${t('fields.code')} (${name})`,
            });
            const vi = text('name_vi', s.name_vi, {
              required: true,
              maxlength: 100,
              label: 'fields.name_vi',
              'aria-label': `${t('fields.name_vi')} (${name})`,
            });
            const en = text('name_en', s.name_en, {
              required: true,
              maxlength: 100,
              label: 'fields.name_en',
              'aria-label': `${t('fields.name_en')} (${name})`,
            });
            const prefix = text('prefix', s.prefix ?? '', {
              maxlength: 4,
              placeholder: s.code ?? '',
              label: 'fields.prefix',
              'aria-label': `${t('fields.prefix')} (${name})`,
            });
            const target = num('target_wait_minutes', s.target_wait_minutes, 1, 480, 'fields.target');
            const minutes = num('service_minutes', s.service_minutes, 1, 480, 'fields.minutes');
            const satisfaction = num(
              'satisfaction_target_percent',
              s.satisfaction_target_percent,
              1,
              100,
              'fields.satisfaction',
            );
            const quota = num('daily_quota', s.daily_quota ?? 0, 0, 99999, 'fields.quota');
            const icon = h(
              'select',
              { 'data-key': key('icon'), 'aria-label': `${t('fields.icon')} (${name})` },
              ICONS.map((v) =>
                h(
                  'option',
                  { value: v, selected: (s.icon ?? '') === v },
                  t(v ? `fields.icon.${v}` : 'fields.icon.auto'),
                ),
              ),
            );
            inputs.set(row, { code, vi, en, prefix, target, minutes, satisfaction, quota, icon });
            const move = (by) => {
              readAll();
              const j = i + by;
              [rows[i], rows[j]] = [rows[j], rows[i]];
              draw();
              body.querySelectorAll(`[data-action="${by < 0 ? 'up' : 'down'}"]`)[j]?.focus();
            };
            return h(
              'tr',
              { dataset: { code: s.code ?? '' } },
              h(
                'td',
                { class: 'nowrap' },
                h(
                  'button',
                  {
                    type: 'button',
                    class: 'secondary',
                    'data-action': 'up',
                    'aria-label': t('fields.up', { name }),
                    disabled: i === 0,
                    onclick: () => move(-1),
                  },
                  '↑',
                ),
                h(
                  'button',
                  {
                    type: 'button',
                    class: 'secondary',
                    'data-action': 'down',
                    'aria-label': t('fields.down', { name }),
                    disabled: i === rows.length - 1,
                    onclick: () => move(1),
                  },
                  '↓',
                ),
              ),
              cell(code, 'code'),
              cell(vi),
              cell(en),
              cell(prefix, 'code'),
              cell(target, 'num'),
              cell(minutes, 'num'),
              cell(satisfaction, 'num'),
              cell(quota, 'num'),
              cell(icon),
              h(
                'td',
                {},
                removeButton('remove-field', t('fields.remove', { name }), () => {
                  readAll();
                  rows = rows.filter((r) => r !== row);
                  draw();
                }),
              ),
            );
          }),
        );
      }

      /** What the inputs hold, into the rows (before the table is drawn again). */
      function readAll() {
        for (const row of rows) {
          const i = inputs.get(row);
          if (!i) continue;
          const prefix = i.prefix.value.trim().toUpperCase();
          row.s = {
            ...row.s,
            code: i.code.value.trim().toUpperCase(),
            name_vi: i.vi.value.trim().normalize('NFC'),
            name_en: i.en.value.trim(),
            prefix: prefix === '' ? undefined : prefix,
            target_wait_minutes: Number(i.target.value),
            service_minutes: Number(i.minutes.value),
            satisfaction_target_percent: Number(i.satisfaction.value),
            daily_quota: Number(i.quota.value),
            icon: i.icon.value || undefined,
          };
        }
      }

      add.addEventListener('click', () => {
        readAll();
        rows.push({
          s: {
            code: '',
            name_vi: '',
            name_en: '',
            target_wait_minutes: 15,
            service_minutes: 10,
            satisfaction_target_percent: 95,
          },
          known: false,
        });
        draw();
        inputs.get(rows[rows.length - 1])?.code.focus();
      });
      draw();

      return {
        el,
        read() {
          readAll();
          const error = card.error;
          if (rows.length === 0) {
            error.textContent = t('fields.none');
            return null;
          }
          const seen = new Set();
          for (const row of rows) {
            const input = inputs.get(row)?.code;
            const fail = (why) => markWrong(input, error, why);
            if (!/^[A-Z0-9]{1,4}$/.test(row.s.code)) return fail(t('fields.code_bad'));
            if (seen.has(row.s.code)) return fail(t('fields.code_taken', { code: row.s.code }));
            seen.add(row.s.code);
          }
          return rows.map((r) => JSON.parse(JSON.stringify(r.s)));
        },
      };
    },
  });
  root.append(card.el);
  return { open: () => card.load(true), relabel: () => card.relabel() };
}
