// A USB scanner at the console types like a keyboard: what it read, a key every few
// milliseconds, then Enter. The console's moves are single keys (N, R, S, F, A, T, B, X, I,
// P, ?), so a scanned code taken key by key would pause the counter at its P, arm Cancel at
// its X and call the next citizen at its N. The rule, on the work view, everywhere but the
// check-in field (which takes typing itself):
//
//  1. A printable key is held for HOLD_MS before it acts as its shortcut. Nobody types two
//     keys that close together on purpose, and a person does not notice the wait.
//  2. A second printable key within HOLD_MS of the one before is a burst, that is, a scan: the
//     held key is dropped (it never acts), and every key up to Enter (or Tab, which some
//     scanners send instead) is taken for the scan and does nothing else: no shortcut, no
//     button pressed by its spaces or its Enter. The burst then goes into "Xác nhận lịch
//     hẹn" as if typed there and is sent (checkin.js `takeScan`). A burst that ends without
//     Enter (END_MS without a key) is put in the field for the clerk to send.
//  3. From a burst's first `|` on (the chip ID card's QR: number|old number|name|…), its keys
//     are dropped as they come: only the text before it, the ID number, is kept, as the
//     field itself does (kiosk-web/scan.js has the rules).
//  4. On a list (the transfer's field, the pause's reason) a key picks an item at once, as
//     before; if a burst follows, the list is put back as it was before the burst's first key,
//     and its Enter does not transfer. A text field (the pause's own reason) is left alone:
//     Vietnamese input methods (Unikey's Telex) type in bursts themselves.
//
// A key alone still acts as before, HOLD_MS later. Keys held down (auto-repeat) act once.
// Only the keyboard's own keys count (`isTrusted`): a key that a script dispatches was not
// typed by anyone and acts at once, as it always did.

/** A second key sooner than this after the one before is a scanner's (they type every 1 to 20 ms). */
export const HOLD_MS = 35;
/** A burst without Enter ends after this long without a key. */
export const END_MS = 500;
const MODIFIERS = ['Shift', 'Control', 'Alt', 'AltGraph', 'Meta', 'CapsLock', 'NumLock'];
/** Longer than any code we read; the ID card's text is cut at its first `|` anyway. */
const MAX_LENGTH = 200;

/** A field that takes text typed into it. */
function textField(el) {
  if (!el || el === document.body) return false;
  if (el.isContentEditable || el.tagName === 'TEXTAREA') return true;
  return el.tagName === 'INPUT' && !['button', 'checkbox', 'radio', 'submit', 'reset'].includes(el.type);
}

/** A list's choice before a key picked another, to put it back. */
function restore({ el, value }) {
  if (el.value === value) return;
  el.value = value;
  // What hangs on the choice (the pause's own reason field) follows it back.
  el.dispatchEvent(new Event('change', { bubbles: true }));
}

/**
 * Listen to the console's keys. `onKey(e)` is the shortcuts' handler: it gets every key that
 * is not part of a burst, a printable one HOLD_MS late. `onScan(text, send, before, at)` gets a
 * burst: its text (an ID card's cut after its first `|`), whether it ended with Enter, the
 * element that had the focus, and when its first key came (`performance.now()`'s clock). `active()` says whether the rule applies now (the work view);
 * `field` is the check-in field, left to type into.
 */
export function listenForBursts({ onKey, onScan, active, field }) {
  let last = null; // the last lone printable key: {e, at, timer, snap}
  let burst = null; // {text, cut, before, timer}

  const stamp = (e) => (e.timeStamp > 0 ? e.timeStamp : performance.now());

  /** Act on a held key, once its time has passed with no other key after it. */
  function fire(held) {
    if (held.timer === null) return; // dropped into a burst, or acted already
    // A timer run late means the page was busy; keys typed meanwhile may still be queued
    // behind it. Let them come first, once.
    if (!held.yielded && performance.now() - held.at > 2 * HOLD_MS) {
      held.yielded = true;
      held.timer = setTimeout(() => fire(held), 0);
      return;
    }
    clearTimeout(held.timer);
    held.timer = null;
    onKey(held.e);
  }

  /** A key comes later than HOLD_MS after the held one: the held one was alone, it acts now. */
  function settle() {
    const held = last;
    last = null;
    if (!held?.timer) return;
    clearTimeout(held.timer);
    held.timer = null;
    onKey(held.e);
  }

  function end(send) {
    const done = burst;
    if (!done) return;
    clearTimeout(done.timer);
    burst = null;
    last = null;
    onScan(done.text, send, done.before, done.at);
  }

  /** Add a key to the burst; from the first `|` on, nothing more of an ID card is kept. */
  function add(key) {
    if (burst.cut || burst.text.length >= MAX_LENGTH) return;
    burst.text += key;
    if (key === '|') burst.cut = true;
  }

  function start(e) {
    const first = last;
    clearTimeout(first.timer);
    first.timer = null; // dropped: it never acts
    if (first.snap) restore(first.snap);
    const before = first.snap?.el ?? document.activeElement;
    // The focus leaves what it was on (a button, the pause reason): nothing there takes the
    // scan's keys, nor text a scanner inserts without a key of its own.
    if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur();
    burst = { text: '', cut: false, before, timer: null, at: first.at };
    add(first.e.key);
    if (e.key !== 'Enter') add(e.key);
  }

  document.addEventListener('keydown', (e) => {
    const printable = [...e.key].length === 1;
    // (AltGr, which types `|` on some layouts, is no shortcut's chord.)
    const chord = (e.ctrlKey || e.metaKey || e.altKey) && !e.getModifierState?.('AltGraph');
    if (!e.isTrusted || chord || e.isComposing || !active()) {
      onKey(e);
      return;
    }
    // A scanner presses Shift for its capitals and `#`: that neither ends nor breaks a burst.
    if (MODIFIERS.includes(e.key)) {
      if (!burst) onKey(e);
      return;
    }
    const at = stamp(e);
    if (burst) {
      if (!printable && e.key !== 'Enter' && e.key !== 'Tab') return; // an arrow, Escape…
      e.preventDefault();
      if (e.key === 'Enter' || e.key === 'Tab') {
        end(true);
        return;
      }
      add(e.key);
      clearTimeout(burst.timer);
      burst.timer = setTimeout(() => end(false), END_MS);
      return;
    }
    // (A list's choice may have moved the focus into a text field: the burst goes on.)
    const soon = last !== null && at - last.at < HOLD_MS;
    if (soon && (printable || e.key === 'Enter')) {
      e.preventDefault();
      start(e);
      if (e.key === 'Enter') end(true);
      else burst.timer = setTimeout(() => end(false), END_MS);
      return;
    }
    settle();
    if (e.target === field || textField(e.target)) {
      onKey(e);
      return;
    }
    if (!printable || e.repeat) {
      if (e.repeat && printable && e.target.tagName !== 'SELECT') e.preventDefault();
      else onKey(e);
      return;
    }
    if (e.target.tagName === 'SELECT') {
      // Picks at once, as ever; put back if a burst follows.
      last = { e, at, timer: null, snap: { el: e.target, value: e.target.value } };
      onKey(e);
      return;
    }
    if (e.key === ' ') {
      // A space on its own presses the focused button; it never starts a burst.
      onKey(e);
      return;
    }
    e.preventDefault();
    const held = { e, at, timer: null, snap: null };
    held.timer = setTimeout(() => fire(held), HOLD_MS);
    last = held;
  });
}
