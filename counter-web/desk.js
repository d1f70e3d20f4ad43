// Drawing the work view: the ticket at the counter, which moves are legal now, the waiting
// list and the transfer list. Nothing here talks to the server.

import { clock } from '/shared/clock.js';
import { h } from '/shared/el.js';
import { $, duration, pauseLabel, priorityLabel, state, t, ticketField } from './ctx.js';
import { renderDossiers } from './dossiers.js';
import { drawQueue, tickQueue } from './queue.js';
import { absents, confirm, held, reprint } from './work.js';

/** Seconds until the called ticket `cur` may be marked absent (0: now): after a recall, or
 * the hall's minimum time since the call (the server refuses sooner: absent_too_soon). */
export function absentIn(cur) {
  if (!cur || cur.status !== 'called' || cur.recalls > 0) return 0;
  const at = Date.parse(cur.called_at);
  if (Number.isNaN(at)) return 0;
  return Math.max(0, Math.ceil((at + state.absentAfter * 1000 - clock.now()) / 1000));
}

/** Seconds until the called ticket `cur` may be recalled (0: now): the hall's gap since the
 * last call (the server refuses sooner: recall_too_soon). */
export function recallIn(cur) {
  if (!cur || cur.status !== 'called' || !state.recallGap) return 0;
  const at = Date.parse(cur.called_at);
  if (Number.isNaN(at)) return 0;
  return Math.max(0, Math.ceil((at + state.recallGap * 60_000 - clock.now()) / 1000));
}

/** Which of the clerk's moves are legal now. */
export function legal() {
  const c = state.counter;
  const cur = c?.current;
  const st = cur?.status;
  const open = c?.state === 'open';
  const paused = c?.state === 'paused';
  return {
    next: open && !cur,
    call: open && !cur,
    recall: st === 'called' && recallIn(cur) === 0,
    start: st === 'called',
    'no-show': st === 'called' && absentIn(cur) === 0,
    finish: st === 'serving',
    transfer: !!cur,
    reprint: !!cur,
    return: !!cur,
    hold: st === 'called' || st === 'serving',
    cancel: !!cur,
    pause: open && !cur,
    resume: paused,
    close: (open || paused) && !cur,
  };
}

export function render() {
  const c = state.counter;
  if (!c) return;
  const may = legal();
  const cur = c.current;

  $('#bar-counter').textContent = t('counter.n', { no: c.no });
  $('#work-title').textContent = `${t('counter.n', { no: c.no })} · ${t('app.title')}`;
  const chip = $('#bar-state');
  chip.dataset.state = c.state;
  chip.textContent =
    c.state === 'paused' && c.reason
      ? `${t('state.paused')}: ${pauseLabel(c.reason)}`
      : t(`state.${c.state}`);

  const box = $('#current');
  box.dataset.status = cur ? cur.status : c.state === 'paused' ? 'paused' : '';
  $('#current-code').textContent = cur ? cur.code : '—';
  const status = $('#current-status');
  status.dataset.status = cur?.status ?? '';
  status.textContent = cur ? t(`status.${cur.status}`) : t('status.none');
  $('#current-field').textContent = cur ? `${cur.service} · ${ticketField(cur)}` : '';
  const prio = $('#current-priority');
  prio.hidden = !cur || cur.priority === 'none';
  prio.textContent =
    cur && cur.priority !== 'none' ? `${t('priority')} · ${priorityLabel(cur.priority)}` : '';
  // A result pick-up ticket: the citizen came back with a dossier's receipt (its code is listed
  // under "Mã hồ sơ").
  $('#current-result').hidden = !cur?.result_pickup;
  $('#current-timer-label').textContent = cur
    ? t(cur.status === 'serving' ? 'timer.serving' : 'timer.called')
    : '';
  $('#current-recalls').textContent = cur?.recalls ? t('recalls', { n: cur.recalls }) : '';
  $('#current-empty').textContent =
    c.state === 'paused'
      ? `${t('current.paused')}${c.reason ? ` — ${pauseLabel(c.reason)}` : ''}`
      : t('current.empty');
  tickTimer();

  for (const button of document.querySelectorAll('.desk button[data-action]')) {
    const action = button.dataset.action;
    button.disabled = state.pending || !may[action];
    // A first press of a move asked twice: the button waits for its second.
    button.classList.toggle('armed', Boolean(cur) && confirm.isArmed(`${action}:${cur.id}`));
  }
  renderAbsentSoon();
  const paused = c.state === 'paused';
  $('.pause-group').hidden = paused;
  $('button[data-action="pause"]').hidden = paused;
  $('button[data-action="resume"]').hidden = !paused;
  $('#pause-reason').disabled = !may.pause;
  $('#pause-other').disabled = !may.pause;
  $('#transfer-service').disabled = !may.transfer;
  fillTransfer();
  renderWaiting(may.call && !state.pending);
  absents.render();
  held.render();
  renderDossiers();
}

/** Under the Absent button: how long before it is offered, while it is not. */
export function renderAbsentSoon() {
  const cur = state.counter?.current;
  const wait = absentIn(cur);
  const soon = $('#absent-soon');
  soon.textContent = cur?.status === 'called' && wait > 0 ? t('absent.in', { s: wait }) : '';
  $('button[data-action="no-show"]').title =
    cur?.status === 'called' && wait > 0 ? t('absent.why', { s: state.absentAfter }) : '';
  // Under Recall: how long before it is offered (the hall's gap between calls), and the
  // hall's own absence after its last call.
  const recall = recallIn(cur);
  $('#recall-soon').textContent = cur?.status === 'called' && recall > 0 ? t('absent.in', { s: recall }) : '';
  $('button[data-action="recall"]').title =
    cur?.status === 'called' && state.recallGap
      ? t(state.absentAfterCalls ? 'recall.whyAuto' : 'recall.why', {
          m: state.recallGap,
          n: state.absentAfterCalls,
        })
      : '';
}

/** The waiting list (queue.js): each ticket is a button that calls exactly that one (when the
 * counter is free). */
export function renderWaiting(callable) {
  drawQueue(callable, reprint.ids());
}

/** The fields a ticket may be transferred to, those without an open counter marked. */
export function fillTransfer() {
  const select = $('#transfer-service');
  const from = state.counter?.current?.service;
  const options = state.services.filter((s) => s.code !== from);
  const key = `${t.lang()}|${from}|${options.map((s) => `${s.code}${s.counters_open > 0}`).join()}`;
  if (select.dataset.key === key) return;
  const keep = select.value;
  select.dataset.key = key;
  select.replaceChildren(
    h('option', { value: '' }, t('transfer.choose')),
    ...options.map((s) =>
      h(
        'option',
        { value: s.code, dataset: s.counters_open > 0 ? {} : { noCounter: '1' } },
        `${s.code} · ${t.pick(s.name_vi, s.name_en)}${s.counters_open > 0 ? '' : ` — ${t('transfer.closed')}`}`,
      ),
    ),
  );
  if (options.some((s) => s.code === keep)) select.value = keep;
}

export function tickTimer() {
  const cur = state.counter?.current;
  const since = cur && (cur.status === 'serving' ? cur.started_at : cur.called_at);
  $('#current-timer').textContent = since ? duration(since) : '';
}

export function tickWaiting() {
  tickQueue();
}
