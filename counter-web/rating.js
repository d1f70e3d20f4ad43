// The rating tablet at a counter. Signed in as the counter's clerk, it follows the counter
// feed; when a ticket is served there it asks the citizen to rate it, once: a face, then
// (a low one) reason chips (no keyboard here, so no comment), then how many times they had
// to come for the dossier (skippable). It goes back to its idle screen after a thank-you,
// or 30 s after the last touch, sending what was chosen by then: a face tapped is never
// lost. The server takes its rating only for the ticket the counter finished last, at most
// 5 minutes after (the citizen's own rating on the phone replaces it).
//
// Instead of a clerk's sign-in, the tablet may be paired to its counter as a device: "Ghép
// nối" shows a code (/shared/pairing.js) an admin accepts on the admin page; the tablet then
// keeps its token, follows the counter it was bound to and rates there, whoever the clerk.

import { ApiError, api } from '/shared/api.js';
import { clock } from '/shared/clock.js';
import { h } from '/shared/el.js';
import { follow } from '/shared/feed.js';
import { errorText, makeI18n } from '/shared/i18n.js';
import { pairingCard, startPairing } from '/shared/pairing.js';
import { ratingStrings, SCALES } from './strings.js';

const RATE_SECONDS = 30;
/** How long after the finish the server still takes the tablet's rating. */
const WINDOW_MS = 5 * 60 * 1000;
const THANKS_SECONDS = 5;
const REASONS = ['wait', 'attitude', 'guidance', 'repeat', 'other'];
const SAVED = 'motcua.tablet.counter';
/** A tablet paired to its counter keeps its device token here. */
const TOKEN_KEY = 'motcua.tablet.token';
const stored = (key) => {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
};
const keep = (key, value) => {
  try {
    if (value == null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    // Storage off: this page load only.
  }
};
const $ = (sel) => document.querySelector(sel);
const params = new URLSearchParams(location.search);
// Both languages at once, Vietnamese first (the tablet has no switch, and keeps no choice).
const t = makeI18n(ratingStrings, { remember: false });
/** Vietnamese first and big, English below and small, each marked with its language. */
const bi = (key, vars) => [
  h('span', { class: 'vi' }, t(key, vars)),
  h('span', { class: 'en', lang: t.lang() === 'vi' ? 'en' : 'vi' }, t.other(key, vars)),
];

const state = {
  no: Number(params.get('counter')) || Number(stored(SAVED)) || null,
  token: stored(TOKEN_KEY), // a paired tablet's token (else the clerk's session)
  pairing: null,
  scale: 5,
  feed: null,
  ticket: null, // the ticket being rated
  offered: new Set(), // tickets this tablet already asked about: never twice
  lastAt: null, // the server time of the last event seen (to catch up after an outage)
  timer: null,
  timerSeconds: null, // the delay of the timer armed, and what it does when it ends
  timerDone: null,
  // The rating being composed: the face tapped, a low one's reasons, the visits.
  draft: null,
};

// The tests' hook (no test waits 30 s): the seconds the pending timer was armed for, and
// its end, now, as if the seconds had passed.
window.motcuaTablet = {
  timerSeconds: () => (state.timer ? state.timerSeconds : null),
  timeOut: () => {
    const done = state.timerDone;
    clearTimeout(state.timer);
    state.timer = null;
    done?.();
  },
};

// ---------- faces ----------

const MOODS = {
  2: { fill: '#43b05c', mouth: 'M28 58 Q50 88 72 58 Z', filled: true },
  1: { fill: '#9ccc4a', mouth: 'M31 61 Q50 78 69 61' },
  0: { fill: '#f6c945', mouth: 'M33 67 L67 67' },
  '-1': { fill: '#f59a45', mouth: 'M32 72 Q50 57 68 72' },
  '-2': { fill: '#e8584c', mouth: 'M30 75 Q50 52 70 75', brows: true },
};

/** An SVG element (the kit's `h` makes HTML ones). */
function svgEl(tag, attrs, ...children) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  el.append(...children.filter(Boolean));
  return el;
}

