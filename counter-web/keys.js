// The console's keys (the same moves as the buttons, asked twice the same way) and the help
// dialog that lists them.

import { h } from '/shared/el.js';
import { $, state, t } from './ctx.js';
import { legal } from './desk.js';
import { askEmergency } from './emergency.js';
import { act } from './moves.js';

/** [key, move, what the help says]. */
export const KEYS = [
  ['N', 'next', 'act.next'],
  ['R', 'recall', 'act.recall'],
  ['S', 'start', 'act.start'],
  ['F', 'finish', 'act.finish'],
  ['A', 'no-show', 'help.absentTwice'],
  ['T', 'transfer', 'help.transferKey'],
  ['B', 'return', 'act.return'],
  ['H', 'hold', 'act.hold'],
  ['X', 'cancel', 'help.cancelTwice'],
  ['I', 'reprint', 'help.reprintTwice'],
  ['P', 'pause', 'help.pauseResume'],
  ['?', 'help', 'help.help'],
];

/** The element that had the focus before the help opened: it gets it back. */
let before = null;

export function onKey(e) {
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  const help = $('#help');
  const sos = !$('#sos-ask').hidden;
  if (e.key === 'Escape') {
    if (sos) askEmergency(false);
    else if (!help.hidden) toggleHelp(false);
    else if (document.activeElement && document.activeElement !== document.body)
      document.activeElement.blur();
    return;
  }
  const target = e.target;
  if (e.key === 'Enter' && target.id === 'transfer-service') {
    e.preventDefault();
    act('transfer');
    return;
  }
  if (e.key === 'Enter' && target.id === 'pause-other') {
    e.preventDefault();
    act('pause');
    return;
  }
  if (state.view !== 'work' || sos || target.matches?.('input, select, textarea')) return;
  if (e.key === '?') {
    e.preventDefault();
    toggleHelp();
    return;
  }
  // No key works behind a dialog (the emergency's question or the help).
  if (!help.hidden || sos) return;
  const found = KEYS.find(([k]) => k === e.key.toUpperCase());
  if (!found) return;
  e.preventDefault();
  const action = found[1];
  if (action === 'transfer') {
    if (!legal().transfer) return;
    const select = $('#transfer-service');
    select.focus();
    try {
      select.showPicker();
    } catch {
      /* older browsers: the focused select will do */
    }
  } else if (action === 'pause') {
    act(state.counter?.state === 'paused' ? 'resume' : 'pause');
  } else {
    act(action);
  }
}

/** Open (or close) the keys' help; the rest of the page is inert while it is open. */
export function toggleHelp(show) {
  const help = $('#help');
  const open = show ?? help.hidden;
  if (open && help.hidden) {
    before = document.activeElement;
    $('#help-keys').replaceChildren(
      h('tr', {}, h('th', { scope: 'col' }, t('help.key')), h('th', { scope: 'col' }, t('help.does'))),
      ...KEYS.map(([k, , label]) => h('tr', {}, h('td', {}, h('kbd', {}, k)), h('td', {}, t(label)))),
      h('tr', {}, h('td', {}, h('kbd', {}, t('help.clickKey'))), h('td', {}, t('help.click'))),
      h('tr', {}, h('td', {}, h('kbd', {}, t('help.scanKey'))), h('td', {}, t('help.scan'))),
    );
  }
  help.hidden = !open;
  for (const id of ['#top', '#main']) $(id).inert = open;
  if (open) $('#help-close').focus();
  else if (before?.isConnected) before.focus();
}
