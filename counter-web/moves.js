// The clerk's moves: call, recall, start, finish, absent, transfer, return, cancel, reprint,
// pause, resume, close, and taking an absence back. The answer to each is shown at once,
// without waiting for the feed; a refusal is said in plain words and the counter read again.

import { ApiError, api } from '/shared/api.js';
import { clock } from '/shared/clock.js';
import { $, fieldName, info, say, service, state, t } from './ctx.js';
import { absentIn, fillTransfer, legal, recallIn, render } from './desk.js';
import { failed, leaveWork } from './signin.js';
import { applyCounter, applyTicket, confirm, refetch, refreshCounts, reprint } from './work.js';

/** What cannot be taken back is asked twice, by click and by key alike: the prompt's key. */
const TWICE = { cancel: 'confirm.cancel', 'no-show': 'confirm.absent', reprint: 'reprint.again' };
/** The message after a move that sends the ticket away from the counter. */
const DONE = {
  finish: 'info.served',
  'no-show': 'info.absent',
  return: 'info.returned',
  hold: 'info.held',
  cancel: 'info.cancelled',
  transfer: 'info.transferred',
};

/** Why a move is not offered now, when the clerk asks for it anyway (by key or list). */
function refuse(action) {
  const cur = state.counter?.current;
  if (action === 'no-show' && cur?.status === 'called') {
    say('error', t('absent.notYet', { s: absentIn(cur), after: state.absentAfter }));
  }
  if (action === 'recall' && cur?.status === 'called' && recallIn(cur) > 0) {
    say('error', t('recall.notYet', { s: recallIn(cur), m: state.recallGap }));
  }
  if (action === 'call' && cur) say('error', t('err.counter_busy'));
  if (action === 'call' && state.counter?.state === 'paused') say('error', t('err.counter_paused'));
}

/** The body a move sends, or null when the clerk still has to say something (and was told). */
function bodyOf(action, cur) {
  if (action === 'transfer') {
    const to = $('#transfer-service').value;
    if (!to) {
      say('error', t('transfer.need'));
      $('#transfer-service').focus();
      return null;
    }
    return transferConfirmed(cur, to) ? { service: to } : null;
  }
  if (action === 'pause') {
    const other = $('#pause-reason').value === '';
    const reason = (other ? $('#pause-other').value : $('#pause-reason').value).trim();
    if (!reason) {
      say('error', t('pause.need'));
      $('#pause-other').focus();
      return null;
    }
    return { reason };
  }
  return undefined;
}

export async function act(action, ticketId) {
  if (state.view !== 'work' || state.pending) return;
  if (!legal()[action]) {
    refuse(action);
    return;
  }
  const no = state.no;
  const cur = state.counter.current;
  if (TWICE[action] && !confirm.confirmed(`${action}:${cur.id}`, t(TWICE[action], { code: cur.code })))
    return;
  confirm.disarm();
  const body = bodyOf(action, cur);
  if (body === null) return;
  state.pending = true;
  render();
  try {
    if (action === 'close') {
      await api('POST', `/api/counters/${no}/close`);
      state.pending = false;
      leaveWork(null);
      return;
    }
    await send(action, no, cur, ticketId, body);
    if (document.activeElement?.tagName === 'SELECT' || document.activeElement?.tagName === 'INPUT')
      document.activeElement.blur();
  } catch (err) {
    failed(err);
    // Whatever we believed was stale: ask the server how things stand.
    if (err instanceof ApiError && (err.status === 409 || err.status === 403)) refetch();
  } finally {
    state.pending = false;
    if (state.view === 'work') render();
  }
}

/** Send one move and show its answer. */
async function send(action, no, cur, ticketId, body) {
  switch (action) {
    case 'next': {
      const tk = await api('POST', `/api/counters/${no}/call-next`);
      if (tk) took(tk);
      else info('info.nobody');
      break;
    }
    case 'call':
      took(await api('POST', `/api/tickets/${ticketId}/call`, { counter: no }));
      break;
    case 'recall':
    case 'start': {
      const tk = await api('POST', `/api/tickets/${cur.id}/${action}`);
      state.counter = { ...state.counter, current: tk };
      break;
    }
    case 'finish':
    case 'no-show':
    case 'return':
    case 'hold':
    case 'cancel':
    case 'transfer': {
      const tk = await api('POST', `/api/tickets/${cur.id}/${action}`, body);
      state.counter = { ...state.counter, current: null };
      applyTicket(tk);
      info(DONE[action], { code: tk.code, field: fieldName(tk.service) });
      if (action === 'transfer') $('#transfer-service').value = '';
      if (action === 'finish' || action === 'no-show') refreshCounts();
      break;
    }
    case 'reprint':
      await reprint.send(cur.id, cur.code);
      break;
    case 'pause':
    case 'resume':
      applyCounter(await api('POST', `/api/counters/${no}/${action}`, body));
      if (action === 'pause') $('#pause-other').value = '';
      break;
    default:
      break;
  }
}

/** Undo an absence: call the ticket again here (`counter`) or send it to the front of its
 * queue (`queue`). */
export async function undoAbsent(tk, to) {
  if (state.view !== 'work' || state.pending) return;
  if (to === 'counter' && !legal().call) {
    say('error', t(state.counter?.current ? 'err.counter_busy' : 'err.counter_paused'));
    return;
  }
  state.pending = true;
  render();
  try {
    const body = to === 'counter' ? { to, counter: state.no } : { to };
    const back = await api('POST', `/api/tickets/${tk.id}/undo-absent`, body);
    if (to === 'counter') took(back);
    else refetch(); // its place is at the front: the server says where
    info(to === 'counter' ? 'info.absentCalled' : 'info.absentQueued', { code: back.code });
  } catch (err) {
    failed(err);
    if (err instanceof ApiError && (err.status === 409 || err.status === 403)) refetch();
  } finally {
    state.pending = false;
    refreshCounts();
    if (state.view === 'work') render();
  }
}

/** The fields' open counters change with other clerks: read them again (for the transfer list). */
export async function refreshServices() {
  try {
    state.services = (await api('GET', '/api/services')).services;
    if (state.view === 'work') fillTransfer();
  } catch {
    /* keep what we had */
  }
}

/**
 * A transfer into a field no open counter serves leaves the citizen waiting for nobody: the
 * first press (click or Enter) warns, a second one within 10 s transfers anyway.
 */
function transferConfirmed(cur, to) {
  const s = service(to);
  if (!s || s.counters_open > 0) return true;
  const armed = state.transferArmed;
  if (armed && armed.id === cur.id && armed.to === to && Date.now() - armed.at < 10000) {
    state.transferArmed = null;
    return true;
  }
  state.transferArmed = { id: cur.id, to, at: Date.now() };
  say('error', t('transfer.noCounter', { field: fieldName(to) }));
  return false;
}

/** The counter now holds this called ticket. */
function took(tk) {
  refreshServices();
  state.counter = { ...state.counter, current: tk };
  clock.saw(tk.called_at);
  applyTicket(tk);
  say('', '');
}
