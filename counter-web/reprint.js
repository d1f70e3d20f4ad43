// Printing a ticket again, from the console: the ticket at the counter ("In lại phiếu",
// pressed twice like Cancel), and the day's tickets whose print job did not print
// ("Phiếu chưa in được": failed, print_uncertain, or still waiting for the printer), from
// GET /api/print-jobs. The list is read again when the console's lists change (a ticket
// issued or reprinted in its fields, the feed's snapshot) and every 30 s.

import { ApiError, api } from '/shared/api.js';
import { h } from '/shared/el.js';
import { errorText } from '/shared/i18n.js';

const REFRESH_MS = 30_000;
/** After the feed says something changed: the print result follows within a moment. */
const SETTLE_MS = 1_500;
// `confirm`: the console's one way of asking twice (confirm.js), keyed `job:<id>` here.
export function makeReprint({ t, $, say, failed, onChange, confirm }) {
  let jobs = []; // the last answer's jobs
  let timer = null;
  let soon = null;
  let busy = false;

  const reason = (code) => (code ? t(`why.${code}`) : '');
  /** "08:05" from the hall's local time stamp ("2026-11-25T08:05:00+07:00"). */
  const time = (iso) => (typeof iso === 'string' && iso.length >= 16 ? iso.slice(11, 16) : '');

  /** Print ticket `id` again and say what became of it. Throws the API's refusal. */
  async function send(id, code) {
    let answer;
    try {
      answer = await api('POST', `/api/tickets/${id}/reprint`);
    } catch (err) {
      // A clerk may reprint only what their counter may touch: say that, not "not your counter".
      if (err instanceof ApiError && err.status === 403 && err.code === 'forbidden') {
        throw new ApiError(403, 'reprint_forbidden', err.message);
      }
      throw err;
    }
    const p = answer.print ?? {};
    const vars = { code: answer.code ?? code, why: reason(p.reason) };
    if (p.status === 'failed') say('error', t('reprint.failed', vars));
    else
      say('info', t(`reprint.${p.status === 'printed' || p.status === 'waiting' ? p.status : 'sent'}`, vars));
    refresh();
    later();
    return answer;
  }

  /** The list's own button: pressed twice, then the reprint. */
  async function fromList(job) {
    if (busy || !confirm.confirmed(`job:${job.job}`, t('reprint.again', { code: job.code }))) return;
    busy = true;
    render();
    try {
      await send(job.ticket, job.code);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) failed(err);
      else say('error', errorText(t, err));
      refresh();
    } finally {
      busy = false;
      render();
    }
  }

  async function refresh() {
    try {
      const answer = await api('GET', '/api/print-jobs');
      jobs = answer.jobs ?? [];
      render();
      onChange();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) failed(err);
      // Otherwise the list stays as it was; the next refresh tries again.
    }
  }

  /** Read the list again in a moment (the feed said a ticket moved). */
  function later() {
    clearTimeout(soon);
    soon = setTimeout(refresh, SETTLE_MS);
  }

  let drawn = ''; // what the list shows now: redrawn only when that changes
  function render() {
    const box = $('#unprinted-box');
    if (!box) return;
    const isArmed = (job) => confirm.isArmed(`job:${job.job}`);
    // The same list is not drawn again: a button is not replaced under the clerk's mouse.
    const key = JSON.stringify([t.lang(), busy, jobs.map((j) => [j.job, j.status, j.reason, isArmed(j)])]);
    if (key === drawn) return;
    drawn = key;
    box.hidden = jobs.length === 0;
    $('#unprinted-count').textContent = jobs.length;
    $('#unprinted').replaceChildren(
      ...jobs.map((job) => {
        const waiting = job.status !== 'failed';
        return h(
          'li',
          {
            dataset: {
              job: job.job,
              ticketId: job.ticket,
              status: waiting ? 'waiting' : 'failed',
              reason: job.reason ?? '',
            },
          },
          h('span', { class: 'code' }, job.code),
          h(
            'span',
            { class: 'what' },
            h(
              'span',
              { class: 'why' },
              `${t(waiting ? 'unprinted.waiting' : 'unprinted.failed')}${job.reason ? `: ${reason(job.reason)}` : ''}`,
            ),
            h(
              'span',
              { class: 'muted' },
              t('unprinted.where', { kiosk: job.kiosk, time: time(job.created_at) }),
            ),
          ),
          h(
            'button',
            {
              type: 'button',
              class: isArmed(job) ? 'armed' : '',
              dataset: { action: 'reprint-job', ticketId: job.ticket },
              disabled: busy,
              onclick: () => fromList(job),
            },
            t(isArmed(job) ? 'unprinted.confirm' : 'unprinted.reprint'),
          ),
        );
      }),
    );
  }

  return {
    /** Start following the list (the work view opened). */
    start() {
      clearInterval(timer);
      timer = setInterval(refresh, REFRESH_MS);
      refresh();
    },
    stop() {
      clearInterval(timer);
      clearTimeout(soon);
      timer = null;
      jobs = [];
      render();
    },
    refresh,
    later,
    render,
    send,
    /** The ticket ids whose print did not (or not yet) come out. */
    ids: () => new Set(jobs.map((j) => j.ticket)),
  };
}