const INK = '#2a1d12';
/** A simple face: mood 2 (beaming) to -2 (very unhappy). Decoration: the label says it. */
function face(mood) {
  const m = MOODS[mood];
  const line = { stroke: INK, 'stroke-width': 5, 'stroke-linecap': 'round' };
  return svgEl(
    'svg',
    { viewBox: '0 0 100 100', 'aria-hidden': 'true', focusable: 'false' },
    svgEl('circle', { cx: 50, cy: 50, r: 46, fill: m.fill, stroke: 'rgba(0,0,0,.18)', 'stroke-width': 3 }),
    svgEl('circle', { cx: 36, cy: 42, r: 6, fill: INK }),
    svgEl('circle', { cx: 64, cy: 42, r: 6, fill: INK }),
    m.brows ? svgEl('path', { d: 'M26 35 L41 28 M74 35 L59 28', ...line }) : null,
    svgEl('path', { d: m.mouth, fill: m.filled ? INK : 'none', 'stroke-linejoin': 'round', ...line }),
    m.filled ? svgEl('path', { d: 'M36 66 Q50 74 64 66 L62 63 Q50 68 38 63 Z', fill: '#fff' }) : null,
  );
}

/** Level on the hall's scale → mood of its face. */
function moodOf(level) {
  if (state.scale === 3) return { 3: 2, 2: 1, 1: -1 }[level];
  return level - 3;
}

// ---------- views ----------

function show(view) {
  document.body.dataset.view = view;
  clearTimeout(state.timer);
  state.timer = null;
}

/** Run `done` after `seconds` (one timer at a time). */
function after(seconds, done) {
  clearTimeout(state.timer);
  state.timerSeconds = seconds;
  state.timerDone = done;
  state.timer = setTimeout(() => {
    state.timer = null;
    done();
  }, seconds * 1000);
}

/** 30 s from the last touch on the rating screen: then what was chosen is sent. */
function armIdle() {
  after(RATE_SECONDS, timeOut);
  const bar = $('#countdown-bar');
  bar.classList.remove('run');
  void bar.offsetWidth;
  bar.style.animationDuration = `${RATE_SECONDS}s`;
  bar.classList.add('run');
}

function timeOut() {
  if (state.draft?.level != null) send();
  else idle();
}

/** A low rating asks why (satisfaction::is_low): 3 or less of 5, 1 of 3. */
const isLow = (level) => (state.scale === 3 ? level <= 1 : level <= 3);

function step(name) {
  $('#rate-view').dataset.step = name;
  for (const b of $('#reasons').children)
    b.setAttribute('aria-pressed', String(!!state.draft?.reasons.has(b.dataset.reason)));
}

function fillStatic() {
  for (const el of document.querySelectorAll('[data-bi]')) el.replaceChildren(...bi(el.dataset.bi));
  for (const el of document.querySelectorAll('[data-bi-plain]')) el.textContent = t(el.dataset.biPlain);
  $('#idle-face').replaceChildren(face(1));
  $('#thanks-face').replaceChildren(face(2));
  const chip = (key, dataset) => h('button', { type: 'button', class: 'chip', dataset }, ...bi(key));
  $('#reasons').replaceChildren(
    ...REASONS.map((r) => {
      const b = chip(`reason.${r}`, { reason: r });
      b.setAttribute('aria-pressed', 'false');
      b.addEventListener('click', () => {
        const reasons = state.draft?.reasons;
        if (!reasons) return;
        if (reasons.has(r)) reasons.delete(r);
        else reasons.add(r);
        step('reasons');
      });
      return b;
    }),
  );
  $('#visits').replaceChildren(
    ...[1, 2, 3].map((n) => {
      const b = chip(`visits.${n}`, { visits: n });
      b.addEventListener('click', () => {
        if (!state.draft) return;
        state.draft.visits = n;
        send();
      });
      return b;
    }),
  );
  $('#reasons-next').addEventListener('click', () => step('visits'));
  $('#visits-skip').addEventListener('click', () => send());
  // Any touch on the rating screen gives the citizen another 30 s.
  $('#rate-view').addEventListener('pointerdown', () => {
    if (document.body.dataset.view === 'rate' && state.draft && !state.draft.sent) armIdle();
  });
}

function idle() {
  state.ticket = null;
  state.draft = null;
  show('idle');
}

function offer(ticket) {
  if (state.offered.has(ticket.id) || ticket.rating != null) return;
  state.offered.add(ticket.id);
  state.ticket = ticket;
  state.draft = { level: null, reasons: new Set(), visits: null, sent: false };
  $('#rating-code').textContent = ticket.code;
  const scale = $('#scale');
  scale.classList.remove('sent');
  scale.replaceChildren(
    ...SCALES[state.scale].map(([level, labelVi, labelEn]) =>
      h(
        'button',
        {
          type: 'button',
          class: 'rate',
          dataset: { rating: level, mood: moodOf(level) },
          onclick: () => choose(level),
        },
        face(moodOf(level)),
        h(
          'span',
          {},
          h('span', { class: 'vi' }, t.pick(labelVi, labelEn)),
          h(
            'span',
            { class: 'en', lang: t.lang() === 'vi' ? 'en' : 'vi' },
            t.lang() === 'vi' ? labelEn : labelVi,
          ),
        ),
      ),
    ),
  );
  show('rate');
  step('level');
  armIdle();
}

