// Going back to the start: how long each screen stays untouched, the countdown under an
// unprinted ticket, and the "more time?" warning over a timed step (WCAG 2.2.1: warn, and
// let the person ask for more).

import { h } from '/shared/el.js';
import { timeLimit } from './limit.js';
import { nav, S, t } from './state.js';
import { doneButton } from './ticket.js';
import { ico, label, other } from './ui.js';

// A step left untouched this long asks "more time?", then waits WARN_MS for an answer
// before it goes back to the start (WCAG 2.2.1 asks for a warning and at least 20 s).
const IDLE_MS = 30_000;
const WARN_MS = 20_000;
const PRINTED_MS = 15_000; // a printed ticket stays this long: it is in the citizen's hand
// A ticket that did not print stays 90 s, counting down on screen, unless the citizen taps
// "I have my number" sooner: long enough for someone slow with a phone to photograph the
// number or scan the QR code (the last 20 s ask "more time?"), short enough that the next
// person in the queue does not find it on the screen and follow or rate someone else's ticket.
const UNPRINTED_MS = 90_000;

/**
 * How the screen shown now times out, or null when it stays: `ms` until it goes back to the
 * start, whether it first warns (the last WARN_MS ask "more time?"), whether any touch
 * starts it again, whether it counts down on screen.
 */
function plan() {
  switch (S.screen) {
    case 'start':
      // Back to Vietnamese for the next person: nothing is lost, so no warning.
      return t.lang() === 'vi' ? null : { kind: 'lang', ms: IDLE_MS, touch: true };
    case 'priority':
    case 'confirm':
    case 'checkin':
    case 'result':
      return S.busy ? null : { kind: 'step', ms: IDLE_MS + WARN_MS, warnMs: WARN_MS, touch: true };
    case 'ticket':
      if (S.print?.state === 'printed') return { kind: 'printed', ms: PRINTED_MS, touch: true };
      if (S.print?.state === 'printing') return null; // the word comes soon (ticket.js)
      // Not printed: only the citizen's own "more time" keeps it, never a stranger's touch.
      return { kind: 'unprinted', ms: UNPRINTED_MS, warnMs: WARN_MS, shown: true };
    default:
      return null;
  }
}

export const limit = timeLimit({
  onExpire: () => nav.goStart(),
  onWarn: () => drawTimeout(),
  onTick(seconds) {
    for (const el of document.querySelectorAll('[data-seconds]')) {
      if (el.dataset.shown === seconds) continue;
      el.dataset.shown = seconds;
      el.replaceChildren(...secondsText(el.dataset.seconds, seconds));
    }
  },
});

/** Start the screen's timeout again (`keep`: unless the same kind is already running). */
export function armIdle(keep = false) {
  limit.arm(plan(), keep);
  drawTimeout();
}

/** A sentence with the seconds left in it, in both languages. */
function secondsText(key, n) {
  return [h('strong', {}, t(key, { n })), other('small', {}, key, { n })];
}

/** The countdown under an unprinted ticket, and the "more time?" warning over any step. */
export function drawTimeout() {
  const idle = limit.now;
  const left = limit.secondsLeft();
  const count = document.getElementById('ticket-countdown');
  if (count) {
    count.hidden = !(idle.shown && !idle.warning);
    const words = h(
      'span',
      { 'data-seconds': 'closes_in', 'data-shown': left },
      secondsText('closes_in', left),
    );
    count.replaceChildren(...(count.hidden ? [] : [ico('clock'), words]));
  }
  const layer = document.getElementById('timeout');
  if (!idle.warning) {
    layer.removeAttribute('data-open');
    layer.className = 'timeout';
    layer.replaceChildren();
    return;
  }
  layer.dataset.open = '';
  // Over a step the warning hides the screen; over a ticket it leaves the number and QR
  // in sight (the citizen may be photographing them) and offers "I have my number" too.
  layer.className = `timeout on ${S.screen === 'ticket' ? 'over-ticket' : 'over-step'}`;
  layer.replaceChildren(
    h(
      'div',
      {
        class: 'timeout-card',
        role: 'alertdialog',
        'aria-modal': 'true',
        'aria-labelledby': 'timeout-q',
        'aria-describedby': 'timeout-left',
      },
      h(
        'div',
        { class: 'timeout-head' },
        ico('clock'),
        h(
          'div',
          {},
          h('h2', { id: 'timeout-q' }, t('more_time_q')),
          other('p', { class: 'sub' }, 'more_time_q'),
        ),
      ),
      h(
        'p',
        { id: 'timeout-left', class: 'left', 'data-seconds': 'more_time_left', 'data-shown': left },
        secondsText('more_time_left', left),
      ),
      h(
        'div',
        { class: 'timeout-actions' },
        h(
          'button',
          { type: 'button', class: 'more', 'data-action': 'more-time', onclick: () => moreTime() },
          label('more_time'),
        ),
        S.screen === 'ticket' ? doneButton() : null,
      ),
    ),
  );
  // A screen reader (or a keyboard) lands on the answer.
  layer.querySelector('.more')?.focus({ preventScroll: true });
}

/** The citizen asked for more time: the step's whole time again. */
function moreTime() {
  if (!limit.now.kind) return;
  armIdle();
}
