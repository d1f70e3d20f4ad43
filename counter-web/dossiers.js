// "Mã hồ sơ": the dossiers handled for the citizen at the counter. The clerk types a dossier's
// code, or scans the receipt's QR (the "Giấy tiếp nhận hồ sơ và hẹn trả kết quả" of Circular
// 01/2023/TT-VPCP), into the field; a receipt scanned anywhere on the console comes here too
// (burst.js, console.js) while a ticket is at the counter. `POST /api/counters/{no}/dossiers`
// attaches it to the ticket called or being served, `DELETE …/dossiers/{code}` takes a code
// typed wrong off again, `GET …/dossiers` lists them. What a receipt holds is read by
// /shared/receipt.js: only the dossier's code goes to the server; the applicant's identifier and
// name never enter the field (its keys are dropped from the receipt's first `|` on).

import { ApiError, api } from '/shared/api.js';
import { h } from '/shared/el.js';
import { errorText } from '/shared/i18n.js';
import { dossierCode, readReceipt } from '/shared/receipt.js';
import { $, state, t } from './ctx.js';
import { failed } from './signin.js';

let shownFor = null; // the ticket whose codes are listed
let codes = [];
let cut = false; // a receipt's `|` was typed: the rest of it is dropped until Enter
let busy = false;
let back = null; // where the focus was before a scan the console caught

/** The line under the field: what the last attach did, or why not. */
function result(kind, text) {
  const el = $('#dossier-result');
  el.textContent = text;
  el.dataset.kind = text ? kind : '';
}

function drawList() {
  $('#dossier-list').replaceChildren(
    ...codes.map((code) =>
      h(
        'li',
        { 'data-dossier': code },
        h('span', { class: 'dossier-code' }, code),
        h(
          'button',
          {
            type: 'button',
            class: 'quiet',
            'data-dossier-remove': code,
            'aria-label': t('dossier.removeLabel', { code }),
            onclick: () => detach(code),
          },
          t('dossier.remove'),
        ),
      ),
    ),
  );
  $('#dossier-none').hidden = codes.length > 0;
}

/** The counter's ticket changed (or the view was drawn): show its box, read its codes. */
export function renderDossiers() {
  const cur = state.counter?.current;
  const box = $('#dossier-box');
  box.hidden = !cur;
  if (!cur) {
    if (shownFor !== null) clearDossiers();
    return;
  }
  $('#dossier-title').textContent = t('dossier.title', { code: cur.code });
  if (shownFor === cur.id) return;
  shownFor = cur.id;
  codes = [];
  drawList();
  result('', '');
  load(cur.id);
}

async function load(ticketId) {
  try {
    const answer = await api('GET', `/api/counters/${state.no}/dossiers`);
    if (shownFor !== ticketId || answer?.ticket !== ticketId) return;
    codes = answer.dossiers ?? [];
    drawList();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) failed(err);
    // Another moment: the list is read again with the next ticket or attach.
  }
}

/** A receipt's keys typed into the field: from its first `|`, nothing more of it goes in. */
function onKeydown(e) {
  if (e.key === 'Enter') return;
  if (cut) {
    if ([...e.key].length === 1) e.preventDefault();
    return;
  }
  if (e.key === '|') {
    e.preventDefault();
    cut = true;
  }
}

/** Letters a layout or scanner inserts without a key of their own: after the cut, dropped too. */
function onBeforeInput(e) {
  if (cut && ['insertText', 'insertCompositionText', 'insertReplacementText'].includes(e.inputType))
    e.preventDefault();
}

/** Pasted text that is a whole receipt: only its code stays. */
function onInput(e) {
  const field = e.target;
  if (!/[|\r\n{]|:\/\//.test(field.value)) return;
  const read = readReceipt(field.value);
  field.value = read ? read.dossier : '';
  if (!read) result('error', t('dossier.bad'));
}

async function onSubmit(e) {
  e.preventDefault();
  const returnTo = back;
  back = null;
  cut = false;
  if (busy) return;
  const field = $('#dossier-code');
  const code = readReceipt(field.value)?.dossier ?? dossierCode(field.value);
  if (!code) {
    result('error', t(field.value.trim() ? 'dossier.bad' : 'dossier.need'));
    field.focus();
    return;
  }
  await attach(code, returnTo);
}

async function attach(code, returnTo) {
  const cur = state.counter?.current;
  if (!cur) {
    result('error', t('err.no_ticket_at_counter'));
    return;
  }
  busy = true;
  $('#dossier-form button[type="submit"]').disabled = true;
  try {
    const answer = await api('POST', `/api/counters/${state.no}/dossiers`, { code });
    if (answer?.ticket === shownFor) {
      codes = answer.dossiers ?? codes;
      drawList();
    }
    result('info', t('dossier.attached', { code, ticket: cur.code }));
    $('#dossier-code').value = '';
    if (returnTo) giveFocusBack(returnTo);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      failed(err);
      return;
    }
    result('error', errorText(t, err));
    $('#dossier-code').value = code;
    $('#dossier-code').focus();
  } finally {
    busy = false;
    $('#dossier-form button[type="submit"]').disabled = false;
  }
}

async function detach(code) {
  if (busy) return;
  busy = true;
  try {
    const answer = await api('DELETE', `/api/counters/${state.no}/dossiers/${encodeURIComponent(code)}`);
    if (answer?.ticket === shownFor) {
      codes = answer.dossiers ?? codes.filter((c) => c !== code);
      drawList();
    }
    result('info', t('dossier.removed', { code }));
    $('#dossier-code').focus();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      failed(err);
      return;
    }
    result('error', errorText(t, err));
  } finally {
    busy = false;
  }
}

/**
 * A receipt the console caught outside the field (burst.js): its code attached to the ticket at
 * the counter when the scanner ended it with Enter, else left in the field for the clerk to
 * send. The focus then goes back where it was, so the console's keys work again at once.
 */
export function takeReceipt(dossier, send, before) {
  const field = $('#dossier-code');
  cut = false;
  field.value = dossier;
  if (!send) {
    field.focus();
    return;
  }
  back = before ?? document.body;
  $('#dossier-form').requestSubmit();
}

/** Back to what had the focus before the scan, if it is still there to take it. */
function giveFocusBack(el) {
  const field = $('#dossier-code');
  if (document.activeElement !== field && document.activeElement !== document.body) return;
  if (el !== document.body && el.isConnected && !el.closest('[hidden], [inert]') && !el.disabled) el.focus();
  else field.blur();
}

export function wireDossiers() {
  const field = $('#dossier-code');
  field.addEventListener('keydown', onKeydown);
  field.addEventListener('beforeinput', onBeforeInput);
  field.addEventListener('input', onInput);
  $('#dossier-form').addEventListener('submit', onSubmit);
  t.onChange(() => {
    drawList();
    const cur = state.counter?.current;
    if (cur) $('#dossier-title').textContent = t('dossier.title', { code: cur.code });
  });
}

/** The work view closed, or the ticket left the counter: nothing of it stays. */
export function clearDossiers() {
  shownFor = null;
  codes = [];
  cut = false;
  $('#dossier-code').value = '';
  drawList();
  result('', '');
}
