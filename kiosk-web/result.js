// "Nhận kết quả": a citizen come back to collect a dossier's result. The button on the start
// screen opens a screen asking for the receipt's QR (the "Giấy tiếp nhận hồ sơ và hẹn trả kết
// quả" of Circular 01/2023/TT-VPCP); a receipt scanned on any screen does the same at once.
// What the QR holds is read by /shared/receipt.js: only the dossier's code and its procedure's
// code are kept, and `POST /api/result-tickets` issues an ordinary ticket of the dossier's field
// with the dossier attached. When the hall cannot tell the field (a dossier it never saw, a
// procedure no field lists), the citizen picks it here and the request goes again with it.
//
// The dossier's code is never shown on the screen (others stand behind), only that the receipt
// was read; it lives in `S.result` until the ticket is issued or the screen is left.

import { ApiError, api } from '/shared/api.js';
import { h } from '/shared/el.js';
import { loadMeta } from './feeds.js';
import { fieldIcon } from './icons.js';
import { fieldState, names, nav, otherLang, S, t } from './state.js';
import { requestId } from './steps.js';
import { showTicket } from './ticket.js';
import { backButton, ico, other, tap, title } from './ui.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A proxy saying the server is away, or the server not reached at all: worth one more try. */
const away = (e) => e instanceof ApiError && (e.status === 0 || [502, 503, 504].includes(e.status));

/** "Nhận kết quả" on the start screen: the screen asking for the receipt. */
export function openResult() {
  if (S.busy) return;
  S.result = { receipt: null, choose: false, error: null };
  nav.show('result');
}

/** A receipt's QR read by the scanner (scan.js), on whatever screen was up. */
export function receiptScanned({ dossier, procedure }) {
  if (S.busy) return;
  takeResult({ dossier, procedure: procedure ?? null }, null);
}

/** The citizen picked the dossier's field (the hall could not tell it). */
function chooseResultField(code) {
  const receipt = S.result?.receipt;
  if (!receipt || S.busy) return;
  takeResult(receipt, code);
}

/** Ask for the result ticket: `receipt` is `{dossier, procedure}`, `service` the field picked, if any. */
async function takeResult(receipt, service) {
  nav.notice(null);
  nav.forgetTicket();
  S.busy = true;
  S.result = { receipt, choose: false, error: null, picked: service };
  if (S.screen === 'result') nav.draw();
  else nav.show('result');
  nav.armIdle();
  // Only the codes go: nothing else of the receipt was ever kept.
  const body = { dossier: receipt.dossier, request_id: requestId() };
  if (receipt.procedure) body.procedure = receipt.procedure;
  if (service) body.service = service;
  let answer = null;
  let failure = null;
  // The retry carries the same request id: a ticket whose answer was lost comes back, never a second.
  for (let attempt = 0; attempt < 2; attempt++) {
    if (attempt) await sleep(1000);
    try {
      answer = await api('POST', '/api/result-tickets', body, { token: S.token });
      failure = null;
      break;
    } catch (e) {
      failure = e;
      if (!away(e)) break;
    }
  }
  S.busy = false;
  if (answer?.code) {
    S.result = null;
    S.resultTicket = true;
    return showTicket(answer);
  }
  if (failure?.status === 401 || failure?.status === 403) return nav.unpair(true);
  if (S.screen !== 'result') return;
  const code = failure?.code;
  // Numbers have stopped (the hall's hours): the start screen says since when, and until when.
  if (code === 'issuing_stopped' || code === 'hall_closed_today') {
    await loadMeta();
    return nav.goStart();
  }
  if (code === 'choose_field') {
    S.result.choose = true;
  } else {
    S.result.error =
      {
        bad_dossier_code: 'bad_receipt',
        issue_rate_exceeded: 'too_fast',
        series_exhausted: 'exhausted',
        unknown_service: 'try_again',
      }[code] ?? 'try_again';
    S.result.retryAfter = Math.max(1, failure?.retryAfter ?? 10);
    // A field that ran out of numbers: the citizen may still pick another with staff's help.
    S.result.choose = false;
  }
  nav.draw();
  nav.armIdle();
}

export function drawResult() {
  const r = S.result ?? { receipt: null, choose: false, error: null };
  if (r.choose) return drawChooseField(r);
  return h(
    'section',
    { class: 'screen result' },
    title('result_title'),
    r.receipt && (S.busy || !r.error)
      ? h(
          'div',
          { class: 'code-box card', id: 'result-read' },
          S.busy ? h('span', { class: 'spinner' }) : ico('document'),
          h(
            'span',
            {},
            h('strong', {}, t(S.busy ? 'result_getting' : 'result_read')),
            other('small', {}, 'result_read'),
          ),
        )
      : h(
          'p',
          { class: 'how' },
          ico('scan'),
          h('span', {}, h('span', { class: 'main' }, t('result_how')), other('small', {}, 'result_how')),
        ),
    refusal(r),
    h('p', { class: 'hint' }, t('result_hint')),
    backButton(() => {
      S.result = null;
      nav.show('start');
    }, S.busy),
  );
}

/** The hall cannot tell the dossier's field: the citizen picks it. */
function drawChooseField(r) {
  const open = S.services.filter((s) => fieldState(s) !== 'closed');
  return h(
    'section',
    { class: 'screen result choose' },
    title('result_choose_title'),
    h('p', { class: 'hint' }, t('result_choose_sub')),
    h(
      'div',
      {
        class: 'fields',
        'data-fit': 0,
        style: `--cols-p:${open.length > 6 ? 2 : 1};--cols-l:${open.length <= 4 ? 2 : 3}`,
      },
      open.map((s) => {
        const [name, name2] = names(s.name_vi, s.name_en);
        return h(
          'button',
          {
            type: 'button',
            class: 'field open',
            'data-result-field': s.code,
            disabled: S.busy,
            onclick: tap(() => chooseResultField(s.code)),
          },
          h('span', { class: 'icon' }, fieldIcon(s)),
          h(
            'span',
            { class: 'names' },
            h('span', { class: 'name' }, name),
            name2 ? h('span', { class: 'name2', lang: otherLang() }, name2) : null,
          ),
        );
      }),
    ),
    backButton(() => {
      S.result = null;
      nav.show('start');
    }, S.busy || !r),
  );
}

/** Why no ticket was issued, in both languages, or null. */
function refusal(r) {
  if (!r.error) return null;
  const [key, sub, vars] = {
    bad_receipt: ['result_bad', 'result_bad_sub', {}],
    too_fast: ['too_fast', 'too_fast_sub', { n: r.retryAfter }],
    exhausted: ['exhausted', 'exhausted_sub', {}],
  }[r.error] ?? ['try_again', 'result_try_again_sub', {}];
  return h(
    'p',
    { class: 'error', role: 'alert', 'data-error': r.error },
    ico('warning'),
    h(
      'span',
      {},
      h('strong', {}, t(key)),
      h('small', {}, t(sub, vars)),
      h('small', { class: 'other-lang', lang: otherLang() }, `${t.other(key)}. ${t.other(sub, vars)}`),
    ),
  );
}
