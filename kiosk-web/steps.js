// The citizen's steps: choose a field, answer "priority?", take the number.

import { ApiError, api } from '/shared/api.js';
import { loadMeta } from './feeds.js';
import { fieldState, nav, S, service } from './state.js';
import { showTicket } from './ticket.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function chooseField(code) {
  const s = service(code);
  if (!s || ['closed', 'full'].includes(fieldState(s))) return;
  Object.assign(S, { field: code, priority: 'none', error: null });
  nav.show('priority');
}

export function choosePriority(code) {
  if (S.busy) return;
  // Online-only: walk-in numbers are for the priority kinds alone.
  if (code === 'none' && S.bookings.online_only) return;
  Object.assign(S, { priority: code, error: null });
  // A regular number needs no confirming: this tap takes it. A priority claim is confirmed.
  if (code === 'none') issue();
  else nav.show('confirm');
}

/** A new id for one citizen's request, sent again on its retry. */
export function requestId() {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A proxy saying the server is away, or the server not reached at all: worth one more try. */
const away = (e) => e instanceof ApiError && (e.status === 0 || [502, 503, 504].includes(e.status));

export async function issue() {
  if (S.busy) return;
  S.busy = true;
  S.error = null;
  nav.draw();
  nav.armIdle();
  // The retry below carries the same request id, so a request that did reach the server
  // (only its answer was lost) gets the same ticket back, never a second number.
  const body = { service: S.field, priority: S.priority, request_id: requestId() };
  let ticket = null;
  let failure = null;
  for (let attempt = 0; attempt < 2; attempt++) {
    if (attempt) await sleep(1000);
    try {
      ticket = await api('POST', '/api/tickets', body, { token: S.token });
      failure = null;
      break;
    } catch (e) {
      failure = e;
      if (!away(e)) break;
    }
  }
  S.busy = false;
  if (ticket?.code) return showTicket(ticket);
  if (failure?.status === 401 || failure?.status === 403) return nav.unpair(true);
  S.retryAfter = Math.max(1, failure?.retryAfter ?? 10);
  const code = failure?.code;
  S.error =
    {
      series_exhausted: 'exhausted',
      issue_rate_exceeded: 'too_fast',
      walk_ins_priority_only: 'priority_only',
      quota_reached: 'exhausted',
    }[code] ?? 'try_again';
  // The field's quota is reached, or numbers stopped (the hall's hours) since the kiosk last
  // read the hall: read it again, and for the hours go back to the start, which says why and
  // when numbers start again.
  if (code === 'quota_reached') {
    const s = service(S.field);
    if (s) s.quota_left = 0;
    loadMeta();
  }
  if (code === 'issuing_stopped' || code === 'hall_closed_today') {
    await loadMeta();
    return nav.goStart();
  }
  // The hall went online-only since the kiosk last read its settings: read them again, so the
  // priority step offers only what the hall gives today.
  if (S.error === 'priority_only') loadMeta();
  if (S.screen === 'confirm' || S.screen === 'priority') nav.draw();
  nav.armIdle();
}
