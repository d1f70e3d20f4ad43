// The Now tab against a flood of tickets: the alerts about kiosks and staff refused for
// issuing too fast (the `issuing_alerts` of /api/stats/now, until acknowledged with
// POST /api/issuing-alerts/{id}/acknowledge), and the bulk cancellation form
// (POST /api/bulk-cancellations): it first asks how many waiting tickets it would cancel
// (a dry run), shows them, and cancels only when the manager confirms.

import { api } from '/shared/api.js';
import { h } from '/shared/el.js';
import { errorText } from '/shared/i18n.js';

/** How many codes the confirmation lists before "…". */
const CODES_SHOWN = 20;

export function makeAbuse({ t, fmt, $, refresh }) {
  let pending = null; // the request the manager is asked to confirm

  function renderAlerts(now) {
    const alerts = now?.issuing_alerts ?? [];
    $('#now-alerts').replaceChildren(
      ...alerts.map((a) =>
        h(
          'div',
          { class: 'card issuing-alert', dataset: { alert: a.id }, role: 'alert' },
          h('strong', {}, t(a.issuer === 'kiosk' ? 'alert.kiosk' : 'alert.staff', { name: a.name })),
          h(
            'p',
            {},
            t('alert.detail', {
              n: fmt.int(a.refused),
              first: fmt.timeSeconds(a.first_refused_at),
              last: fmt.timeSeconds(a.last_refused_at),
            }),
            a.priority_refused ? ` ${t('alert.priority', { n: fmt.int(a.priority_refused) })}` : '',
          ),
          h(
            'div',
            { class: 'alert-actions' },
            h(
              'button',
              {
                type: 'button',
                class: 'danger',
                dataset: { action: 'alert-bulk' },
                onclick: () => prefill(a),
              },
              t('alert.cancelTheirs'),
            ),
            h(
              'button',
              { type: 'button', dataset: { action: 'alert-ack' }, onclick: () => acknowledge(a.id) },
              t('alert.ack'),
            ),
          ),
        ),
      ),
    );
    // The field list of the form follows the hall's fields.
    const select = $('#bulk-field');
    const chosen = select.value;
    select.replaceChildren(
      h('option', { value: '' }, t('bulk.anyField')),
      ...(now?.fields ?? []).map((f) =>
        h('option', { value: f.code }, `${f.code} · ${t.lang() === 'en' ? f.name_en : f.name_vi}`),
      ),
    );
    select.value = chosen;
  }

  async function acknowledge(id) {
    try {
      await api('POST', `/api/issuing-alerts/${encodeURIComponent(id)}/acknowledge`, {});
      refresh();
    } catch (err) {
      $('#now-error').textContent = errorText(t, err);
    }
  }

  /** "Cancel this issuer's waiting tickets": the form, filled in, for the manager to check. */
  function prefill(alert) {
    $('#bulk-kiosk').value = alert.issuer === 'kiosk' ? alert.name : '';
    $('#bulk-clerk').value = alert.issuer === 'kiosk' ? '' : alert.name;
    $('#bulk-from').value = '';
    $('#bulk-to').value = '';
    $('#bulk-field').value = '';
    $('#bulk-reason').value = t('bulk.floodReason', { name: alert.name });
    hideConfirm();
    $('#bulk-form').scrollIntoView({ block: 'center' });
    $('#bulk-reason').focus();
  }

  function request() {
    const text = (id) => $(id).value.trim() || undefined;
    return {
      kiosk: text('#bulk-kiosk'),
      clerk: text('#bulk-clerk'),
      from: text('#bulk-from'),
      to: text('#bulk-to'),
      service: text('#bulk-field'),
      reason: text('#bulk-reason'),
    };
  }

  function hideConfirm() {
    pending = null;
    $('#bulk-confirm').hidden = true;
  }

  /** Count first: what would be cancelled, shown for the manager to confirm. */
  async function check(e) {
    e.preventDefault();
    $('#bulk-result').textContent = '';
    const ask = request();
    if (!ask.kiosk && !ask.clerk && !ask.from && !ask.to) {
      $('#bulk-result').textContent = t('bulk.needSelection');
      return;
    }
    try {
      const found = await api('POST', '/api/bulk-cancellations', { ...ask, dry_run: true });
      if (!found.count) {
        hideConfirm();
        $('#bulk-result').textContent = t('bulk.nothing');
        return;
      }
      const codes =
        found.codes.slice(0, CODES_SHOWN).join(', ') + (found.codes.length > CODES_SHOWN ? ', …' : '');
      $('#bulk-confirm-text').textContent = t('bulk.willCancel', { n: fmt.int(found.count), codes });
      $('#bulk-confirm').hidden = false;
      pending = ask;
    } catch (err) {
      hideConfirm();
      $('#bulk-result').textContent = errorText(t, err);
    }
  }

  async function confirm() {
    if (!pending) return;
    const ask = pending;
    hideConfirm();
    try {
      const done = await api('POST', '/api/bulk-cancellations', ask);
      $('#bulk-result').textContent = t('bulk.done', { n: fmt.int(done.count) });
      refresh();
    } catch (err) {
      $('#bulk-result').textContent = errorText(t, err);
    }
  }

  function wire() {
    $('#bulk-form').addEventListener('submit', check);
    $('button[data-action="bulk-confirm"]').addEventListener('click', confirm);
    $('button[data-action="bulk-back"]').addEventListener('click', hideConfirm);
    // A changed selection needs counting again.
    $('#bulk-form').addEventListener('input', hideConfirm);
  }

  return { renderAlerts, wire };
}
