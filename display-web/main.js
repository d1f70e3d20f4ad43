// The hall TV (/display/) and a counter's display (/display/?counter=3).

import { api } from '/shared/api.js';
import { clock } from '/shared/clock.js';
import { follow } from '/shared/feed.js';
import { configure as configureSound, setupSound } from './announce.js';
import { setTimeZone, startClock } from './clock.js';
import * as counterMode from './counter.js';
import * as hallMode from './hall.js';
import { fillStatic } from './texts.js';

const params = new URLSearchParams(location.search);
const counterNo = Number(params.get('counter'));
const isCounter = Number.isInteger(counterNo) && counterNo > 0;
const mode = isCounter ? counterMode : hallMode;
const body = document.body;

body.dataset.mode = isCounter ? 'counter' : 'hall';
body.classList.add(`${body.dataset.mode}-mode`);
document.getElementById(isCounter ? 'hall' : 'counter').remove();
document.getElementById(isCounter ? 'counter' : 'hall').hidden = false;
fillStatic();
mode.init(counterNo);
startClock();
setupSound(document.getElementById('sound'));

// Hall name, time zone, notice and field names; read again with every snapshot (a reconnect,
// or the hall's set-up changed on the admin pages).
let settingsRetry = null;
async function loadSettings() {
  clearTimeout(settingsRetry);
  try {
    const s = await api('GET', '/api/services');
    setTimeZone(s.timezone);
    configureSound(s.announcements);
    mode.settings(s);
  } catch {
    settingsRetry = setTimeout(loadSettings, 5000);
  }
}
loadSettings();

const offline = document.getElementById('offline');
function online(on) {
  body.dataset.connected = String(on);
  offline.hidden = on;
  mode.online(on);
}
online(false);
offline.hidden = true; // not "reconnecting" before the first attempt had a chance
setTimeout(() => {
  offline.hidden = body.dataset.connected === 'true';
}, 1500);

// The kit's feed drops an event it already has (by its seq) and says "live" only after a
// snapshot, which replaces everything.
follow(mode.feedPath(), {
  onState: online,
  onFrame(frame) {
    if (typeof frame.seq !== 'number') return;
    if (frame.type !== 'snapshot' && frame.type !== 'event') return;
    // The hall's "now" (the kit's feed takes each event's time itself).
    if (frame.type === 'snapshot') {
      clock.serverSaidNow(frame.now);
      loadSettings();
    }
    mode.apply(frame);
    body.dataset.lastSeq = String(frame.seq);
  },
});
