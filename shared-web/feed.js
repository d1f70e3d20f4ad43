// A live feed: one WebSocket to the server that never gives up. The server sends a snapshot
// first, then events, each with a sequence number; the page is "live" only once a snapshot has
// arrived, so it never claims to be current while it still shows what it knew before an outage.
//
// Reconnects after 0.5 s, doubling to 10 s, with jitter (so a hall's screens do not all knock
// at once after a restart); at once when the network comes back or the screen wakes up. The
// server's pings are invisible to pages, so a watchdog asks /healthz when nothing has come for
// a while, and drops a link that is silently dead.

import { clock } from './clock.js';

export const FIRST_DELAY_MS = 500;
export const MAX_DELAY_MS = 10000;
/** Nothing heard for this long (the server pings every 20 s): ask /healthz. */
export const QUIET_MS = 30000;
/** A socket still connecting after this long is given up and tried again. */
const CONNECT_MS = 10000;

/** The wait before reconnection attempt `n` (0-based): 0.5 s doubling, ±25 % jitter, never over 10 s. */
export function backoff(n, random = Math.random) {
  const base = Math.min(FIRST_DELAY_MS * 2 ** Math.min(n, 10), MAX_DELAY_MS);
  return Math.round(Math.min(base * (0.75 + random() / 2), MAX_DELAY_MS));
}

/**
 * Follow `path` (e.g. '/ws/hall'):
 *   onFrame(frame)   every snapshot, and every event newer than what the page has (an event
 *                    repeated after a reconnection is dropped by its `seq`)
 *   onState(live)    when the feed goes live (snapshot received) or is lost
 *   onClose(info)    {code, reason, opened} of a closed socket; return false to stop following
 *                    (e.g. a device whose token was revoked)
 * Answers {close(), now()}: stop for good; try again at once.
 */
export function follow(path, { onFrame, onState = () => {}, onClose } = {}) {
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${path}`;
  let ws = null;
  let attempt = 0;
  let retry = null;
  let stopped = false;
  let live = false;
  let lastSeq = -1;
  let lastHeard = Date.now();
  let openedAt = 0;

  const setLive = (v) => {
    if (v === live) return;
    live = v;
    onState(v);
  };

  function connect() {
    retry = null;
    if (stopped) return;
    let socket;
    try {
      socket = new WebSocket(url);
    } catch {
      schedule();
      return;
    }
    ws = socket;
    openedAt = Date.now();
    let opened = false;
    socket.onopen = () => {
      opened = true;
      lastHeard = Date.now();
    };
    socket.onmessage = (message) => {
      if (socket !== ws) return;
      lastHeard = Date.now();
      let frame;
      try {
        frame = JSON.parse(message.data);
      } catch {
        return;
      }
      if (frame.type === 'snapshot') {
        if (typeof frame.seq === 'number') lastSeq = frame.seq;
        attempt = 0;
        onFrame(frame);
        setLive(true);
        return;
      }
      if (frame.type === 'event') {
        if (typeof frame.seq === 'number') {
          if (frame.seq <= lastSeq) return;
          lastSeq = frame.seq;
        }
        if (frame.at) clock.serverSaidNow(frame.at);
      }
      onFrame(frame);
    };
    socket.onerror = () => {};
    socket.onclose = (e) => {
      if (socket !== ws) return;
      ws = null;
      setLive(false);
      if (onClose?.({ code: e.code, reason: e.reason, opened }) === false) {
        stopped = true;
        return;
      }
      schedule();
    };
  }

  function schedule() {
    if (stopped || retry) return;
    retry = setTimeout(connect, backoff(attempt));
    attempt += 1;
  }

  /** Declare the socket dead (the close handler reconnects). */
  function drop() {
    const socket = ws;
    if (!socket) return;
    ws = null;
    socket.onmessage = socket.onopen = socket.onerror = socket.onclose = null;
    try {
      socket.close();
    } catch {
      // already closed
    }
    setLive(false);
    schedule();
  }

  function now() {
    if (stopped || ws) return;
    clearTimeout(retry);
    retry = null;
    attempt = 0;
    connect();
  }

  const watchdog = setInterval(async () => {
    const socket = ws;
    if (!socket) return;
    if (socket.readyState === WebSocket.CONNECTING) {
      if (Date.now() - openedAt > CONNECT_MS) drop();
      return;
    }
    if (Date.now() - lastHeard < QUIET_MS) return;
    try {
      const r = await fetch('/healthz', { cache: 'no-store', signal: AbortSignal.timeout(5000) });
      if (!r.ok) throw new Error(`healthz ${r.status}`);
      lastHeard = Date.now();
    } catch {
      if (socket === ws) drop();
    }
  }, 5000);

  const wake = () => {
    if (!document.hidden) now();
  };
  document.addEventListener('visibilitychange', wake);
  window.addEventListener('online', now);

  connect();
  return {
    now,
    close() {
      stopped = true;
      clearInterval(watchdog);
      clearTimeout(retry);
      document.removeEventListener('visibilitychange', wake);
      window.removeEventListener('online', now);
      const socket = ws;
      ws = null;
      if (socket) {
        socket.onclose = null;
        socket.close();
      }
      setLive(false);
    },
  };
}
