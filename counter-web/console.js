// The clerk console: sign in, open a counter, call and serve tickets.
//
// signin.js  the login form and the counter choice
// work.js    the counter feed, the waiting list, the day's counts
// desk.js    drawing the work view and which moves are legal
// moves.js   the clerk's moves and their answers
// keys.js    the keys and their help
// confirm.js, absents.js, reprint.js: asking twice, recent absences, tickets to print again.
// checkin.js: a booking checked in at the counter (typed or scanned).
// dossiers.js: the dossiers' codes of the ticket at the counter (typed, or a receipt scanned).
// emergency.js: the emergency button and the emergencies open now (other counters' ring).
// burst.js:   a scanner's keys anywhere on the console are a scan, never shortcuts.

import { applyStatic } from '/shared/i18n.js';
import { readScan } from '/kiosk/scan.js';
import { listenForBursts } from './burst.js';
import { takeScan, wireCheckIn } from './checkin.js';
import { $, say, state, t } from './ctx.js';
import { takeReceipt, wireDossiers } from './dossiers.js';
import { emergencies, wireEmergency } from './emergency.js';
import { legal, render, renderAbsentSoon, renderWaiting, tickTimer, tickWaiting } from './desk.js';
import { onKey, toggleHelp } from './keys.js';
import { act, refreshServices } from './moves.js';
import { wireQueue } from './queue.js';
import {
  chooseCounter,
  loadHall,
  login,
  logout,
  openCounter,
  showChosenFields,
  showLogin,
  whoIsIn,
} from './signin.js';
import { absents } from './work.js';

/** The language button names the other language, in that language. */
function markLanguage() {
  $('#lang-btn').lang = t.lang() === 'vi' ? 'en' : 'vi';
}

/**
 * A scan starting this soon after the last one ended is that scan's next line (a receipt whose
 * QR holds lines: the scanner types Enter for each). The first line was the scan; the rest is
 * dropped unread (it is the applicant's name, identifier…).
 */
const TAIL_MS = 100;
let lastScanEnd = Number.NEGATIVE_INFINITY;

/**
 * A scan typed while no field had the focus (burst.js): a dossier's receipt, while a ticket is
 * at the counter, is attached to it; anything else (a booking, an ID card) is checked in.
 */
function scanned(text, send, before, at) {
  const tail = typeof at === 'number' && at - lastScanEnd < TAIL_MS;
  lastScanEnd = performance.now();
  if (tail || state.view !== 'work') return;
  if (!$('#help').hidden) toggleHelp(false);
  const read = readScan(text);
  if (read.kind === 'receipt' && state.counter?.current) takeReceipt(read.dossier, send, before);
  else takeScan(text, send, before);
}

function wire() {
  $('#login-form').addEventListener('submit', login);
  $('#logout-btn').addEventListener('click', logout);
  $('#help-btn').addEventListener('click', () => toggleHelp(true));
  $('#help-close').addEventListener('click', () => toggleHelp(false));
  $('#help').addEventListener('click', (e) => {
    if (e.target.id === 'help') toggleHelp(false);
  });
  $('#lang-btn').addEventListener('click', () => {
    t.set(t.lang() === 'vi' ? 'en' : 'vi');
    markLanguage();
    if (state.view === 'choose') chooseCounter(false);
    if (state.view === 'work') render();
    emergencies.render();
  });
  $('#counter-select').addEventListener('change', showChosenFields);
  $('#transfer-service').addEventListener('focus', refreshServices);
  $('#message').addEventListener('click', () => say('', ''));
  $('button[data-action="open"]').addEventListener('click', () => {
    const no = Number($('#counter-select').value);
    if (no) openCounter(no);
  });
  for (const button of document.querySelectorAll('.desk button[data-action]')) {
    button.addEventListener('click', () => act(button.dataset.action));
  }
  // A ticket in the waiting list is a button: a click, Enter or Space calls exactly that one.
  $('#waiting').addEventListener('click', (e) => {
    const li = e.target.closest('li[data-ticket-id]');
    if (li) act('call', Number(li.dataset.ticketId));
  });
  wireQueue(() => renderWaiting(legal().call && !state.pending));
  $('#pause-reason').addEventListener('change', () => {
    const other = $('#pause-reason').value === '';
    $('#pause-other').hidden = !other;
    if (other) $('#pause-other').focus();
  });
  // The keys go through burst.js: a scanner's quick run of keys is a booking to check in.
  listenForBursts({
    onKey,
    onScan: scanned,
    active: () => state.view === 'work',
    field: $('#checkin-code'),
  });
  wireCheckIn();
  wireDossiers();
  wireEmergency();
  setInterval(() => {
    if (state.view !== 'work') return;
    tickTimer();
    tickWaiting();
    // Absent becomes possible once the minimum time since the call has passed.
    const button = $('button[data-action="no-show"]');
    // So does Recall, once the hall's gap since the last call has.
    const recall = $('button[data-action="recall"]');
    if (button.disabled !== (state.pending || !legal()['no-show'])) render();
    else if (recall.disabled !== (state.pending || !legal().recall)) render();
    else renderAbsentSoon();
    absents.render();
  }, 1000);
}

async function boot() {
  applyStatic(t);
  markLanguage();
  wire();
  const hall = loadHall();
  const user = await whoIsIn();
  await hall;
  if (!user) {
    showLogin();
    return;
  }
  state.user = user;
  await chooseCounter(true);
}

boot();
