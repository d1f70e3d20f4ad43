// The server's "now". Ticket times come from the server's clock, so timers are measured
// against it: first from the HTTP Date header of any answer, then from the time stamp of each
// live event (the hall's own clock, even when it is not the machine's).

let offset = 0;
let fromEvents = false;

export const clock = {
  /** The server's time now, in milliseconds since the epoch. */
  now: () => Date.now() + offset,
  /** Learn from an HTTP answer's Date header (until live events say better). */
  fromResponse(res) {
    const date = res.headers.get('date');
    if (fromEvents || !date) return;
    const t = Date.parse(date);
    if (!Number.isNaN(t)) offset = t + 500 - Date.now();
  },
  /** An instant the server stamped as "now" just before we received it. */
  serverSaidNow(iso) {
    const t = Date.parse(iso);
    if (Number.isNaN(t)) return;
    const o = t + 500 - Date.now();
    if (!fromEvents || Math.abs(o - offset) > 1500) offset = o;
    fromEvents = true;
  },
  /** An instant that has certainly passed: the clock is never behind it. */
  saw(iso) {
    const t = iso ? Date.parse(iso) : Number.NaN;
    if (t > clock.now()) offset = t - Date.now();
  },
};
