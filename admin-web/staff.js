// The staff area ("Cán bộ"): every account with its role and state; add one with a role and
// a password; disable and enable; change a role; reset a password. Each is one request to
// the API (/api/users…), audited by the server; the list is read again after each.
//
// Hooks for browser tests: #staff-table tr[data-user=NAME][data-role][data-state=active|disabled]
// with select.staff-role and button[data-action=role|disable|enable|reset]; #staff-add-name,
// #staff-add-role, #staff-add-password, button[data-action=staff-add]; #staff-reset-user,
// #staff-reset-password, button[data-action=staff-reset]; #staff-status[data-kind=ok|error].

import { api } from '/shared/api.js';
import { fill, h } from '/shared/el.js';
import { applyStatic, errorText } from '/shared/i18n.js';
import { strings } from './staff-strings.js';

export { strings };
export const roles = ['admin'];

const ROLES = ['clerk', 'manager', 'admin'];

/** `2026-11-25T08:00:00+07:00` as `25/11/2026 08:00`. */
const when = (rfc) => {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}:\d{2})/.exec(rfc ?? '');
  return m ? `${m[3]}/${m[2]}/${m[1]} ${m[4]}` : (rfc ?? '');
};

export function mount({ t, root, user, refused }) {
  let users = [];
  const status = h('p', { id: 'staff-status', class: 'status-line', role: 'status' });
  const body = h('tbody');
  const refresh = h('button', { type: 'button', class: 'secondary', 'data-i18n': 'staff.refresh' });

  const roleOptions = (selected) =>
    ROLES.map((r) => h('option', { value: r, selected: r === selected }, t(`staff.role.${r}`)));

  // Adding.
  const addName = h('input', {
    id: 'staff-add-name',
    autocomplete: 'off',
    autocapitalize: 'off',
    spellcheck: 'false',
    required: true,
    maxlength: 64,
  });
  const addRole = h('select', { id: 'staff-add-role' });
  const addPassword = h('input', {
    id: 'staff-add-password',
    type: 'password',
    autocomplete: 'new-password',
    required: true,
    'aria-describedby': 'staff-add-hint',
  });
  const addButton = h('button', {
    type: 'submit',
    class: 'primary',
    'data-action': 'staff-add',
    'data-i18n': 'staff.add.submit',
  });
  const addForm = h(
    'form',
    { class: 'card panel', id: 'staff-add' },
    h('h3', { 'data-i18n': 'staff.add.title' }),
    h(
      'div',
      { class: 'form-grid' },
      h('label', {}, h('span', { 'data-i18n': 'staff.name' }), addName),
      h('label', {}, h('span', { 'data-i18n': 'staff.role' }), addRole),
      h('label', {}, h('span', { 'data-i18n': 'staff.password' }), addPassword),
    ),
    h('p', { class: 'hint', id: 'staff-add-hint', 'data-i18n': 'staff.password.hint' }),
    h('div', { class: 'form-actions' }, addButton),
  );

  // Resetting a password.
  const resetUser = h('select', { id: 'staff-reset-user' });
  const resetPassword = h('input', {
    id: 'staff-reset-password',
    type: 'password',
    autocomplete: 'new-password',
    required: true,
    'aria-describedby': 'staff-reset-hint',
  });
  const resetButton = h('button', {
    type: 'submit',
    class: 'primary',
    'data-action': 'staff-reset',
    'data-i18n': 'staff.reset.submit',
  });
  const resetForm = h(
    'form',
    { class: 'card panel', id: 'staff-reset' },
    h('h3', { 'data-i18n': 'staff.reset.title' }),
    h(
      'div',
      { class: 'form-grid' },
      h('label', {}, h('span', { 'data-i18n': 'staff.reset.who' }), resetUser),
      h('label', {}, h('span', { 'data-i18n': 'staff.reset.new' }), resetPassword),
    ),
    h(
      'p',
      { class: 'hint', id: 'staff-reset-hint' },
      h('span', { 'data-i18n': 'staff.reset.hint' }),
      ' ',
      h('span', { 'data-i18n': 'staff.password.hint' }),
    ),
    h('div', { class: 'form-actions' }, resetButton),
  );

  fill(
    root,
    h(
      'div',
      { class: 'card panel' },
      h('div', { class: 'panel-head' }, h('h2', { 'data-i18n': 'staff.title' }), refresh),
      h('p', { class: 'muted', 'data-i18n': 'staff.hint' }),
      status,
      h(
        'div',
        { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': 'tab-staff' },
        h(
          'table',
          { class: 'grid-table', id: 'staff-table' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['staff.name', 'staff.role', 'staff.state', 'staff.added', 'staff.actions'].map((k) =>
                h('th', { scope: 'col', 'data-i18n': k }),
              ),
            ),
          ),
          body,
        ),
      ),
    ),
    addForm,
    resetForm,
  );
  applyStatic(t, root);

  const say = (kind, text) => {
    status.dataset.kind = kind;
    status.textContent = text;
  };

  /** Run a request; say what came of it; read the list again. */
  async function act(button, request, done) {
    if (button) button.disabled = true;
    try {
      const answer = await request();
      say('ok', done(answer));
      await load();
      return true;
    } catch (err) {
      if (!refused(err)) say('error', errorText(t, err));
      return false;
    } finally {
      if (button) button.disabled = false;
    }
  }

  function row(u) {
    const me = u.name === user?.name;
    const role = h(
      'select',
      { class: 'staff-role', 'aria-label': t('staff.role_of', { name: u.name }), disabled: me },
      roleOptions(u.role),
    );
    const saveRole = h(
      'button',
      { type: 'button', class: 'secondary', 'data-action': 'role', disabled: me },
      t('staff.save_role'),
    );
    saveRole.addEventListener('click', () =>
      act(
        saveRole,
        () => api('POST', `/api/users/${u.id}/role`, { role: role.value }),
        (a) => t('staff.done.role', { name: a.user.name, role: t(`staff.role.${a.user.role}`) }),
      ),
    );
    const toggle = u.disabled_at
      ? h('button', { type: 'button', class: 'secondary', 'data-action': 'enable' }, t('staff.enable'))
      : h(
          'button',
          { type: 'button', class: 'danger-button', 'data-action': 'disable', disabled: me },
          t('staff.disable'),
        );
    toggle.addEventListener('click', () =>
      act(
        toggle,
        () => api('POST', `/api/users/${u.id}/${u.disabled_at ? 'enable' : 'disable'}`, {}),
        (a) => t(a.user.disabled_at ? 'staff.done.disabled' : 'staff.done.enabled', { name: a.user.name }),
      ),
    );
    const reset = h(
      'button',
      { type: 'button', class: 'secondary', 'data-action': 'reset' },
      t('staff.reset'),
    );
    reset.addEventListener('click', () => {
      resetUser.value = String(u.id);
      resetPassword.focus();
    });
    return h(
      'tr',
      { dataset: { user: u.name, role: u.role, state: u.disabled_at ? 'disabled' : 'active' } },
      h('td', {}, u.name, me ? ` ${t('staff.you')}` : ''),
      h('td', {}, h('div', { class: 'form-actions tight' }, role, saveRole)),
      h('td', {}, u.disabled_at ? t('staff.disabled_at', { time: when(u.disabled_at) }) : t('staff.active')),
      h('td', { class: 'nowrap' }, when(u.created_at)),
      h('td', {}, h('div', { class: 'form-actions tight' }, toggle, reset)),
    );
  }

  function draw() {
    fill(addRole, roleOptions(addRole.value || 'clerk'));
    const chosen = resetUser.value;
    fill(
      resetUser,
      users.map((u) => h('option', { value: String(u.id) }, u.name)),
    );
    if (chosen) resetUser.value = chosen;
    fill(
      body,
      users.length ? users.map(row) : h('tr', {}, h('td', { colspan: '5', class: 'muted' }, t('staff.none'))),
    );
  }

  async function load() {
    try {
      users = (await api('GET', '/api/users')).users;
      draw();
    } catch (err) {
      if (!refused(err)) say('error', errorText(t, err));
    }
  }

  addForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const ok = await act(
      addButton,
      () =>
        api('POST', '/api/users', {
          name: addName.value.trim(),
          role: addRole.value,
          password: addPassword.value,
        }),
      (a) => t('staff.done.added', { name: a.user.name, role: t(`staff.role.${a.user.role}`) }),
    );
    addPassword.value = '';
    if (ok) addName.value = '';
  });
  resetForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    await act(
      resetButton,
      () => api('POST', `/api/users/${resetUser.value}/password`, { password: resetPassword.value }),
      (a) => t('staff.done.password', { name: a.user.name }),
    );
    resetPassword.value = '';
  });
  refresh.addEventListener('click', load);
  return { open: load, relabel: draw };
}