function thank(note = '') {
  show('thanks');
  $('#thanks-note').textContent = note;
  after(THANKS_SECONDS, idle);
}

/** A face tapped: a low one asks why, every one then asks the visits. */
function choose(level) {
  const draft = state.draft;
  if (!draft || draft.sent || draft.level != null) return;
  draft.level = level;
  const scale = $('#scale');
  scale.classList.add('sent');
  scale.querySelector(`[data-rating="${level}"]`)?.classList.add('chosen');
  for (const b of scale.querySelectorAll('button')) b.disabled = true;
  step(isLow(level) ? 'reasons' : 'visits');
  armIdle();
}

/** Send the rating as chosen so far (the face, and whatever followed it). */
async function send() {
  const ticket = state.ticket;
  const draft = state.draft;
  if (!ticket || !draft || draft.sent || draft.level == null) return;
  draft.sent = true;
  const body = {
    level: draft.level,
    reasons: isLow(draft.level) ? [...draft.reasons] : [],
    visits_needed: draft.visits,
  };
  // The citizen is thanked once, whatever happens; a note under it is for the clerk.
  let thanked = false;
  const finish = (note = '') => {
    if (!thanked) {
      thanked = true;
      thank(note);
      return;
    }
    if (note && state.ticket === ticket && document.body.dataset.view === 'thanks')
      $('#thanks-note').textContent = note;
  };
  for (let attempt = 0; ; attempt++) {
    try {
      await api('POST', `/api/tickets/${ticket.id}/rate`, body, { token: state.token });
      finish();
      return;
    } catch (err) {
      // Rated already, or no longer this tablet's to rate: the citizen is thanked all the same.
      if (err.code === 'already_rated' || err.code === 'rating_not_allowed') {
        finish();
        return;
      }
      if (err.status === 401 && !thanked) {
        signIn(t('err.unauthenticated'));
        return;
      }
      if (err.code === 'network' && attempt < 3) {
        finish(); // a blip: keep trying behind the thank-you
        await new Promise((r) => setTimeout(r, 2000));
        continue;
      }
      finish(errorText(t, err));
      return;
    }
  }
}

// ---------- the feed ----------

function onFrame(frame) {
  if (frame.type === 'snapshot') {
    // A later snapshot means the feed was down or resynchronised: catch up.
    if (state.lastAt) catchUp(state.lastAt);
    return;
  }
  if (frame.type !== 'event') return;
  state.lastAt = frame.at;
  const tk = frame.ticket;
  if (!tk) return;
  if (frame.kind === 'served' && tk.counter === state.no) offer(tk);
  if (frame.kind === 'rated' && state.ticket?.id === tk.id && document.body.dataset.view === 'rate') {
    thank();
  }
}

/** After an outage: a ticket served here meanwhile, not rated yet, is still offered. */
async function catchUp(since) {
  // A paired tablet may not list tickets (staff only): it offers what the feed brings.
  if (document.body.dataset.view !== 'idle' || state.token) return;
  try {
    const { tickets } = await api('GET', '/api/tickets?status=served');
    const missed = tickets
      .filter(
        (t) => t.counter === state.no && t.finished_at && Date.parse(t.finished_at) >= Date.parse(since),
      )
      .sort((a, b) => Date.parse(b.finished_at) - Date.parse(a.finished_at))[0];
    // Only the counter's last ticket, and only while the server still takes its rating.
    const fresh = missed && missed.rating == null && clock.now() - Date.parse(missed.finished_at) < WINDOW_MS;
    if (fresh && document.body.dataset.view === 'idle') offer(missed);
  } catch {
    /* nothing to catch up with */
  }
}

/** Follow the counter's feed (the kit's: snapshot then events, reconnecting by itself). */
function listen() {
  state.feed?.close();
  const path = `/ws/counters/${state.no}`;
  state.feed = follow(state.token ? `${path}?token=${encodeURIComponent(state.token)}` : path, {
    onFrame,
    onClose({ opened }) {
      if (state.token && !opened) checkToken();
    },
    onState: (live) => {
      document.body.dataset.connected = String(live);
    },
  });
}

