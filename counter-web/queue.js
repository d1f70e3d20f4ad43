// The waiting list beside the desk, drawn in proportion to what changed: a hall at 8 a.m. on a
// land-registry day has hundreds waiting, and a clerk calls from the head. Each ticket keeps
// its row (keyed by id): an event removes, inserts or moves only the rows it touched, and a
// row's text is written only when it changed. The first HEAD tickets are shown, then "and K
// more" with a button to see them all (and back).

import { h } from '/shared/el.js';
import { $, minutesSince, priorityLabel, service, state, t, ticketField } from './ctx.js';

/** Tickets shown before "and K more". */
export const HEAD = 50;

/** ticket id -> {li, button, code, what, waited, content, callable, minutes, target} */
const rows = new Map();
let showAll = false;

function makeRow(id) {
  const code = h('span', { class: 'code' });
  const what = h('span', { class: 'what' });
  const waited = h('span', { class: 'waited' });
  const button = h('button', { type: 'button', class: 'call' }, code, what, waited);
  const li = h('li', { dataset: { ticketId: id } }, button);
  return { li, button, code, what, waited, content: '', callable: null, minutes: -1, target: 0 };
}

/** Write what a row shows, where it changed. */
function update(row, tk, callable, unprinted) {
  const prio = tk.priority !== 'none';
  const target = service(tk.service)?.target_wait_minutes ?? '';
  const content = JSON.stringify([
    t.lang(),
    tk.code,
    tk.issued_at,
    ticketField(tk),
    tk.priority,
    target,
    unprinted,
    Boolean(tk.result_pickup),
  ]);
  if (row.content !== content) {
    row.content = content;
    row.li.dataset.issued = tk.issued_at;
    row.li.dataset.target = target;
    row.li.className = prio ? 'prio' : '';
    row.code.textContent = tk.code;
    row.what.replaceChildren(
      h('span', { class: 'name' }, ticketField(tk)),
      ...(prio
        ? [h('span', { class: 'badge prio' }, `${t('priority')} · ${priorityLabel(tk.priority)}`)]
        : []),
      ...(tk.result_pickup ? [h('span', { class: 'badge result' }, t('result.badge'))] : []),
      ...(unprinted ? [h('span', { class: 'badge unprinted' }, t('unprinted.badge'))] : []),
    );
    row.target = Number(target) || 0;
    row.minutes = -1; // the language may have changed: write the minutes again
  }
  if (row.callable !== callable) {
    row.callable = callable;
    if (callable) {
      row.button.removeAttribute('aria-disabled');
      row.button.title = t('waiting.hint');
    } else {
      row.button.setAttribute('aria-disabled', 'true');
      row.button.removeAttribute('title');
    }
  }
  tickRow(row);
}

/** The minutes a row's ticket has waited, and late past its field's target. */
function tickRow(row) {
  const n = minutesSince(row.li.dataset.issued);
  if (n === row.minutes) return;
  row.minutes = n;
  row.li.classList.toggle('late', row.target > 0 && n > row.target);
  row.waited.textContent = t('waiting.min', { n });
}

/** Draw the list: `callable` whether a click calls the ticket now, `unprinted` a Set of the
 * ids whose ticket did not print. */
export function drawQueue(callable, unprinted) {
  const list = $('#waiting');
  const all = state.waiting;
  const shown = showAll ? all : all.slice(0, HEAD);
  const keep = new Set(shown.map((tk) => tk.id));
  for (const [id, row] of rows) {
    if (!keep.has(id)) {
      row.li.remove();
      rows.delete(id);
    }
  }
  // Rows in order: a row already in its place stays put (a focused button keeps its focus).
  let node = list.firstChild;
  for (const tk of shown) {
    let row = rows.get(tk.id);
    if (!row) {
      row = makeRow(tk.id);
      rows.set(tk.id, row);
    }
    update(row, tk, callable, unprinted.has(tk.id));
    if (row.li === node) node = node.nextSibling;
    else list.insertBefore(row.li, node);
  }
  while (node) {
    const next = node.nextSibling;
    node.remove();
    node = next;
  }

  const rest = all.length - shown.length;
  $('#waiting-more').hidden = all.length <= HEAD;
  $('#waiting-more-text').textContent = rest > 0 ? t('waiting.more', { n: rest }) : '';
  const more = $('#waiting-more-btn');
  const label = showAll ? t('waiting.showHead', { n: HEAD }) : t('waiting.showAll', { n: all.length });
  if (more.textContent !== label) more.textContent = label;
  $('#waiting-count').textContent = all.length;
  $('#waiting-empty').hidden = all.length > 0;
}

/** Every second: the minutes waited of the rows shown. */
export function tickQueue() {
  for (const row of rows.values()) tickRow(row);
}

/** "Show all" and back; `redraw` draws the list again. */
export function wireQueue(redraw) {
  $('#waiting-more-btn').addEventListener('click', () => {
    showAll = !showAll;
    redraw();
  });
}
