// The hall TV (/display/) and a counter's display (/display/?counter=3).
//
// A screen works unpaired (the feeds are public). Opened with ?pair (/display/?pair, or
// /display/?counter=3&pair) and no token yet, it shows a pairing code instead
// (/shared/pairing.js) until an admin accepts it; then it keeps its token and opens its feed
// with it, so the admin page lists it with its last sign of life and can revoke it (a revoked
// screen goes back to its pairing code).

import { api } from '/shared/api.js';
import { clock } from '/shared/clock.js';
import { follow } from '/shared/feed.js';
import { pairingCard, startPairing } from '/shared/pairing.js';
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

const TOKEN_KEY = 'motcua.display.token';
/** The feed being followed. */
let feed = null;
let token = null;
try {
  token = localStorage.getItem(TOKEN_KEY);
} catch {
  token = null;
}

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
  offline.hidden = body.dataset.connected === 'true' || body.dataset.pairing === 'true';
}, 1500);

/** Not paired and asked to be: the code, full screen, until an admin accepts it. */
function pairScreen(revoked) {
  body.dataset.pairing = 'true';
  offline.hidden = true;
  for (const el of document.querySelectorAll('body > main')) el.hidden = true;
  const screen = document.createElement('main');
  screen.id = 'pairing';
  screen.className = 'pairing-screen';
  document.body.append(screen);
  startPairing({
    kind: 'display',
    onChange(state) {
      screen.replaceChildren(pairingCard(state, { lang: 'vi', heading: 'h1' }));
      if (revoked) screen.dataset.revoked = 'true';
    },
    onPaired(given) {
      try {
        localStorage.setItem(TOKEN_KEY, given);
      } catch {
        // Storage off: nothing kept.
      }
      location.replace(location.pathname + (isCounter ? `?counter=${counterNo}` : ''));
    },
  });
}

/** The feed would not open with our token: revoked? Then stop, forget it and pair again. */
async function checkToken() {
  try {
    await api('GET', '/api/session', undefined, { token });
  } catch (err) {
    if (err.status !== 401) return;
    try {
      localStorage.removeItem(TOKEN_KEY);
    } catch {
      // Storage off.
    }
    token = null;
    feed?.close();
    body.dataset.connected = 'false';
    pairScreen(true);
  }
}

// The kit's feed drops an event it already has (by its seq) and says "live" only after a
// snapshot, which replaces everything.
if (!token && params.has('pair')) {
  pairScreen(false);
} else {
  watch();
}

function watch() {
  const path = token ? `${mode.feedPath()}?token=${encodeURIComponent(token)}` : mode.feedPath();
  feed = follow(path, {
    onState: online,
    onClose({ opened }) {
      if (token && !opened) checkToken();
    },
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
}
