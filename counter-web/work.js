// The work view's data: the counter feed (/ws/counters/{no}, through the kit's reconnecting
// feed) is the source of truth. A snapshot replaces everything, each event updates the counter
// and the waiting list; the day's counts, the recent absences and the unprinted tickets are
// read beside it.

import { api } from '/shared/api.js';
import { clock } from '/shared/clock.js';
import { follow } from '/shared/feed.js';
import { makeAbsents } from './absents.js';
import { makeHeld } from './held.js';
import { clearCheckIn } from './checkin.js';
import { clearDossiers } from './dossiers.js';
import { makeConfirm } from './confirm.js';
import { $, fieldName, say, state, t } from './ctx.js';
import { emergencies } from './emergency.js';
import { fillTransfer, legal, render, renderWaiting } from './desk.js';
import { act, undoAbsent } from './moves.js';
import { makeReprint } from './reprint.js';
import { failed, leaveWork, showView } from './signin.js';

// Cancel, absent and reprint are asked twice, by click and by key alike (confirm.js).
export const confirm = makeConfirm({
  say,
  onChange: () => {
    if (state.view === 'work') render();
    reprint.render();
  },
});
export const reprint = makeReprint({
  t,
  $,
  say,
  confirm,
  failed: (err) => failed(err),
  onChange: () => {
    if (state.view === 'work') renderWaiting(legal().call && !state.pending);
  },
});
export const absents = makeAbsents({
  t,
  $,
  state,
  fieldName,
  mayCall: () => legal().call && !state.pending,
  undo: (tk, to) => undoAbsent(tk, to),
});

// "Tạm gác": this counter's tickets on hold, called back here keeping their turn.
export const held = makeHeld({
  t,
  $,
  state,
  fieldName,
  mayCall: () => legal().call && !state.pending,
  callBack: (tk) => act('call', tk.id),
});

export function startWork(counter) {
  stopWork();
  state.no = counter.no;
  state.counter = counter;
  state.waiting = [];
  state.seq = 0;
  showView('work');
  fillTransfer();
  render();
  state.feed = follow(`/ws/counters/${counter.no}`, {
    onFrame,
    onState: (live) => {
      document.body.dataset.connected = String(live);
    },
  });
  refreshCounts();
  reprint.start();
  emergencies.start();
}

export function stopWork() {
  clearCheckIn();
  clearDossiers();
  state.feed?.close();
  state.feed = null;
  reprint.stop();
  emergencies.stop();
  absents.set([]);
  held.set([]);
  document.body.dataset.connected = 'false';
}

export function applySnapshot(snap) {
  state.seq = snap.seq;
  applyCounter(snap.counter);
  state.waiting = snap.waiting;
  for (const tk of snap.waiting) clock.saw(tk.issued_at);
  render();
}

export function applyCounter(counter) {
  if (!counter || counter.no !== state.no) return;
  state.counter = counter;
  if (counter.current) {
    clock.saw(counter.current.called_at);
    clock.saw(counter.current.started_at);
  }
  // Closed by a manager or by the end of the day (our own Close is handled where it is asked).
  if (counter.state === 'closed' && state.view === 'work' && !state.pending) {
    leaveWork({ key: 'info.closedElsewhere', vars: { no: counter.no } });
  }
}

/** Keep the waiting list: a waiting ticket of our fields is in it, anything else is not. */
export function applyTicket(tk) {
  const at = state.waiting.findIndex((w) => w.id === tk.id);
  const belongs = tk.status === 'waiting' && state.counter?.services.includes(tk.service);
  if (belongs && at >= 0) {
    state.waiting[at] = tk;
  } else if (belongs) {
    // New arrivals and returned tickets join the back of their group (priority first).
    const prio = tk.priority !== 'none';
    let i = state.waiting.length;
    if (prio) {
      i = state.waiting.findIndex((w) => w.priority === 'none');
      if (i < 0) i = state.waiting.length;
    }
    state.waiting.splice(i, 0, tk);
  } else if (at >= 0) {
    state.waiting.splice(at, 1);
  }
}

function onFrame(frame) {
  if (frame.type === 'snapshot') {
    applySnapshot(frame);
    refreshCounts();
    reprint.refresh();
    return;
  }
  // The feed drops repeated events; a snapshot read by hand (refetch) may be newer still.
  if (frame.type !== 'event' || frame.seq <= state.seq) return;
  state.seq = frame.seq;
  applyCounter(frame.counter);
  const tk = frame.ticket;
  if (tk) {
    applyTicket(tk);
    // A transfer keeps the ticket's place: ask the server where it stands.
    if (frame.kind === 'transferred' && tk.status === 'waiting') refetch();
    if (tk.counter === state.no && (frame.kind === 'served' || frame.kind === 'absent')) refreshCounts();
    // The list of recent absents follows every absence and undo in our fields.
    if (
      (frame.kind === 'absent' || frame.kind === 'absent_undone') &&
      state.counter?.services.includes(tk.service)
    )
      refreshCounts();
    // The held list follows every hold, and every move of a held ticket.
    if (frame.kind === 'held' || held.has(tk.id)) refreshCounts();
    // A ticket issued or printed again: its print result follows; read the list after it.
    if (frame.kind === 'issued' || frame.kind === 'reprinted') reprint.later();
  }
  if (state.view === 'work') render();
}

let refetching = null;
let refetchAgain = false;
/** Whatever we believed may be stale: read the counter's snapshot again. */
export async function refetch() {
  if (refetching) {
    refetchAgain = true;
    return;
  }
  const no = state.no;
  refetching = api('GET', `/api/counters/${no}`)
    .then((snap) => {
      if (no === state.no && snap.seq >= state.seq && state.view === 'work') applySnapshot(snap);
    })
    .catch(() => {})
    .finally(() => {
      refetching = null;
      if (refetchAgain) {
        refetchAgain = false;
        refetch();
      }
    });
}

let countsTimer = null;
/** The day's served and absent counts at this counter, and the recent absences of its fields. */
export function refreshCounts() {
  clearTimeout(countsTimer);
  countsTimer = setTimeout(async () => {
    const no = state.no;
    try {
      const [served, absent, aside] = await Promise.all([
        api('GET', '/api/tickets?status=served'),
        api('GET', '/api/tickets?status=absent'),
        api('GET', '/api/tickets?status=held'),
      ]);
      if (no !== state.no) return;
      $('#count-served').textContent = served.tickets.filter((x) => x.counter === no).length;
      $('#count-absent').textContent = absent.tickets.filter((x) => x.counter === no).length;
      absents.set(absent.tickets);
      held.set(aside.tickets);
    } catch (err) {
      if (err.status === 401) failed(err);
    }
  }, 150);
}
