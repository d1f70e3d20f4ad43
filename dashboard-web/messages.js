// "Nói với sảnh / Speak to the hall": a manager's message to everyone waiting (every phone and
// the hall TV) or to one field's queue, in Vietnamese (English optional), shown for so many
// minutes (POST /api/messages); the messages up now, each with "Thu hồi" (withdraw). Read with
// the Now tab's figures.

import { api } from '/shared/api.js';
import { fill, h } from '/shared/el.js';
import { errorText } from '/shared/i18n.js';

export function makeMessages({ t, $ }) {
  let list = null;
  let fields = []; // [{code, name_vi, name_en}]

  function fillFields() {
    const select = $('#msg-field');
    const chosen = select.value;
    fill(
      select,
      h('option', { value: '' }, t('msg.everyone')),
      fields.map((f) => h('option', { value: f.code }, `${f.code} · ${t.pick(f.name_vi, f.name_en)}`)),
    );
    select.value = chosen;
  }

  function render() {
    fillFields();
    if (!list) return;
    $('#msg-none').hidden = list.length > 0;
    fill(
      $('#msg-list'),
      list.map((m) => {
        const to = m.service ? t.pick(m.service_name_vi, m.service_name_en) : t('msg.everyone');
        const until = (m.expires_at ?? '').slice(11, 16);
        return h(
          'li',
          { dataset: { id: m.id } },
          h('span', {}, h('b', {}, `${to}: `), t.pick(m.text_vi, m.text_en || m.text_vi)),
          h('span', { class: 'muted' }, ` ${t('msg.until', { at: m.posted_at, until })} `),
          h(
            'button',
            {
              type: 'button',
              'aria-label': t('msg.withdrawOf', { text: m.text_vi }),
              onclick: () => withdraw(m.id),
            },
            t('msg.withdraw'),
          ),
        );
      }),
    );
  }

  async function refresh() {
    list = (await api('GET', '/api/messages')).messages;
    render();
  }

  async function withdraw(id) {
    try {
      list = (await api('POST', `/api/messages/${id}/withdraw`)).messages;
      $('#msg-error').textContent = '';
      render();
    } catch (err) {
      $('#msg-error').textContent = errorText(t, err);
    }
  }

  async function send(e) {
    e.preventDefault();
    const body = {
      service: $('#msg-field').value || null,
      text_vi: $('#msg-vi').value.normalize('NFC'),
      text_en: $('#msg-en').value.normalize('NFC') || null,
      minutes: Number($('#msg-minutes').value) || 30,
    };
    try {
      await api('POST', '/api/messages', body);
      $('#msg-error').textContent = '';
      $('#msg-vi').value = '';
      $('#msg-en').value = '';
      await refresh();
    } catch (err) {
      $('#msg-error').textContent = errorText(t, err);
    }
  }

  return {
    wire() {
      $('#msg-form').addEventListener('submit', send);
    },
    async load() {
      try {
        fields = (await api('GET', '/api/services')).services ?? [];
      } catch {
        /* the list of fields comes with the next reading */
      }
      render();
    },
    refresh,
    render,
  };
}
