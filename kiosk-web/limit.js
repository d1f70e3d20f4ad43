// A screen's time limit: back to the start after `ms` untouched, first warning for the last
// `warnMs` when the plan asks for it (WCAG 2.2.1: warn, and let the person ask for more).
// It runs on the page's own clock, performance.now() plus whatever a test skipped, so a
// browser test moves time on (window.motcuaKiosk.skip) instead of waiting for it.

let skipped = 0;
const clock = () => performance.now() + skipped;

/**
 * One running limit at a time. A plan is {kind, ms, warnMs?, ...anything the page wants
 * back}; `onWarn` runs once when the warning starts, `onTick(seconds)` while it counts,
 * `onExpire` when time is up.
 */
export function timeLimit({ onExpire, onWarn, onTick }) {
  let now = { kind: null };

  function check() {
    if (!now.kind) return;
    const left = now.deadline - clock();
    if (left <= 0) {
      now = { kind: null };
      onExpire();
      return;
    }
    if (now.warnMs && !now.warning && left <= now.warnMs) {
      now.warning = true;
      onWarn();
    }
    onTick(String(Math.ceil(left / 1000)));
  }
  setInterval(check, 250);

  return {
    /** The running plan ({kind: null} when none), with `warning` once it warns. */
    get now() {
      return now;
    },
    /** Start `plan` from its full time (`keep`: unless a plan of its kind already runs). */
    arm(plan, keep = false) {
      if (keep && plan && plan.kind === now.kind) return;
      now = plan ? { ...plan, deadline: clock() + plan.ms, warning: false } : { kind: null };
    },
    /** Whole seconds left, as text. */
    secondsLeft() {
      return String(Math.max(0, Math.ceil((now.deadline - clock()) / 1000)));
    },
    /** Move the clock on by `seconds`, as if that much time had passed untouched. */
    skip(seconds) {
      skipped += Number(seconds) * 1000;
      check();
      return now.kind;
    },
  };
}
