// A live feed: one WebSocket that reconnects by itself after any outage, with backoff
// (0.5 s doubling to 10 s). `online(true)` is reported only when a snapshot has arrived, so
// the page never claims to be live while it still shows what it knew before the outage.

const FIRST_DELAY = 500;
const MAX_DELAY = 10000;
// The server pings every 20 s, but pings are invisible to pages: when nothing has come for
// this long, ask /healthz whether the server is still there.
const QUIET_MS = 30000;

export function follow(path, { onFrame, online }) {
  let ws = null;
  let delay = FIRST_DELAY;
  let lastHeard = Date.now();
  let retry = null;

  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${path}`;

  function open() {
    retry = null;
    const socket = new WebSocket(url);
    ws = socket;
    socket.onmessage = (message) => {
      lastHeard = Date.now();
      let frame;
      try {
        frame = JSON.parse(message.data);
      } catch {
        return;
      }
      onFrame(frame);
      if (frame.type === 'snapshot') {
        delay = FIRST_DELAY;
        online(true);
      }
    };
    socket.onclose = () => lost(socket);
    socket.onerror = () => lost(socket);
  }

  // The socket is gone (or is declared gone): go offline and try again later.
  function lost(socket) {
    if (socket !== ws) return;
    ws = null;
    socket.onmessage = socket.onclose = socket.onerror = null;
    try {
      socket.close();
    } catch {
      /* already closed */
    }
    online(false);
    if (!retry) {
      retry = setTimeout(open, delay);
      delay = Math.min(delay * 2, MAX_DELAY);
    }
  }

  setInterval(async () => {
    const socket = ws;
    if (!socket || Date.now() - lastHeard < QUIET_MS) return;
    try {
      const r = await fetch('/healthz', { cache: 'no-store', signal: AbortSignal.timeout(5000) });
      if (!r.ok) throw new Error(`healthz ${r.status}`);
      lastHeard = Date.now();
    } catch {
      lost(socket);
    }
  }, 5000);

  // A TV that wakes up from standby should not wait for the backoff.
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden && !ws && retry) {
      clearTimeout(retry);
      open();
    }
  });

  open();
}
