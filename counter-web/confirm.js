// Asking twice before what cannot be taken back (cancel a ticket, mark a citizen absent,
// print a ticket again): the same for a click and for a key. A first press arms the move
// (its button turns amber and the console says what the second press does); a second
// press of the same move for the same ticket within a few seconds carries it out. Anything
// else, or waiting, disarms it.

/** A first press arms a move for this long. */
export const CONFIRM_MS = 3_000;

export function makeConfirm({ say, onChange }) {
  let armed = { key: null, at: 0 };
  let timer = null;

  const fresh = () => armed.key !== null && Date.now() - armed.at < CONFIRM_MS;

  function disarm() {
    clearTimeout(timer);
    const was = armed.key;
    armed = { key: null, at: 0 };
    if (was !== null) onChange();
  }

  /** True on the second press of `key` within CONFIRM_MS; else arm it and say `prompt`. */
  function confirmed(key, prompt) {
    if (armed.key === key && fresh()) {
      disarm();
      return true;
    }
    clearTimeout(timer);
    armed = { key, at: Date.now() };
    say('info', prompt);
    onChange();
    timer = setTimeout(disarm, CONFIRM_MS + 50);
    return false;
  }

  return {
    confirmed,
    disarm,
    /** Whether `key` waits for its second press now. */
    isArmed: (key) => armed.key === key && fresh(),
  };
}
