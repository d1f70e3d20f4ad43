// The hall TV (/display/) and a counter's display (/display/?counter=3).

import { follow } from './feed.js';
import { startClock, setTimeZone } from './clock.js';
import { setupSound, configure as configureSound } from './announce.js';
import * as hallMode from './hall.js';
import * as counterMode from './counter.js';

const params = new URLSearchParams(location.search);
const counterNo = Number(params.get('counter'));
const isCounter = Number.isInteger(counterNo) && counterNo > 0;
const mode = isCounter ? counterMode : hallMode;
const body = document.body;

body.dataset.mode = isCounter ? 'counter' : 'hall';
body.classList.add(`${body.dataset.mode}-mode`);
document.getElementById(isCounter ? 'hall' : 'counter').remove();
document.getElementById(isCounter ? 'counter' : 'hall').hidden = false;
mode.init(counterNo);
startClock();
setupSound(document.getElementById('sound'));

// Hall name, time zone, notice and field names; read again after every reconnect.
let settingsRetry = null;
async function loadSettings() {
  clearTimeout(settingsRetry);
  try {
    const r = await fetch('/api/services', { cache: 'no-store' });
    if (!r.ok) throw new Error(`services ${r.status}`);
    const s = await r.json();
    setTimeZone(s.timezone);
    configureSound(s.announcements);
    mode.settings(s);
  } catch {
    settingsRetry = setTimeout(loadSettings, 5000);
  }
}
loadSettings();

let lastSeq = -1;
const offline = document.getElementById('offline');
function online(on) {
  body.dataset.connected = String(on);
  offline.hidden = on;
  mode.online(on);
  if (on) loadSettings();
}
online(false);
offline.hidden = true; // not "reconnecting" before the first attempt had a chance
setTimeout(() => {
  offline.hidden = body.dataset.connected === 'true';
}, 1500);

follow(mode.feedPath(), {
  online,
  onFrame(frame) {
    if (typeof frame.seq !== 'number') return;
    // A snapshot replaces everything; an event older than what we have is already in it.
    if (frame.type === 'event' && frame.seq <= lastSeq) return;
    if (frame.type !== 'snapshot' && frame.type !== 'event') return;
    mode.apply(frame);
    lastSeq = frame.seq;
    body.dataset.lastSeq = String(frame.seq);
  },
});
