// "Vắng mặt gần đây": today's absences in the console's fields that may still be undone
// (queue.absent_undo_minutes). A citizen back from the photocopier is called again at
// this counter at once, or sent back to the front of the queue with their original place.
// The list comes from GET /api/tickets?status=absent (read with the day's counts), and
// drops each ticket when its window closes.

import { clock } from '/shared/clock.js';
import { h } from '/shared/el.js';

export function makeAbsents({ t, $, state, fieldName, mayCall, undo }) {
  let tickets = [];
  let drawn = '';

  /** Minutes left to undo (rounded up), or 0 when the window has closed. */
  function minutesLeft(tk) {
    const at = Date.parse(tk.finished_at);
    if (Number.isNaN(at)) return 0;
    const left = at + state.undoMinutes * 60_000 - clock.now();
    return left > 0 ? Math.ceil(left / 60_000) : 0;
  }

  /** "08:05" from the hall's local time stamp. */
  const time = (iso) => (typeof iso === 'string' && iso.length >= 16 ? iso.slice(11, 16) : '');

  function render() {
    const box = $('#absent-box');
    if (!box) return;
    const fields = state.counter?.services ?? [];
    const shown = tickets
      .filter((tk) => tk.status === 'absent' && fields.includes(tk.service))
      .map((tk) => ({ tk, left: minutesLeft(tk) }))
      .filter((x) => x.left > 0)
      .sort((a, b) => Date.parse(b.tk.finished_at) - Date.parse(a.tk.finished_at));
    const callable = mayCall();
    // Not drawn again unless it changed: a button is not replaced under the clerk's mouse.
    const key = JSON.stringify([t.lang(), callable, shown.map((x) => [x.tk.id, x.left])]);
    if (key === drawn) return;
    drawn = key;
    box.hidden = shown.length === 0;
    $('#absent-count').textContent = shown.length;
    $('#absents').replaceChildren(
      ...shown.map(({ tk, left }) =>
        h(
          'li',
          { dataset: { ticketId: tk.id } },
          h('span', { class: 'code' }, tk.code),
          h(
            'span',
            { class: 'what' },
            h('span', { class: 'name' }, fieldName(tk.service)),
            h('span', { class: 'muted' }, t('absents.when', { time: time(tk.finished_at), n: left })),
          ),
          h(
            'span',
            { class: 'moves' },
            h(
              'button',
              {
                type: 'button',
                dataset: { action: 'undo-counter' },
                disabled: !callable,
                title: callable ? '' : t('absents.busy'),
                onclick: () => undo(tk, 'counter'),
              },
              t('absents.callHere'),
            ),
            h(
              'button',
              {
                type: 'button',
                dataset: { action: 'undo-queue' },
                onclick: () => undo(tk, 'queue'),
              },
              t('absents.toQueue'),
            ),
          ),
        ),
      ),
    );
  }

  return {
    /** Today's absent tickets (any field: the list keeps ours). */
    set(list) {
      tickets = list ?? [];
      render();
    },
    render,
  };
}
