// The audit list ("Nhật ký thay đổi"): every change of the hall's set-up, newest first, with
// who made it and the value before and after (GET /api/audit, 50 a page).

import { api } from '/shared/api.js';
import { fill, h } from '/shared/el.js';
import { errorText } from '/shared/i18n.js';

export const roles = ['admin', 'manager'];

export const strings = {
  vi: {
    'audit.tab': 'Nhật ký thay đổi',
    'audit.title': 'Nhật ký thay đổi cấu hình',
    'audit.hint':
      'Mọi thay đổi về lĩnh vực, quầy, cán bộ, thiết bị và cài đặt của bộ phận một cửa: ai sửa, sửa gì, trước và sau.',
    'audit.at': 'Thời gian',
    'audit.by': 'Người sửa',
    'audit.subject': 'Mục',
    'audit.action': 'Thao tác',
    'audit.change': 'Trước → sau',
    'audit.none': 'Chưa có thay đổi nào.',
    'audit.more': 'Xem các thay đổi cũ hơn',
    'audit.refresh': 'Làm mới',
    'audit.before': 'Trước',
    'audit.after': 'Sau',
    'audit.action.changed': 'Sửa',
    'audit.action.added': 'Thêm',
    'audit.action.removed': 'Xóa',
    'audit.action.reset': 'Trở về tệp cấu hình',
    'audit.action.disabled': 'Khóa',
    'audit.action.enabled': 'Mở khóa',
    'audit.action.password_reset': 'Đặt lại mật khẩu',
    'audit.action.role_changed': 'Đổi vai trò',
    'audit.action.paired': 'Ghép thiết bị',
    'audit.action.revoked': 'Thu hồi',
  },
  en: {
    'audit.tab': 'Audit log',
    'audit.title': 'Changes of set-up',
    'audit.hint':
      'Every change of the hall’s fields, counters, staff, devices and settings: who, what, before and after.',
    'audit.at': 'Time',
    'audit.by': 'By',
    'audit.subject': 'What',
    'audit.action': 'Action',
    'audit.change': 'Before → after',
    'audit.none': 'No changes yet.',
    'audit.more': 'Show older changes',
    'audit.refresh': 'Refresh',
    'audit.before': 'Before',
    'audit.after': 'After',
    'audit.action.changed': 'Changed',
    'audit.action.added': 'Added',
    'audit.action.removed': 'Removed',
    'audit.action.reset': 'Back to the settings file',
    'audit.action.disabled': 'Disabled',
    'audit.action.enabled': 'Enabled',
    'audit.action.password_reset': 'Password reset',
    'audit.action.role_changed': 'Role changed',
    'audit.action.paired': 'Device paired',
    'audit.action.revoked': 'Revoked',
  },
};

/** `2026-11-25T08:00:00+07:00` as `25/11/2026 08:00:00`. */
const when = (rfc) => {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}:\d{2}:\d{2})/.exec(rfc ?? '');
  return m ? `${m[3]}/${m[2]}/${m[1]} ${m[4]}` : (rfc ?? '');
};

/**
 * What changed between two values, as lines `key: before → after` (only the keys that differ,
 * one level down into objects and lists), or the whole value when there is no before/after.
 */
export function differences(before, after, path = '') {
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  const isObj = (v) => v !== null && typeof v === 'object';
  // A list of fields or counters: each by its code or number, not its place in the list.
  const named = (list) =>
    Array.isArray(list) && list.every((x) => isObj(x) && (x.code !== undefined || x.no !== undefined))
      ? Object.fromEntries(list.map((x) => [x.code ?? `#${x.no}`, x]))
      : list;
  if (Array.isArray(before) && Array.isArray(after)) {
    [before, after] = [named(before), named(after)];
  }
  if (isObj(before) && isObj(after) && path.split('.').length < 4) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((k) => differences(before[k], after[k], path ? `${path}.${k}` : k));
  }
  const show = (v) => (v === undefined ? '∅' : typeof v === 'string' ? v : JSON.stringify(v));
  return [{ path, before: show(before), after: show(after) }];
}

export function mount({ t, root, refused }) {
  const body = h('tbody');
  const status = h('p', { class: 'status-line', role: 'status' });
  const more = h(
    'button',
    { type: 'button', class: 'secondary', hidden: true, 'data-i18n': 'audit.more' },
    t('audit.more'),
  );
  const refresh = h(
    'button',
    { type: 'button', class: 'secondary', 'data-i18n': 'audit.refresh' },
    t('audit.refresh'),
  );
  let next = null;
  let entries = [];

  fill(
    root,
    h(
      'div',
      { class: 'card panel' },
      h('div', { class: 'panel-head' }, h('h2', { 'data-i18n': 'audit.title' }, t('audit.title')), refresh),
      h('p', { class: 'muted', 'data-i18n': 'audit.hint' }, t('audit.hint')),
      status,
      h(
        'div',
        { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': 'tab-audit' },
        h(
          'table',
          { class: 'grid-table audit-table', id: 'audit-table' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['audit.at', 'audit.by', 'audit.subject', 'audit.action', 'audit.change'].map((k) =>
                h('th', { scope: 'col', 'data-i18n': k }, t(k)),
              ),
            ),
          ),
          body,
        ),
      ),
      more,
    ),
  );

  const actionText = (a) => (t.has(`audit.action.${a}`) ? t(`audit.action.${a}`) : a);

  function row(e) {
    const lines = differences(e.before ?? undefined, e.after ?? undefined);
    return h(
      'tr',
      { dataset: { seq: e.seq, subject: e.subject } },
      h('td', { class: 'nowrap' }, when(e.at)),
      h('td', {}, e.by),
      h('td', {}, h('code', {}, e.subject)),
      h('td', {}, actionText(e.action)),
      h(
        'td',
        { class: 'audit-change' },
        lines.map((l) =>
          h(
            'div',
            { class: 'diff' },
            l.path ? h('span', { class: 'diff-key' }, `${l.path}: `) : null,
            h('del', {}, l.before),
            ' → ',
            h('ins', {}, l.after),
          ),
        ),
      ),
    );
  }

  function draw() {
    fill(
      body,
      entries.length
        ? entries.map(row)
        : h('tr', {}, h('td', { colspan: '5', class: 'muted' }, t('audit.none'))),
    );
    more.hidden = next === null;
  }

  async function load(reset) {
    status.textContent = '';
    try {
      const q = new URLSearchParams({ limit: '50' });
      if (!reset && next !== null) q.set('before', String(next));
      const page = await api('GET', `/api/audit?${q}`);
      entries = reset ? page.entries : entries.concat(page.entries);
      next = page.next_before;
      draw();
    } catch (err) {
      if (!refused(err)) status.textContent = errorText(t, err);
    }
  }

  refresh.addEventListener('click', () => load(true));
  more.addEventListener('click', () => load(false));
  return { open: () => load(true), relabel: draw };
}
