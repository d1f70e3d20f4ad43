// Staff in trouble, as staff pages see it (the clerk's console, the manager's dashboard): the
// staff feed /ws/staff (the emergencies open now, then the list again each time one is raised
// or handled; staff only, never a public screen), a banner drawn from it, and an alarm when
// one is raised. Each alarm is recorded in window.motcuaEmergencyRings: {counter, sound, at}.

import { api } from './api.js';
import { fill, h } from './el.js';
import { follow } from './feed.js';

const rings = [];
window.motcuaEmergencyRings = rings;
let audio = null;

/** Three short high tones: loud enough to turn a head, short enough not to panic a hall. */
function ring(counter) {
  let sound = false;
  try {
    audio ??= new AudioContext();
    audio.resume?.();
    sound = audio.state === 'running';
    for (let i = 0; i < 3; i++) {
      const at = audio.currentTime + i * 0.35;
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.frequency.value = i % 2 ? 660 : 880;
      gain.gain.setValueAtTime(0.3, at);
      gain.gain.exponentialRampToValueAtTime(0.001, at + 0.3);
      tone.connect(gain).connect(audio.destination);
      tone.start(at);
      tone.stop(at + 0.3);
    }
  } catch {
    // No sound on this machine: the banner still shows.
  }
  rings.push({ counter, sound, at: Date.now() });
}

/**
 * Follow the emergencies into `banner`. `t` is the page's translations, with the keys
 * sos.other ({no, by, at}), sos.mine ({at}), sos.handled, sos.handledOf ({no}).
 * `mine()` names the counter this page works at (the console), or null (the dashboard);
 * `mayHandle(e)` says whether this page may mark `e` handled; `onError(err)` shows a refusal.
 * Answers {start(), stop(), set(answer), render(), list()}.
 */
export function makeEmergencies({ t, banner, mine = () => null, mayHandle, onError }) {
  let feed = null;
  let open = [];
  let seq = 0; // the log's sequence number of the list shown: an older answer is stale

  /** Show `answer` ({seq, emergencies}) unless a newer list is shown; every alarm new to
   * this page rings (one raised while the link was down too), except this counter's own. */
  function take(answer) {
    if (answer.seq < seq) return;
    seq = answer.seq;
    const before = new Set(open.map((e) => e.counter));
    open = answer.emergencies ?? [];
    for (const e of open) if (!before.has(e.counter) && e.counter !== mine()) ring(e.counter);
    render();
  }

  async function handle(no) {
    try {
      take(await api('POST', `/api/counters/${no}/emergency/handled`));
    } catch (err) {
      onError?.(err);
    }
  }

  function line(e) {
    const own = e.counter === mine();
    const text = own
      ? t('sos.mine', { at: e.raised_at })
      : t('sos.other', { no: e.counter, by: e.by, at: e.raised_at });
    return h(
      'li',
      { dataset: { counter: e.counter } },
      h('span', { class: 'sos-text' }, text),
      mayHandle(e) &&
        h(
          'button',
          {
            type: 'button',
            class: 'sos-done',
            'aria-label': t('sos.handledOf', { no: e.counter }),
            onclick: () => handle(e.counter),
          },
          t('sos.handled'),
        ),
    );
  }

  function render() {
    banner.hidden = open.length === 0;
    document.body.dataset.emergency = open.length ? 'open' : '';
    fill(banner, open.length ? h('ul', {}, open.map(line)) : null);
  }

  return {
    start() {
      feed?.close();
      feed = follow('/ws/staff', {
        onFrame: take,
        onState: (live) => {
          banner.dataset.live = String(live);
        },
      });
    },
    stop() {
      feed?.close();
      feed = null;
      open = [];
      seq = 0;
      render();
    },
    /** Take the answer of this page's own raise at once (the feed confirms it). */
    set: take,
    render,
    list: () => open,
  };
}
