// The JSON API of both servers: one request function with a deadline, one error type.

import { clock } from './clock.js';

/** How long a request may take before the page says the server cannot be reached. */
export const DEADLINE_MS = 8000;

/**
 * A refusal or a failure. `status` is the HTTP status, 0 when the server could not be reached
 * (`code` 'network') or did not answer in time (`code` 'timeout'); `code` and `message` come
 * from the server's `{"error": {"code", "message"}}`; `retryAfter` is the seconds of a
 * Retry-After header, else null; `body` the parsed answer, if any.
 */
export class ApiError extends Error {
  constructor(status, code, message, { retryAfter = null, body = null } = {}) {
    super(message || code);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
    this.body = body;
  }
}

/**
 * Call the API: answers the parsed JSON (null for 204 or an empty body), throws ApiError for
 * anything else. The session cookie goes along; `token` sends a device's Bearer token instead;
 * `timeout` overrides the deadline.
 */
export async function api(method, path, body, { token, timeout = DEADLINE_MS } = {}) {
  const headers = { accept: 'application/json' };
  const init = { method, credentials: 'same-origin', headers, cache: 'no-store' };
  if (body !== undefined && method !== 'GET' && method !== 'HEAD') {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body ?? {});
  }
  if (token) headers.authorization = `Bearer ${token}`;
  const abort = new AbortController();
  let late = false;
  const timer = setTimeout(() => {
    late = true;
    abort.abort();
  }, timeout);
  init.signal = abort.signal;
  let res;
  try {
    res = await fetch(path, init);
  } catch {
    throw late ? new ApiError(0, 'timeout', '') : new ApiError(0, 'network', '');
  } finally {
    clearTimeout(timer);
  }
  clock.fromResponse(res);
  let data = null;
  try {
    const text = await res.text();
    data = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON (a proxy's error page): the status says enough.
  }
  if (!res.ok) {
    const after = Number.parseInt(res.headers.get('retry-after') ?? '', 10);
    throw new ApiError(res.status, data?.error?.code || `http_${res.status}`, data?.error?.message || '', {
      retryAfter: Number.isFinite(after) ? after : null,
      body: data,
    });
  }
  return data;
}