// ---------- signing in, or pairing ----------

/** The feed would not open with the tablet's token: revoked? Then forget it. */
async function checkToken() {
  try {
    await api('GET', '/api/session', undefined, { token: state.token });
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      keep(TOKEN_KEY, null);
      state.token = null;
      signIn('', true);
    }
  }
}

/** Pair this tablet with the counter chosen (or its own): a code for an admin to accept. */
function pair() {
  state.pairing?.stop();
  document.body.dataset.pairing = 'true';
  $('#login-form').hidden = true;
  $('button[data-action="pair"]').hidden = true;
  const chosen = Number($('#tablet-counter').value) || state.no;
  state.pairing = startPairing({
    kind: 'tablet',
    extra: chosen ? { counter: chosen } : {},
    onChange(p) {
      $('#pair-card').replaceChildren(pairingCard(p, { lang: 'vi', heading: 'h2' }));
    },
    onPaired(token, device) {
      state.pairing = null;
      delete document.body.dataset.pairing;
      keep(TOKEN_KEY, token);
      state.token = token;
      state.no = device.counter ?? state.no;
      if (state.no) keep(SAVED, String(state.no));
      $('#pair-card').replaceChildren();
      start();
    },
  });
}

function signIn(message = '', credentials = true) {
  state.feed?.close();
  state.feed = null;
  show('login');
  $('#login-form').hidden = false;
  $('button[data-action="pair"]').hidden = false;
  $('#credentials').hidden = !credentials;
  $('#counter-pick').hidden = !!params.get('counter') && !!state.no;
  $('#login-error').textContent = message;
}

async function submit(e) {
  e.preventDefault();
  const button = $('button[data-action="login"]');
  $('#login-error').textContent = '';
  if (!$('#counter-pick').hidden) {
    state.no = Number($('#tablet-counter').value) || null;
    if (state.no) localStorage.setItem(SAVED, String(state.no));
  }
  button.disabled = true;
  try {
    if (!$('#credentials').hidden || !(await signedIn())) {
      await api('POST', '/api/session', {
        name: $('#login-name').value.trim(),
        password: $('#login-password').value,
      });
      $('#login-password').value = '';
    }
    start();
  } catch (err) {
    $('#login-error').textContent = errorText(t, err);
  } finally {
    button.disabled = false;
  }
}

/** A paired tablet: the counter its token binds it to (a revoked token is forgotten). */
async function pairedCounter() {
  try {
    const { device } = await api('GET', '/api/session', undefined, { token: state.token });
    state.no = device?.counter ?? null;
    return state.no;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      keep(TOKEN_KEY, null);
      state.token = null;
      return null;
    }
    throw err;
  }
}

async function signedIn() {
  try {
    await api('GET', '/api/session');
    return true;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return false;
    throw err;
  }
}

function showCounter() {
  $('#counter-label').replaceChildren(
    ...(state.no
      ? [
          t('counter.n', { no: state.no }),
          ' ',
          h('small', { lang: t.lang() === 'vi' ? 'en' : 'vi' }, t.other('counter.n', { no: state.no })),
        ]
      : []),
  );
}

function start() {
  if (!state.no) {
    signIn('', false);
    return;
  }
  showCounter();
  idle();
  listen();
}

async function boot() {
  fillStatic();
  showCounter();
  $('#login-form').addEventListener('submit', submit);
  $('button[data-action="pair"]').addEventListener('click', pair);
  document.addEventListener('contextmenu', (e) => e.preventDefault());
  for (let wait = 1000; ; wait = Math.min(wait * 2, 10000)) {
    try {
      const info = await api('GET', '/api/services');
      state.scale = info.rating_scale === 3 ? 3 : 5;
      document.body.dataset.scale = String(state.scale);
      $('#hall-name').textContent = info.hall;
      const { counters } = await api('GET', '/api/counters');
      $('#tablet-counter').replaceChildren(
        ...counters.map((c) =>
          h('option', { value: c.no }, `${t('counter.n', { no: c.no })} — ${c.services.join(', ')}`),
        ),
      );
      if (state.no) $('#tablet-counter').value = String(state.no);
      if (state.token && (await pairedCounter())) {
        start();
        return;
      }
      const ok = await signedIn();
      if (ok && state.no) start();
      else signIn('', !ok);
      return;
    } catch (err) {
      signIn(errorText(t, err));
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

boot();
