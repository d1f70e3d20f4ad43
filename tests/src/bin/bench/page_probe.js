// The bench's probe, run in a page after it has loaded (the bench's `pages` section): it
// times, inside the page, an input or a pushed frame until the frame that shows it is
// painted. Not part of any page.
//
// afterPaint(cb): cb(now) once the next frame's rendering is done on the main thread (a
// message posted from requestAnimationFrame runs after that frame's style, layout and paint).
// Clicks: every trusted click's timeStamp (the input event's time) and the end of the next
// frame after it (the click's own response). arm(test): a promise of the end of the first
// frame after `test()` holds (checked on every DOM change). Frames pushed on a WebSocket:
// MessageEvent's `data` getter is wrapped (the page's socket already exists), so `onSocket`
// sees each frame with its arrival time before the page's handler goes on. Event Timing
// entries of 16 ms and more are kept in `et`.
(() => {
  if (window.__bench) return true;
  const B = {
    clicks: [],
    et: [],
    wait: null,
    click: null,
    onSocket: null,
    pushes: new Map(),
  };
  window.__bench = B;
  const afterPaint = (cb) =>
    requestAnimationFrame(() => {
      const c = new MessageChannel();
      c.port1.onmessage = () => cb(performance.now());
      c.port2.postMessage(null);
    });
  const whenTrue = (test, cb) => {
    const check = () => {
      let ok = false;
      try {
        ok = !!test();
      } catch (_) {
        ok = false;
      }
      if (ok) {
        mo.disconnect();
        afterPaint(cb);
      }
      return ok;
    };
    const mo = new MutationObserver(check);
    mo.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  };
  let clicked = null;
  addEventListener(
    'click',
    (e) => {
      if (!e.isTrusted) return;
      const r = { t0: e.timeStamp, local: null };
      B.clicks.push(r);
      const tell = clicked;
      clicked = null;
      afterPaint((t) => {
        r.local = t;
        if (tell) tell(r);
      });
    },
    true,
  );
  B.arm = (test) => {
    B.click = new Promise((resolve) => {
      clicked = resolve;
    });
    B.wait = new Promise((resolve) => whenTrue(test, resolve));
    return true;
  };
  // One deferred per pushed frame's key, so the bench may ask before the frame arrives.
  B.push = (key) => {
    let d = B.pushes.get(key);
    if (!d) {
      d = { arrived: null, painted: null };
      d.promise = new Promise((resolve) => {
        d.resolve = resolve;
      });
      B.pushes.set(key, d);
    }
    return d;
  };
  B.track = (key, arrived, test) => {
    const d = B.push(key);
    if (d.arrived != null) return;
    d.arrived = arrived;
    whenTrue(test, (t) => {
      d.painted = t;
      d.resolve({ arrived, painted: t, origin: performance.timeOrigin });
    });
  };
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) B.et.push({ name: e.name, start: e.startTime, duration: e.duration });
    }).observe({ type: 'event', durationThreshold: 16, buffered: true });
  } catch (_) {
    B.et = null;
  }
  const data = Object.getOwnPropertyDescriptor(MessageEvent.prototype, 'data');
  Object.defineProperty(MessageEvent.prototype, 'data', {
    configurable: true,
    get() {
      const d = data.get.call(this);
      if (B.onSocket && typeof d === 'string' && this.target instanceof WebSocket && !this.__bench) {
        this.__bench = true;
        try {
          B.onSocket(d, this.timeStamp);
        } catch (_) {
          // a frame the probe does not understand is not the page's problem
        }
      }
      return d;
    },
  });
  return true;
})();
