// The Now tab's alerts (GET /api/alerts): a field's longest wait over its target, a counter idle
// while people wait, a printer out of paper, a kiosk or TV offline. Each is a sentence the
// server wrote in both languages; reading the list makes the hall check at once (and sends a
// new or ended alert to the webhook, once). Read with the Now tab's figures: on every frame of
// the hall feed and every 30 s.

import { api } from '/shared/api.js';
import { fill, h } from '/shared/el.js';

export function makeAlerts({ t, $ }) {
  let list = null; // the last answer (null before the first)

  function render() {
    if (!list) return;
    const alerts = list.alerts ?? [];
    $('#alerts-none').hidden = alerts.length > 0;
    $('#alerts-count').textContent = String(alerts.length);
    fill(
      $('#alerts-list'),
      alerts.map((a) =>
        h('li', { dataset: { kind: a.kind, subject: a.subject } }, t.pick(a.text_vi, a.text_en)),
      ),
    );
  }

  return {
    async refresh() {
      list = await api('GET', '/api/alerts');
      render();
    },
    render,
  };
}
