// Talking to the hall server: JSON requests with a deadline, and live feeds that
// reconnect by themselves with backoff.

const DEADLINE_MS = 8000;

/** Thrown when the server could not be reached at all (not for an HTTP error). */
export class NetworkError extends Error {}

/**
 * A JSON request: resolves to {status, body, retryAfter} for any HTTP answer (retryAfter: the
 * seconds of a Retry-After header, else null), throws NetworkError otherwise.
 */
export async function request(method, path, { body, token } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), DEADLINE_MS);
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      signal: abort.signal,
    });
  } catch (e) {
    throw new NetworkError(String(e));
  } finally {
    clearTimeout(timer);
  }
  let data = null;
  try {
    data = await res.json();
  } catch {
    // An empty or non-JSON body: keep the status alone.
  }
  const retryAfter = Number.parseInt(res.headers.get('Retry-After') ?? '', 10);
  return { status: res.status, body: data, retryAfter: Number.isFinite(retryAfter) ? retryAfter : null };
}

function wsUrl(path) {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${path}`;
}

/**
 * A live feed that never gives up: reconnects after 0.5 s, doubling to 10 s (with jitter),
 * and at once when the browser says the network is back.
 * handlers: onOpen(), onMessage(obj), onClose(everOpened)
 */
export function liveFeed(path, handlers) {
  let ws = null;
  let delay = 500;
  let timer = null;
  let stopped = false;

  function connect() {
    timer = null;
    let opened = false;
    try {
      ws = new WebSocket(wsUrl(path));
    } catch {
      return retry(false);
    }
    ws.onopen = () => {
      opened = true;
      delay = 500;
      handlers.onOpen?.();
    };
    ws.onmessage = (e) => {
      let msg;
      try {
        msg = JSON.parse(e.data);
      } catch {
        return;
      }
      handlers.onMessage?.(msg);
    };
    ws.onerror = () => {};
    ws.onclose = () => {
      ws = null;
      handlers.onClose?.(opened);
      retry(opened);
    };
  }

  function retry() {
    if (stopped || timer) return;
    const wait = delay * (0.75 + Math.random() / 2);
    delay = Math.min(delay * 2, 10000);
    timer = setTimeout(connect, wait);
  }

  function now() {
    if (stopped || ws) return;
    clearTimeout(timer);
    delay = 500;
    connect();
  }

  window.addEventListener('online', now);
  connect();

  return {
    /** Try again now rather than at the next backoff step. */
    now,
    stop() {
      stopped = true;
      clearTimeout(timer);
      window.removeEventListener('online', now);
      if (ws) {
        ws.onclose = null;
        ws.close();
      }
    },
  };
}
