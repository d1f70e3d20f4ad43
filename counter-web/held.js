// "Tạm gác": the tickets this counter put aside while their citizens complete their dossiers
// ("đi bổ sung hồ sơ"). A citizen back with the missing paper is called back here at once,
// keeping their turn: the ticket is not in the queue. The list comes from
// GET /api/tickets?status=held (read with the day's counts); holds lapse at the day's end.

import { h } from '/shared/el.js';

export function makeHeld({ t, $, state, fieldName, mayCall, callBack }) {
  let tickets = [];
  let drawn = '';

  /** "08:05" from the hall's local time stamp. */
  const time = (iso) => (typeof iso === 'string' && iso.length >= 16 ? iso.slice(11, 16) : '');

  function render() {
    const box = $('#held-box');
    if (!box) return;
    const shown = tickets.filter((tk) => tk.status === 'held' && tk.counter === state.no);
    const callable = mayCall();
    // Not drawn again unless it changed: a button is not replaced under the clerk's mouse.
    const key = JSON.stringify([t.lang(), callable, shown.map((tk) => tk.id)]);
    if (key === drawn) return;
    drawn = key;
    box.hidden = shown.length === 0;
    $('#held-count').textContent = shown.length;
    $('#held').replaceChildren(
      ...shown.map((tk) =>
        h(
          'li',
          { dataset: { ticketId: tk.id } },
          h('span', { class: 'code' }, tk.code),
          h(
            'span',
            { class: 'what' },
            h('span', { class: 'name' }, fieldName(tk.service)),
            h('span', { class: 'muted' }, t('held.since', { time: time(tk.called_at) })),
          ),
          h(
            'span',
            { class: 'moves' },
            h(
              'button',
              {
                type: 'button',
                dataset: { action: 'call-back' },
                disabled: !callable,
                title: callable ? '' : t('held.busy'),
                onclick: () => callBack(tk),
              },
              t('held.callBack'),
            ),
          ),
        ),
      ),
    );
  }

  return {
    /** Today's held tickets (any counter: the list keeps ours). */
    set(list) {
      tickets = list ?? [];
      render();
    },
    has: (id) => tickets.some((tk) => tk.id === id),
    render,
  };
}
