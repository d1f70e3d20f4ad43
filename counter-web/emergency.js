// Staff in trouble: the emergency button ("Báo động khẩn cấp") and the emergencies open now.
// The button is asked once more in a dialog (no key does it: it must not go off by mistake);
// then managers (the dashboard) and the other counters' consoles are alerted at once, with a
// banner and an alarm, through the staff feed (/shared/emergencies.js). This console shows its
// own alarm too, and marks it handled; another counter's alarm is a manager's to mark.

import { api } from '/shared/api.js';
import { makeEmergencies } from '/shared/emergencies.js';
import { $, say, state, t } from './ctx.js';
import { failed } from './signin.js';

const emergencies = makeEmergencies({
  t,
  banner: $('#sos-banner'),
  mine: () => state.no,
  mayHandle: (e) => e.counter === state.no,
  onError: failed,
});

/** The element that had the focus before the dialog opened: it gets it back. */
let before = null;

export function askEmergency(show) {
  const dialog = $('#sos-ask');
  if (show && dialog.hidden) before = document.activeElement;
  dialog.hidden = !show;
  for (const id of ['#top', '#main']) $(id).inert = show;
  if (show) $('#sos-no').focus();
  else if (before?.isConnected) before.focus();
}

async function send() {
  askEmergency(false);
  try {
    const answer = await api('POST', `/api/counters/${state.no}/emergency`);
    emergencies.set(answer);
    say('info', t('sos.sent'));
  } catch (err) {
    failed(err);
  }
}

export function wireEmergency() {
  $('#sos-btn').addEventListener('click', () => askEmergency(true));
  $('#sos-no').addEventListener('click', () => askEmergency(false));
  $('#sos-yes').addEventListener('click', send);
  $('#sos-ask').addEventListener('click', (e) => {
    if (e.target.id === 'sos-ask') askEmergency(false);
  });
}

export { emergencies };
