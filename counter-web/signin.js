// Signing in and choosing the counter: the login form, the hall's fields, the counter picker
// (a reload goes straight back to the counter the clerk holds), signing out.

import { ApiError, api } from '/shared/api.js';
import { h } from '/shared/el.js';
import { errorText } from '/shared/i18n.js';
import { $, fieldName, info, params, pause, SAVED, say, state, t } from './ctx.js';
import { startWork, stopWork } from './work.js';

/** Show one of the views ('login', 'choose', 'work') and the bar's parts that go with it. */
export function showView(view) {
  state.view = view;
  document.body.dataset.view = view;
  $('#logout-btn').hidden = view === 'login';
  $('#help-btn').hidden = view !== 'work';
  $('#counts').hidden = view !== 'work';
  $('#bar-state').hidden = view !== 'work';
  if (view !== 'work') $('#bar-counter').textContent = 'motcua';
  $('#user-name').textContent = view === 'login' ? '' : (state.user?.name ?? '');
}

/** A failed request: back to the login form if the session ended, else say why. */
export function failed(err) {
  if (err instanceof ApiError && err.status === 401) {
    stopWork();
    showView('login');
    $('#login-error').textContent = t('err.unauthenticated');
    $('#login-name').focus();
    return;
  }
  say('error', errorText(t, err));
}

/** The hall's name, fields and rules (tried again until the server answers). */
export async function loadHall() {
  for (let wait = 1000; ; wait = Math.min(wait * 2, 10000)) {
    try {
      const hall = await api('GET', '/api/services');
      state.hall = hall.hall;
      state.services = hall.services;
      state.priorities = Object.fromEntries(hall.priorities.map((p) => [p.code, p]));
      if (Number.isFinite(hall.absent_after_seconds)) state.absentAfter = hall.absent_after_seconds;
      if (Number.isFinite(hall.absent_undo_minutes)) state.undoMinutes = hall.absent_undo_minutes;
      if (Number.isFinite(hall.recall_gap_minutes)) state.recallGap = hall.recall_gap_minutes;
      if (Number.isFinite(hall.absent_after_calls)) state.absentAfterCalls = hall.absent_after_calls;
      $('#hall-name').textContent = hall.hall;
      return;
    } catch {
      await pause(wait);
    }
  }
}

/** Who is signed in on this browser (null: nobody), asked until the server answers. */
export async function whoIsIn() {
  for (let wait = 1000; ; wait = Math.min(wait * 2, 10000)) {
    try {
      return (await api('GET', '/api/session')).user ?? null;
    } catch (err) {
      if (err.status === 401 || err.status === 403) return null;
      say('error', errorText(t, err));
      await pause(wait);
    }
  }
}

export function showLogin() {
  showView('login');
  $('#login-name').focus();
}

export async function login(e) {
  e.preventDefault();
  const name = $('#login-name').value.trim();
  const password = $('#login-password').value;
  const button = $('button[data-action="login"]');
  $('#login-error').textContent = '';
  button.disabled = true;
  try {
    state.user = (await api('POST', '/api/session', { name, password })).user;
    $('#login-password').value = '';
    say('', '');
    await chooseCounter(true);
  } catch (err) {
    $('#login-error').textContent = errorText(t, err);
    $('#login-password').select();
  } finally {
    button.disabled = false;
  }
}

export async function logout() {
  stopWork();
  try {
    await api('DELETE', '/api/session');
  } catch {
    /* the cookie goes anyway */
  }
  state.user = null;
  say('', '');
  showLogin();
}

/** The counter picker. `resume`: go straight back to the counter this console held. */
export async function chooseCounter(resume) {
  try {
    state.counters = (await api('GET', '/api/counters')).counters;
  } catch (err) {
    failed(err);
    if (state.view === 'login') return;
    state.counters = [];
  }
  const wanted = Number(params.get('counter')) || Number(localStorage.getItem(SAVED)) || null;
  const select = $('#counter-select');
  select.replaceChildren(
    ...state.counters.map((c) =>
      h(
        'option',
        { value: c.no },
        `${t('counter.n', { no: c.no })} — ${c.services.join(', ')} (${t(`state.${c.state}`)})`,
      ),
    ),
  );
  if (wanted && state.counters.some((c) => c.no === wanted)) select.value = String(wanted);
  showChosenFields();
  if (resume) {
    // The server does not say which counter we hold; opening one we already hold changes
    // nothing and opening someone else's is refused, so trying the open ones finds ours.
    const open = state.counters
      .filter((c) => c.state !== 'closed')
      .sort((a, b) => (b.no === wanted) - (a.no === wanted));
    for (const c of open) {
      const opened = await openCounter(c.no, true);
      if (opened !== false) return; // ours, or the session ended (null)
    }
    if (open.some((c) => c.no === wanted) && params.get('counter')) say('error', t('err.counter_taken'));
  }
  showView('choose');
  select.focus();
}

export function showChosenFields() {
  const c = state.counters.find((x) => String(x.no) === $('#counter-select').value);
  $('#choose-fields').textContent = c ? c.services.map(fieldName).join(' · ') : '';
}

/** Open counter `no` and start working there: true, false (refused) or null (signed out). */
export async function openCounter(no, quietly = false) {
  const button = $('button[data-action="open"]');
  button.disabled = true;
  try {
    const counter = await api('POST', `/api/counters/${no}/open`);
    localStorage.setItem(SAVED, String(no));
    say('', '');
    startWork(counter);
    return true;
  } catch (err) {
    if (quietly && err.status !== 401) return false;
    if (err.status === 401) {
      failed(err);
      return null;
    }
    const elsewhere = err.code === 'already_at_counter' && /(\d+)/.exec(err.message);
    if (elsewhere && state.counters.some((c) => c.no === Number(elsewhere[1]))) {
      $('#counter-select').value = elsewhere[1];
      showChosenFields();
      say('error', t('choose.goto', { no: elsewhere[1] }));
    } else {
      failed(err);
    }
    return false;
  } finally {
    button.disabled = false;
  }
}

/** The counter was closed (by us, a manager, or the end of the day): pick again. */
export function leaveWork(message) {
  stopWork();
  localStorage.removeItem(SAVED);
  state.counter = null;
  chooseCounter(false).then(() => {
    if (message) info(message.key, message.vars);
  });
}
