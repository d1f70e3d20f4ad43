// The "Phản ánh" tab: the citizens' complaints (made on the ticket's phone page), newest
// first, with their state and due time (8 working hours, the hall's clock), overdue ones
// in red; the manager acknowledges and resolves them here (a note is kept in the hall).
// GET /api/complaints?state=, POST /api/complaints/{id}/acknowledge and /resolve.

import { api } from '/shared/api.js';
import { h } from '/shared/el.js';
import { errorText } from '/shared/i18n.js';

export function makeComplaints({ t, fmt, $, refused }) {
  const state = { filter: '', list: null, loading: false, today: null };

  function stateText(c) {
    if (c.state === 'resolved') return t('cp.state.resolved');
    if (c.state === 'acknowledged') return t('cp.state.acknowledged');
    return t(c.overdue ? 'cp.state.overdue' : 'cp.state.open');
  }

  function actions(c) {
    if (c.state === 'resolved') return c.note ? h('span', { class: 'cp-note' }, c.note) : null;
    const note = h('input', {
      type: 'text',
      class: 'cp-note-input',
      maxlength: 1000,
      'aria-label': t('cp.note.label', { id: c.id }),
      placeholder: t('cp.note'),
    });
    return h(
      'div',
      { class: 'cp-actions' },
      c.state === 'open'
        ? h(
            'button',
            {
              type: 'button',
              dataset: { action: 'cp-ack', id: c.id },
              onclick: () => act(c.id, 'acknowledge'),
            },
            t('cp.ack'),
          )
        : null,
      note,
      h(
        'button',
        {
          type: 'button',
          class: 'primary',
          dataset: { action: 'cp-resolve', id: c.id },
          onclick: () => act(c.id, 'resolve', { note: note.value.normalize('NFC').trim() || null }),
        },
        t('cp.resolve'),
      ),
    );
  }

  function render() {
    const list = state.list;
    $('#cp-empty').hidden = !list || list.length > 0;
    const rows = (list ?? []).map((c) =>
      h(
        'tr',
        { dataset: { id: c.id, state: c.state, overdue: String(c.overdue) } },
        h('td', { class: 'name' }, fmt.stamp(c.made_at, state.today)),
        h(
          'td',
          { class: 'name' },
          c.ticket,
          h('small', {}, ` · ${t.pick(c.service_name_vi, c.service_name_en)}`),
        ),
        h('td', { class: 'name' }, t(`cp.topic.${c.topic}`)),
        h('td', { class: 'name cp-text' }, c.text ?? ''),
        h('td', { class: 'name cp-due' }, fmt.stamp(c.due_at, state.today)),
        h('td', { class: 'name cp-state' }, stateText(c)),
        h('td', { class: 'name' }, actions(c)),
      ),
    );
    $('#cp-table tbody').replaceChildren(...rows);
  }

  async function load() {
    if (state.loading) return;
    state.loading = true;
    $('#cp-error').textContent = '';
    try {
      const path = state.filter
        ? `/api/complaints?state=${encodeURIComponent(state.filter)}`
        : '/api/complaints';
      const { complaints } = await api('GET', path);
      state.list = complaints;
      render();
    } catch (err) {
      if (!refused(err)) $('#cp-error').textContent = errorText(t, err);
    } finally {
      state.loading = false;
    }
  }

  async function act(id, what, body = {}) {
    $('#cp-error').textContent = '';
    try {
      await api('POST', `/api/complaints/${id}/${what}`, body);
    } catch (err) {
      if (refused(err)) return;
      $('#cp-error').textContent = errorText(t, err);
    }
    load();
  }

  $('#cp-filter').addEventListener('change', (e) => {
    state.filter = e.target.value;
    load();
  });
  $('#cp-refresh').addEventListener('click', load);

  return {
    /** The tab shows: read the list again. `today` is the hall's date, for the times. */
    open(today) {
      state.today = today;
      load();
    },
    render,
  };
}
