// Pairing this device by a code on its own screen (a kiosk, the hall's TV, a counter's
// rating tablet): it asks the
// server for a six-digit code (POST /api/pairings) and shows it with its QR code; an admin
// types the code (or scans the QR) on the admin page and names the device; meanwhile the
// device asks every 2 s with the secret it alone holds (POST /api/pairings/claim) and, once
// accepted, receives its token, this once. A reload shows the same code (the secret is kept
// in localStorage until the pairing ends); a lapsed code is replaced by a new one.
//
//   const pairing = startPairing({ kind: 'kiosk', onChange, onPaired });
//   pairingCard(pairing.state)  // the code, the QR and the steps, in both languages
//   pairing.stop()
//
// Hooks for browser tests: .pairing[data-state=asking|waiting|busy|offline],
// .pairing-code[data-code] (the six digits), img.pairing-qr.

import { api, ApiError } from './api.js';
import { h } from './el.js';

const POLL_MS = 2000;

export const pairingStrings = {
  vi: {
    title: 'Ghép nối thiết bị',
    code_label: 'Mã ghép nối',
    step: 'Cán bộ quản trị mở trang Quản trị › Thiết bị › Ghép nối thiết bị, nhập mã này hoặc quét mã QR, rồi đặt tên cho máy.',
    wait: 'Máy tự nhận quyền khi được chấp nhận, không cần nhập gì thêm.',
    minutes: (n) => `Mã còn hiệu lực ${n} phút.`,
    asking: 'Đang lấy mã ghép nối…',
    busy: 'Đã có nhiều mã ghép nối đang chờ. Máy sẽ thử lại sau ít phút.',
    offline: 'Chưa kết nối được máy chủ. Đang thử lại…',
    qr_alt: (code) => `Mã QR mở trang ghép nối với mã ${code}`,
  },
  en: {
    title: 'Pairing this device',
    code_label: 'Pairing code',
    step: 'An administrator opens Admin › Devices › Pair a device, types this code or scans the QR code, and names the device.',
    wait: 'The device takes its credential by itself once accepted; nothing more to type.',
    minutes: (n) => `The code is valid for ${n} more minute${n === 1 ? '' : 's'}.`,
    asking: 'Getting a pairing code…',
    busy: 'Many pairing codes are waiting already. The device will try again in a few minutes.',
    offline: 'The server cannot be reached yet. Trying again…',
    qr_alt: (code) => `QR code opening the pairing page with the code ${code}`,
  },
};

/** The code as a person reads it: 482 193. */
export function spaced(code) {
  return `${code.slice(0, 3)} ${code.slice(3)}`;
}

/**
 * Begin (or resume) pairing as a `kind` (`extra`: more of the request, e.g. a tablet's
 * `counter`). `onChange(state)` after every change of what the card shows;
 * `onPaired(token, device)` once, when an admin accepted the code.
 */
export function startPairing({ kind, extra = {}, onChange = () => {}, onPaired }) {
  const key = `motcua.pairing.${kind}`;
  const state = { status: 'asking', code: null, expiresAt: 0 };
  let timer = null;
  let stopped = false;

  const keep = (secret) => {
    try {
      if (secret) localStorage.setItem(key, secret);
      else localStorage.removeItem(key);
    } catch {
      // Storage off: this page load only.
    }
  };
  let secret = null;
  try {
    secret = localStorage.getItem(key);
  } catch {
    secret = null;
  }

  const set = (changes) => {
    Object.assign(state, changes);
    onChange(state);
  };
  const later = (ms) => {
    clearTimeout(timer);
    if (!stopped) timer = setTimeout(step, ms);
  };
  const waiting = (answer) =>
    set({
      status: 'waiting',
      code: answer.code,
      pairUrl: answer.pair_url,
      expiresAt: Date.now() + answer.expires_in_seconds * 1000,
    });

  async function step() {
    if (stopped) return;
    try {
      if (!secret) {
        const begun = await api('POST', '/api/pairings', { kind, ...extra });
        secret = begun.secret;
        keep(secret);
        waiting(begun);
        later(POLL_MS);
        return;
      }
      const answer = await api('POST', '/api/pairings/claim', { secret });
      if (stopped) return;
      if (answer.status === 'paired') {
        keep(null);
        stopped = true;
        onPaired(answer.token, answer.device);
        return;
      }
      waiting(answer);
      later(POLL_MS);
    } catch (err) {
      if (stopped) return;
      if (err instanceof ApiError && err.status === 404) {
        // Lapsed or used: a new code at once.
        secret = null;
        keep(null);
        set({ status: 'asking', code: null });
        later(0);
      } else if (err instanceof ApiError && err.status === 429) {
        set({ status: 'busy', code: null });
        later(Math.min(Math.max(err.retryAfter ?? 60, 5), 300) * 1000);
      } else {
        set({ status: 'offline' });
        later(5000);
      }
    }
  }

  step();
  return {
    state,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

/**
 * The pairing card for `state`: the code and its QR when there is one, and the steps, in
 * the page's language first (`lang`) and the other beneath. `heading` is the first
 * language's heading level (the page's one <h1>, or an <h2> under it).
 */
export function pairingCard(state, { lang = 'vi', heading = 'h2' } = {}) {
  const other = lang === 'vi' ? 'en' : 'vi';
  const words = (l, k, ...args) => {
    const s = pairingStrings[l][k];
    return typeof s === 'function' ? s(...args) : s;
  };
  const minutes = Math.max(1, Math.ceil((state.expiresAt - Date.now()) / 60000));
  const lines = (l, first) => {
    if (state.status !== 'waiting') {
      return [
        h('p', { class: first ? 'pairing-note' : 'pairing-note other', lang: l }, words(l, state.status)),
      ];
    }
    return [
      h('p', { class: first ? 'pairing-step' : 'pairing-step other', lang: l }, words(l, 'step')),
      h(
        'p',
        { class: first ? 'pairing-wait' : 'pairing-wait other', lang: l },
        `${words(l, 'wait')} ${words(l, 'minutes', minutes)}`,
      ),
    ];
  };
  const code =
    state.status === 'waiting'
      ? h(
          'div',
          { class: 'pairing-show' },
          h(
            'p',
            { class: 'pairing-code-box' },
            h(
              'span',
              { class: 'pairing-label' },
              `${words(lang, 'code_label')} · `,
              h('span', { lang: other }, words(other, 'code_label')),
            ),
            h('output', { class: 'pairing-code', 'data-code': state.code }, spaced(state.code)),
          ),
          h('img', {
            class: 'pairing-qr',
            src: `/api/pairings/${encodeURIComponent(state.code)}/qr.svg`,
            alt: words(lang, 'qr_alt', spaced(state.code)),
            width: 240,
            height: 240,
          }),
        )
      : null;
  return h(
    'div',
    { class: 'pairing', 'data-state': state.status, 'aria-live': 'polite' },
    h(
      heading,
      { class: 'pairing-title' },
      words(lang, 'title'),
      ' ',
      h('span', { lang: other, class: 'other' }, `· ${words(other, 'title')}`),
    ),
    code,
    ...lines(lang, true),
    ...lines(other, false),
  );
}
