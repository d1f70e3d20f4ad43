// The "Kế hoạch quầy" tab: how many counters of which field to open in which hour, for the
// coming week, and how the planner's past predictions compared with what happened.
//
// GET /api/plan (from the hall's today, 7 days): per day and hour, each field's forecast
// arrivals, Erlang's first answer, the planner's proposal and the manager's saved plan, with
// the predicted wait and share within target of the one in force. Each planned number is an
// input: a change rebuilds that hour's counters (below) and POST /api/plan/predict answers
// the day predicted for them, nothing stored; "Lưu kế hoạch" PUTs /api/plan/{day}, "Theo đề
// xuất" DELETEs it. GET /api/plan/check: predicted against actual, day by day.
//
// A plan is, per hour, the counters to open, each with the fields it serves (a shared
// counter serves several). The page shows and edits it as a number per field and hour (a
// shared counter counts for each of its fields), and turns the numbers back into counters:
// the shared counters in force are kept while every field they serve still has as many
// counters as they give it, the rest of each field's number are counters of its own.

import { api } from '/shared/api.js';
import { fill, h } from '/shared/el.js';
import { errorText } from '/shared/i18n.js';
import { makeTabs } from './controls.js';

/** How long typing may pause before the prediction is asked for. */
const TYPING_MS = 300;

/** The counters open in hour `hour` that serve `code`. */
export function countersOf(counters, hour, code) {
  return (counters[hour] ?? []).filter((c) => c.includes(code)).length;
}

/**
 * The counters of one hour for the numbers the manager set (`numbers`: field code → counters
 * serving it), from the counters in force that hour (`before`). A shared counter is kept
 * unless one of its fields now has fewer counters than the shared ones would give it (then
 * the last such counters go); each field's remaining number are counters of its own. Fields in
 * `codes` order.
 */
export function rebuildHour(before, numbers, codes) {
  const shared = before.filter((c) => c.length > 1).map((c) => [...c]);
  for (const code of codes) {
    const want = numbers[code] ?? 0;
    let have = shared.filter((c) => c.includes(code)).length;
    for (let i = shared.length - 1; i >= 0 && have > want; i--) {
      if (shared[i].includes(code)) {
        shared.splice(i, 1);
        have--;
      }
    }
  }
  const own = codes.flatMap((code) => {
    const inShared = shared.filter((c) => c.includes(code)).length;
    return Array.from({ length: Math.max(0, (numbers[code] ?? 0) - inShared) }, () => [code]);
  });
  return [...shared, ...own];
}

/** The counters a day plan has in force: the saved plan's, else the proposal's. */
function inForce(day) {
  return day.in_force === 'plan' && day.plan ? day.plan.counters : day.proposal;
}

/** Consecutive hours with the same value of `key(item)`, as `{key, items, from, to}` (to exclusive). */
function runs(list, key) {
  const out = [];
  for (const item of [...list].sort((a, b) => a.hour - b.hour)) {
    const k = key(item);
    const last = out.find((r) => r.key === k && r.to === item.hour);
    if (last) last.to = item.hour + 1;
    else out.push({ key: k, item, from: item.hour, to: item.hour + 1 });
  }
  return out;
}

export function makePlan({ t, fmt, $, refused }) {
  const state = {
    week: null, // the answer of GET /api/plan
    shown: new Map(), // day → the DayPlan shown (the server's, or a draft's prediction)
    drafts: new Map(), // day → the counters the manager set, not saved
    day: null, // the chosen day
    today: null,
    check: null, // the answer of GET /api/plan/check
    checkField: '',
    predicting: new Map(), // day → the number of its prediction still to come
    typing: null,
    message: null, // [key, vars] of what the last save or reset said
    error: null, // () => the words of what went wrong
    checkError: null,
  };
  const body = document.body;

  const nf = (digits) =>
    new Intl.NumberFormat(t.lang() === 'en' ? 'en-GB' : 'vi-VN', { maximumFractionDigits: digits });
  const decimal = (n) => (n == null || Number.isNaN(n) ? fmt.DASH : nf(1).format(n));
  const hourText = (clock) => `${clock}:00`;
  const span = (from, to) => t('plan.span', { from: hourText(from), to: hourText(to) });
  const fieldOf = (code) => state.week?.fields.find((f) => f.code === code);
  const fieldName = (f) => (f ? t.pick(f.name_vi, f.name_en) : '');
  const goal = () => state.week?.goal ?? 0.8;
  const judged = (share) => (share == null ? null : share >= goal() ? 'meets' : 'below');
  const fieldList = (codes) => {
    if (codes.length < 2) return codes.join('');
    return t('plan.and', { list: codes.slice(0, -1).join(', '), last: codes.at(-1) });
  };

  const dayTabs = makeTabs($('#plan-days'), {
    key: (tab) => tab.dataset.day,
    onSelect: (day) => choose(day),
  });

  // ---------- reading ----------

  async function load() {
    body.dataset.plan = 'loading';
    showError(null);
    loadCheck();
    try {
      const week = await api('GET', '/api/plan');
      state.week = week;
      state.shown = new Map(week.days.map((d) => [d.day, d]));
      for (const day of [...state.drafts.keys()]) if (!state.shown.has(day)) state.drafts.delete(day);
      if (!state.shown.has(state.day)) state.day = firstDay();
      body.dataset.plan = 'ready';
      render();
      onDayChange(state.day);
      // Changes not saved are kept: their predictions are asked again.
      for (const day of state.drafts.keys()) predict(day);
    } catch (err) {
      body.dataset.plan = 'error';
      if (!refused(err)) showError(() => errorText(t, err));
    }
  }

  async function loadCheck() {
    state.checkError = null;
    try {
      state.check = await api('GET', '/api/plan/check');
      body.dataset.planCheck = 'ready';
    } catch (err) {
      body.dataset.planCheck = 'error';
      if (!refused(err)) state.checkError = () => errorText(t, err);
    }
    renderCheck();
  }

  /** Today when it is open, else the first open day of the week, else the first. */
  function firstDay() {
    const days = state.week?.days ?? [];
    return (days.find((d) => d.open) ?? days[0])?.day ?? null;
  }

  function choose(day) {
    if (!state.shown.has(day)) return;
    state.day = day;
    state.message = null;
    const draft = state.drafts.get(day);
    const over = draft ? overfull(day, draft) : [];
    showError(
      over.length
        ? () => t('plan.tooMany', { hours: over.map(hourText).join(', '), n: state.week.counters })
        : null,
    );
    renderDay();
    onDayChange(day);
  }

  // ---------- changing ----------

  /** The counters shown for `day`: the manager's draft, else those in force. */
  function countersShown(day) {
    return state.drafts.get(day) ?? inForce(state.shown.get(day));
  }

  /** A planned number changed: rebuild the hour's counters, then ask for their prediction. */
  function changed(input) {
    const day = input.dataset.day;
    const plan = state.shown.get(day);
    if (!plan?.open || input.value === '' || !input.checkValidity()) return;
    const at = Number(input.dataset.index);
    const codes = plan.fields.map((f) => f.code);
    const counters = countersShown(day).map((hour) => hour.map((c) => [...c]));
    const numbers = Object.fromEntries(codes.map((code) => [code, countersOf(counters, at, code)]));
    const wanted = Number(input.value);
    if (numbers[input.dataset.field] === wanted) return;
    numbers[input.dataset.field] = wanted;
    // Numbers set back to those in force: that hour's counters as they were, and with every
    // hour so, the day as the server planned it (no draft left).
    const stored = state.week.days.find((d) => d.day === day);
    const before = inForce(stored);
    const same = (hour, nums) => codes.every((code) => countersOf(before, hour, code) === nums[code]);
    counters[at] = same(at, numbers)
      ? before[at].map((c) => [...c])
      : rebuildHour(counters[at], numbers, codes);
    state.message = null;
    const untouched = counters.every((_, hour) =>
      same(hour, Object.fromEntries(codes.map((code) => [code, countersOf(counters, hour, code)]))),
    );
    if (untouched) {
      state.drafts.delete(day);
      state.predicting.delete(day);
      state.shown.set(day, stored);
      showError(null);
      renderDay();
      return;
    }
    state.drafts.set(day, counters);
    predict(day);
  }

  /** Predictions asked so far: an answer counts only if it is the day's last asked. */
  let asked = 0;

  async function predict(day) {
    const counters = state.drafts.get(day);
    const number = ++asked;
    state.predicting.set(day, number);
    const here = (said) => {
      if (state.day === day) showError(said);
    };
    // More counters in an hour than the hall has: nothing to predict until that is fixed.
    const over = overfull(day, counters);
    if (over.length) {
      state.predicting.delete(day);
      here(() => t('plan.tooMany', { hours: over.map(hourText).join(', '), n: state.week.counters }));
      renderDay();
      return;
    }
    here(null);
    renderDay();
    try {
      const answer = await api('POST', '/api/plan/predict', { day, counters });
      if (state.predicting.get(day) !== number) return;
      state.shown.set(day, answer);
    } catch (err) {
      if (state.predicting.get(day) !== number || refused(err)) return;
      here(() => errorText(t, err));
    }
    state.predicting.delete(day);
    if (state.day === day) renderDay();
  }

  /** The clock hours of `day` whose `counters` outnumber the hall's. */
  function overfull(day, counters) {
    const plan = state.shown.get(day);
    return counters.flatMap((hour, i) => (hour.length > state.week.counters ? [plan.first_hour + i] : []));
  }

  async function save() {
    const day = state.day;
    const counters = countersShown(day);
    await store(day, () => api('PUT', `/api/plan/${day}`, { counters }), 'plan.saved');
  }

  async function backToProposal() {
    const day = state.day;
    const plan = state.shown.get(day);
    const saved = state.week.days.find((d) => d.day === day);
    if (!saved?.plan && plan) {
      // Nothing stored: the draft goes, the day as the server planned it comes back.
      state.drafts.delete(day);
      state.predicting.delete(day);
      state.shown.set(day, saved);
      state.message = ['plan.reset', { day: fmt.dayMonth(day) }];
      showError(null);
      renderDay();
      return;
    }
    await store(day, () => api('DELETE', `/api/plan/${day}`), 'plan.reset');
  }

  /** Save or forget the day's plan: the server's answer is the day from now on. */
  async function store(day, request, said) {
    showError(null);
    body.dataset.planSaving = 'true';
    try {
      const answer = await request();
      state.drafts.delete(day);
      state.predicting.delete(day);
      state.shown.set(day, answer);
      const i = state.week.days.findIndex((d) => d.day === day);
      if (i >= 0) state.week.days[i] = answer;
      state.message = [said, { day: fmt.dayMonth(day) }];
    } catch (err) {
      if (!refused(err)) showError(() => errorText(t, err));
    } finally {
      body.dataset.planSaving = 'false';
    }
    renderDay();
  }

  /** Say what went wrong: `text` is a function, so the words follow a language switch. */
  function showError(text) {
    state.error = text || null;
    $('#plan-error').textContent = state.error ? state.error() : '';
  }

  // ---------- drawing ----------

  function render() {
    $('#plan-error').textContent = state.error ? state.error() : '';
    if (!state.week) return;
    const w = state.week;
    $('#plan-goal').textContent = t('plan.goal', { goal: fmt.percent(w.goal), n: w.counters });
    const q = `from=${w.from}&days=${w.days.length}`;
    $('#plan-csv').href = `/api/plan.csv?${q}`;
    $('#plan-xlsx').href = `/api/plan.xlsx?${q}`;
    renderDay();
    renderCheck();
  }

  function dayState(day) {
    if (state.drafts.has(day)) return 'draft';
    const d = state.shown.get(day);
    return d?.in_force === 'plan' && d.plan ? 'plan' : 'proposal';
  }

  /** The day buttons: made again only when the week's days change, else updated in place
   * (a button under the keyboard's focus stays the same element). */
  function renderTabs() {
    const list = $('#plan-days');
    const days = state.week.days.map((d) => d.day);
    const buttons = Array.from(list.children);
    if (buttons.map((b) => b.dataset.day).join() !== days.join()) {
      list.replaceChildren(
        ...days.map((day) =>
          h('button', {
            type: 'button',
            role: 'tab',
            id: `plan-tab-${day}`,
            'aria-controls': 'plan-day',
            'aria-selected': 'false',
            tabindex: '-1',
            dataset: { day },
          }),
        ),
      );
    }
    for (const button of list.children) {
      const d = state.shown.get(button.dataset.day);
      const s = dayState(d.day);
      const mark = !d.open
        ? t('plan.mark.closed')
        : s === 'draft'
          ? t('plan.mark.draft')
          : s === 'plan'
            ? t('plan.mark.saved')
            : '';
      const weekday = t(`weekday.${new Date(`${d.day}T00:00:00Z`).getUTCDay()}`);
      button.dataset.open = String(d.open);
      button.dataset.state = s;
      fill(
        button,
        h('span', { class: 'plan-tab-day' }, `${weekday} ${fmt.dayMonth(d.day)}`),
        mark ? h('small', { class: 'plan-tab-mark' }, mark) : null,
      );
    }
    if (state.day) dayTabs.select(state.day);
  }

  /** The chosen day. Drawn again after each prediction: the table is updated in place, so
   * the number being typed (and the keyboard's way through the table) stays where it is. */
  function renderDay() {
    if (!state.week) return;
    renderTabs();
    renderPrint();
    const panel = $('#plan-day');
    const d = state.shown.get(state.day);
    if (!d) {
      panel.replaceChildren();
      return;
    }
    const head = h('h3', { id: 'plan-day-title', class: 'plan-day-title' }, fmt.dateLong(d.day));
    if (!d.open) {
      const why = t.pick(d.closure_vi, d.closure_en);
      setPanel(panel, d);
      panel.replaceChildren(
        head,
        h(
          'p',
          { id: 'plan-closed', class: 'plan-closed' },
          why ? t('plan.closedWhy', { why }) : t('plan.closed'),
        ),
      );
      return;
    }
    const slots = {
      head: h(
        'div',
        { class: 'plan-day-head' },
        head,
        statusChip(d),
        h(
          'div',
          { class: 'plan-actions' },
          h(
            'button',
            {
              type: 'button',
              class: 'primary',
              dataset: { action: 'plan-save' },
              disabled: dayState(d.day) === 'plan' || state.predicting.has(d.day) || Boolean(state.error),
              onclick: save,
            },
            t('plan.save'),
          ),
          h(
            'button',
            {
              type: 'button',
              class: 'plain',
              dataset: { action: 'plan-reset' },
              disabled: dayState(d.day) === 'proposal',
              onclick: backToProposal,
            },
            t('plan.toProposal'),
          ),
        ),
      ),
      message: h(
        'p',
        { id: 'plan-message', class: 'plan-message', role: 'status' },
        state.message ? t(...state.message) : '',
      ),
      figures: dayFigures(d),
      notes: notes(d),
      advice: advice(d),
    };
    const fresh = table(d);
    const old = panel.querySelector('#plan-table');
    const focused = document.activeElement?.dataset?.action;
    if (old && panel.dataset.day === d.day && panel.dataset.open === 'true') {
      for (const [slot, content] of Object.entries(slots))
        fill(panel.querySelector(`[data-slot="${slot}"]`), content);
      morph(old, fresh);
    } else {
      const slot = (name) => h('div', { dataset: { slot: name } }, slots[name]);
      panel.replaceChildren(
        slot('head'),
        slot('message'),
        slot('figures'),
        slot('notes'),
        h(
          'div',
          { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': 'plan-table-caption' },
          fresh,
        ),
        slot('advice'),
      );
    }
    setPanel(panel, d);
    // A button pressed with the keyboard keeps the focus once drawn again (or its neighbour,
    // when it is now disabled).
    if (focused && document.activeElement === document.body) {
      const again = panel.querySelector(`[data-action="${focused}"]:not(:disabled)`);
      (again ?? panel.querySelector('[data-action]:not(:disabled)'))?.focus();
    }
  }

  function setPanel(panel, d) {
    panel.dataset.day = d.day;
    panel.dataset.open = String(d.open);
    panel.dataset.state = dayState(d.day);
    panel.dataset.predicting = String(state.predicting.has(d.day));
  }

  /** Put `fresh`'s cells into `old` (same shape), keeping `old`'s inputs: their values are
   * set unless one is being typed in. */
  function morph(old, fresh) {
    const before = old.querySelectorAll('caption, th, td');
    const after = fresh.querySelectorAll('caption, th, td');
    if (before.length !== after.length) {
      old.replaceWith(fresh);
      return;
    }
    before.forEach((cell, i) => {
      const next = after[i];
      const input = cell.querySelector('input');
      const nextInput = next.querySelector('input');
      if (!input || !nextInput) {
        cell.replaceWith(next);
        return;
      }
      cell.className = next.className;
      for (const name of ['aria-label', 'max']) input.setAttribute(name, nextInput.getAttribute(name));
      if (document.activeElement !== input && input.value !== nextInput.value) input.value = nextInput.value;
    });
  }

  function statusChip(d) {
    const s = dayState(d.day);
    const text =
      s === 'draft'
        ? t('plan.state.draft')
        : s === 'plan'
          ? t('plan.state.plan', { by: d.plan.by, at: fmt.stamp(d.plan.at, state.today) })
          : t('plan.state.proposal');
    return h('span', { id: 'plan-state', class: `chip plan-state ${s}`, dataset: { state: s } }, text);
  }

  /** The whole day: arrivals, the predicted share within target and mean wait. */
  function dayFigures(d) {
    let within = 0;
    let judgedArrivals = 0;
    let wait = 0;
    let waited = 0;
    for (const f of d.fields) {
      const p = f.predicted_day ?? {};
      if (p.within != null) {
        within += p.within * p.arrived;
        judgedArrivals += p.arrived;
      }
      if (p.mean_wait_minutes != null) {
        wait += p.mean_wait_minutes * p.arrived;
        waited += p.arrived;
      }
    }
    const share = judgedArrivals > 0 ? within / judgedArrivals : null;
    const counterHours = countersShown(d.day).reduce((n, hour) => n + hour.length, 0);
    const kpi = (key, value, hint, cls = '') =>
      h(
        'div',
        { class: `kpi ${cls}`.trim(), dataset: { kpi: key } },
        h('span', { class: 'label' }, t(`plan.kpi.${key}`)),
        h('b', { class: 'value', id: `plan-day-${key}` }, value),
        h('span', { class: 'hint' }, hint),
      );
    return h(
      'div',
      { class: 'kpis plan-kpis' },
      kpi(
        'within',
        fmt.percent(share),
        share == null ? '' : t(share >= goal() ? 'plan.meets' : 'plan.below', { goal: fmt.percent(goal()) }),
        judged(share) ?? '',
      ),
      kpi('wait', fmt.minutes(waited > 0 ? (wait / waited) * 60 : null), t('plan.kpi.waitHint')),
      kpi(
        'arrivals',
        fmt.int(d.fields.reduce((n, f) => n + f.arrivals.reduce((a, b) => a + b, 0), 0)),
        t('plan.kpi.arrivalsHint'),
      ),
      kpi('counterHours', fmt.int(counterHours), t('plan.kpi.counterHoursHint')),
    );
  }

  function noteText(n) {
    switch (n.kind) {
      case 'no_history':
        return t('plan.note.no_history', { n: fmt.int(n.expected_per_day) });
      case 'month_end':
        return t('plan.note.month_end', { factor: decimal(n.factor) });
      case 'around_tet':
        return t('plan.note.around_tet', { n: fmt.int(n.like_days) });
      default:
        return t.has(`plan.note.${n.kind}`) ? t(`plan.note.${n.kind}`) : null;
    }
  }

  function notes(d) {
    const all = d.notes ?? [];
    const items = all
      .filter((n) => n.kind !== 'configured_handling')
      .map((n) => [n.kind, noteText(n)])
      .filter(([, text]) => text)
      .map(([kind, text]) => h('li', { dataset: { note: kind } }, text));
    // The fields whose handling time is the configured one: one line for them all.
    const configured = all.filter((n) => n.kind === 'configured_handling');
    if (configured.length)
      items.push(
        h(
          'li',
          { dataset: { note: 'configured_handling' } },
          t('plan.note.configured_handling', {
            fields: configured
              .map((n) => t('plan.note.observed', { field: n.field, n: fmt.int(n.observed) }))
              .join(', '),
          }),
        ),
      );
    if (d.like_days?.length)
      items.push(
        h(
          'li',
          { dataset: { note: 'like_days' } },
          t('plan.note.like_days', { days: d.like_days.map(fmt.dayMonth).join(', ') }),
        ),
      );
    return items.length ? h('ul', { id: 'plan-notes', class: 'plan-notes' }, items) : null;
  }

  /** Per field, six rows over the day's hours; the counters open per hour at the foot. */
  function table(d) {
    const hours = Array.from({ length: d.hours }, (_, i) => i);
    const counters = countersShown(d.day);
    const shared = new Set((d.shared ?? []).flatMap((s) => s.fields.map((f) => `${f}@${s.hour}`)));
    const short = new Set((d.short ?? []).map((s) => `${s.field}@${s.hour}`));
    const over = new Set(overfull(d.day, counters));
    const hall = state.week.counters;
    const num = (cls, content, extra = {}) => h('td', { class: `num ${cls}`.trim(), ...extra }, content);
    const share = (p, hour) => {
      const v = p?.within;
      return num(
        judged(v) ?? 'none',
        [
          fmt.percent(v),
          judged(v) === 'below' ? h('span', { class: 'visually-hidden' }, ` ${t('plan.belowShort')}`) : null,
        ],
        { dataset: { hour } },
      );
    };
    const groups = d.fields.map((f) => {
      const meta = fieldOf(f.code);
      const rows = [
        [
          'arrivals',
          t('plan.row.arrivals'),
          (i) =>
            num('', [
              decimal(f.arrivals[i]),
              f.booked?.[i] > 0
                ? h('small', { class: 'booked' }, ` ${t('plan.booked', { n: decimal(f.booked[i]) })}`)
                : null,
            ]),
          num('day', decimal(f.arrivals.reduce((a, b) => a + b, 0))),
        ],
        [
          'needed',
          t('plan.row.needed'),
          (i) => num('', fmt.int(f.first_answer[i])),
          num('day', fmt.int(f.first_answer.reduce((a, b) => a + b, 0))),
        ],
        [
          'proposed',
          t('plan.row.proposed'),
          (i) => {
            const clock = d.first_hour + i;
            const isShared = shared.has(`${f.code}@${clock}`);
            const isShort = short.has(`${f.code}@${clock}`);
            return num(`${isShared ? 'shared' : ''} ${isShort ? 'short' : ''}`, [
              fmt.int(f.proposed[i]),
              isShared ? h('span', { class: 'mark', title: t('plan.sharedMark') }, '*') : null,
              isShort ? h('span', { class: 'mark short-mark', title: t('plan.shortMark') }, '!') : null,
              isShared ? h('span', { class: 'visually-hidden' }, ` ${t('plan.sharedMark')}`) : null,
              isShort ? h('span', { class: 'visually-hidden' }, ` ${t('plan.shortMark')}`) : null,
            ]);
          },
          num('day', fmt.int(f.proposed.reduce((a, b) => a + b, 0))),
        ],
        [
          'planned',
          t('plan.row.planned'),
          (i) => {
            const n = countersOf(counters, i, f.code);
            const differs = n !== f.proposed[i];
            return h(
              'td',
              { class: `num input ${differs ? 'differs' : ''}`.trim() },
              h('input', {
                type: 'number',
                inputmode: 'numeric',
                min: '0',
                max: String(hall),
                step: '1',
                value: String(n),
                dataset: { day: d.day, field: f.code, index: i, hour: d.first_hour + i },
                'aria-label': t('plan.inputLabel', { field: f.code, hour: hourText(d.first_hour + i) }),
              }),
            );
          },
          num('day', fmt.int(hours.reduce((n, i) => n + countersOf(counters, i, f.code), 0))),
        ],
        [
          'within',
          t('plan.row.within', { target: fmt.wholeMinutes(meta?.target_wait_minutes) }),
          (i) => share(f.predicted[i], d.first_hour + i),
          (() => {
            const v = f.predicted_day?.within;
            return num(`day ${judged(v) ?? 'none'}`, fmt.percent(v), { dataset: { hour: 'day' } });
          })(),
        ],
        [
          'wait',
          t('plan.row.wait'),
          (i) => num('', decimal(f.predicted[i]?.mean_wait_minutes), { dataset: { hour: d.first_hour + i } }),
          num('day', decimal(f.predicted_day?.mean_wait_minutes), { dataset: { hour: 'day' } }),
        ],
      ];
      const facts = [
        t('plan.handling', { m: decimal(f.handling_minutes) }),
        f.no_show_share != null ? t('plan.noShow', { p: fmt.percent(f.no_show_share) }) : null,
        f.patience_minutes != null ? t('plan.patience', { m: decimal(f.patience_minutes) }) : null,
      ].filter(Boolean);
      return h(
        'tbody',
        { dataset: { field: f.code } },
        rows.map(([key, label, cell, day], r) =>
          h(
            'tr',
            { dataset: { row: key } },
            r === 0
              ? h(
                  'th',
                  { scope: 'rowgroup', rowspan: rows.length, class: 'name field-name' },
                  h('span', { class: 'code-badge' }, f.code),
                  ' ',
                  fieldName(meta),
                  h('small', {}, facts.join(' · ')),
                )
              : null,
            h('th', { scope: 'row', class: 'name row-name' }, label),
            hours.map(cell),
            day,
          ),
        ),
      );
    });
    return h(
      'table',
      { id: 'plan-table', class: 'grid-table plan-table' },
      h(
        'caption',
        { id: 'plan-table-caption', class: 'visually-hidden' },
        t('plan.caption', { day: fmt.dateLong(d.day) }),
      ),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col', class: 'name' }, t('plan.col.field')),
          h(
            'th',
            { scope: 'col', class: 'name' },
            h('span', { class: 'visually-hidden' }, t('plan.col.row')),
          ),
          hours.map((i) =>
            h('th', { scope: 'col', dataset: { hour: d.first_hour + i } }, hourText(d.first_hour + i)),
          ),
          h('th', { scope: 'col' }, t('plan.col.day')),
        ),
      ),
      groups,
      h(
        'tfoot',
        {},
        h(
          'tr',
          { dataset: { row: 'open' } },
          h('th', { scope: 'row', class: 'name', colspan: 2 }, t('plan.row.open', { n: hall })),
          hours.map((i) => {
            const clock = d.first_hour + i;
            const n = counters[i]?.length ?? 0;
            return h(
              'td',
              { class: `num ${over.has(clock) ? 'over' : ''}`.trim(), dataset: { hour: clock } },
              fmt.int(n),
              over.has(clock)
                ? h('span', { class: 'visually-hidden' }, ` ${t('plan.overShort', { n: hall })}`)
                : null,
            );
          }),
          h('td', { class: 'num day' }, fmt.int(counters.reduce((n, hour) => n + hour.length, 0))),
        ),
      ),
    );
  }

  /** Which fields may share a counter, and the hours short of the goal with every counter. */
  function advice(d) {
    const shared = runs(d.shared ?? [], (s) => s.fields.join('+')).map((r) =>
      h(
        'li',
        { dataset: { fields: r.key, from: r.from, to: r.to } },
        t('plan.shared', { fields: fieldList(r.item.fields), span: span(r.from, r.to) }),
      ),
    );
    const short = runs(d.short ?? [], (s) => s.field).map((r) =>
      h(
        'li',
        { dataset: { field: r.key, from: r.from, to: r.to } },
        t('plan.short', {
          field: r.key,
          name: fieldName(fieldOf(r.key)),
          span: span(r.from, r.to),
          n: state.week.counters,
        }),
      ),
    );
    return h(
      'div',
      { class: 'plan-advice' },
      h(
        'section',
        { class: 'plan-shared', 'aria-labelledby': 'plan-shared-title' },
        h('h4', { id: 'plan-shared-title' }, t('plan.sharedTitle')),
        shared.length
          ? h('ul', { id: 'plan-shared' }, shared)
          : h('p', { class: 'muted', id: 'plan-shared-none' }, t('plan.sharedNone')),
      ),
      h(
        'section',
        { class: 'plan-short', 'aria-labelledby': 'plan-short-title' },
        h('h4', { id: 'plan-short-title' }, t('plan.shortTitle')),
        short.length
          ? h('ul', { id: 'plan-short' }, short)
          : h('p', { class: 'muted', id: 'plan-short-none' }, t('plan.shortNone')),
      ),
    );
  }

  /** The week on paper: each day's counters per field and hour with the predicted share. */
  function renderPrint() {
    const w = state.week;
    const sheet = $('#plan-print');
    const days = w.days.map((saved) => {
      const d = state.shown.get(saved.day) ?? saved;
      const title = h('h2', {}, fmt.dateLong(d.day));
      if (!d.open) {
        const why = t.pick(d.closure_vi, d.closure_en);
        return h(
          'section',
          { class: 'print-day closed', dataset: { day: d.day } },
          title,
          h('p', {}, why ? t('plan.closedWhy', { why }) : t('plan.closed')),
        );
      }
      const counters = countersShown(d.day);
      const hours = Array.from({ length: d.hours }, (_, i) => i);
      const s = dayState(d.day);
      const status =
        s === 'plan'
          ? t('plan.state.plan', { by: d.plan.by, at: fmt.stamp(d.plan.at, state.today) })
          : t(`plan.state.${s}`);
      const shared = runs(d.shared ?? [], (x) => x.fields.join('+')).map((r) =>
        t('plan.shared', { fields: fieldList(r.item.fields), span: span(r.from, r.to) }),
      );
      const short = runs(d.short ?? [], (x) => x.field).map((r) =>
        t('plan.short', {
          field: r.key,
          name: fieldName(fieldOf(r.key)),
          span: span(r.from, r.to),
          n: w.counters,
        }),
      );
      return h(
        'section',
        { class: 'print-day', dataset: { day: d.day } },
        h('div', { class: 'print-day-head' }, title, h('span', {}, status)),
        h(
          'table',
          {},
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { class: 'name' }, t('plan.col.field')),
              hours.map((i) => h('th', {}, hourText(d.first_hour + i))),
              h('th', {}, t('plan.col.day')),
            ),
          ),
          h(
            'tbody',
            {},
            d.fields.map((f) =>
              h(
                'tr',
                { dataset: { field: f.code } },
                h('th', { class: 'name' }, h('b', {}, f.code), ' ', fieldName(fieldOf(f.code))),
                hours.map((i) =>
                  h(
                    'td',
                    { class: judged(f.predicted[i]?.within) ?? 'none' },
                    h('b', {}, fmt.int(countersOf(counters, i, f.code))),
                    h('small', {}, fmt.percent(f.predicted[i]?.within)),
                  ),
                ),
                h(
                  'td',
                  { class: judged(f.predicted_day?.within) ?? 'none' },
                  h('b', {}, fmt.percent(f.predicted_day?.within)),
                  h('small', {}, fmt.minutes((f.predicted_day?.mean_wait_minutes ?? Number.NaN) * 60)),
                ),
              ),
            ),
          ),
          h(
            'tfoot',
            {},
            h(
              'tr',
              {},
              h('th', { class: 'name' }, t('plan.row.open', { n: w.counters })),
              hours.map((i) => h('td', {}, h('b', {}, fmt.int(counters[i]?.length ?? 0)))),
              h('td', {}),
            ),
          ),
        ),
        shared.length ? h('p', { class: 'print-advice' }, shared.join(' · ')) : null,
        short.length ? h('p', { class: 'print-advice short' }, short.join(' · ')) : null,
      );
    });
    fill(
      sheet,
      h(
        'header',
        { class: 'print-head' },
        h(
          'h1',
          {},
          t('plan.printTitle', { from: fmt.dateShort(w.from), to: fmt.dateShort(w.days.at(-1)?.day) }),
        ),
        h(
          'p',
          {},
          [$('#hall-name').textContent, t('plan.goal', { goal: fmt.percent(w.goal), n: w.counters })]
            .filter(Boolean)
            .join(' · '),
        ),
        h('p', { class: 'print-key' }, t('plan.printKey')),
      ),
      days,
    );
  }

  // ---------- planned against happened ----------

  function renderCheck() {
    const c = state.check;
    $('#plan-check-error').textContent = state.checkError ? state.checkError() : '';
    const select = $('#plan-check-field');
    const codes = state.week?.fields ?? [];
    fill(
      select,
      h('option', { value: '' }, t('plan.check.all')),
      codes.map((f) =>
        h('option', { value: f.code, selected: f.code === state.checkField }, `${f.code} – ${fieldName(f)}`),
      ),
    );
    select.value = state.checkField;
    if (!c) return;
    const a = c.accuracy ?? {};
    $('#plan-accuracy').textContent = a.field_days
      ? t('plan.check.accuracy', {
          n: fmt.int(a.field_days),
          points: decimal(a.within_mean_abs_points),
          percent: decimal(a.arrivals_mean_abs_percent),
        })
      : t('plan.check.noAccuracy');
    const rows = [...(c.days ?? [])]
      .sort((x, y) => (x.day < y.day ? 1 : -1))
      .map((d) => checkRow(d))
      .filter(Boolean);
    $('#plan-check-table tbody').replaceChildren(
      ...(rows.length
        ? rows
        : [h('tr', {}, h('td', { class: 'name empty muted', colspan: 9 }, t('plan.check.empty')))]),
    );
  }

  function checkRow(d) {
    let figures;
    if (state.checkField) {
      const f = d.fields.find((x) => x.code === state.checkField);
      if (!f) return null;
      figures = {
        pw: f.predicted_within,
        aw: f.actual_within,
        pa: f.predicted_arrivals,
        aa: f.actual_arrivals,
        pm: f.predicted_wait_minutes,
        am: f.actual_wait_minutes,
      };
    } else {
      const sum = (key) => d.fields.reduce((n, f) => n + (f[key] ?? 0), 0);
      const mean = (key, weight) => {
        let total = 0;
        let weights = 0;
        for (const f of d.fields) {
          if (f[key] == null || !f[weight]) continue;
          total += f[key] * f[weight];
          weights += f[weight];
        }
        return weights > 0 ? total / weights : null;
      };
      figures = {
        pw: d.predicted_within,
        aw: d.actual_within,
        pa: sum('predicted_arrivals'),
        aa: sum('actual_arrivals'),
        pm: mean('predicted_wait_minutes', 'predicted_arrivals'),
        am: mean('actual_wait_minutes', 'actual_arrivals'),
      };
    }
    const gap = figures.pw != null && figures.aw != null ? (figures.aw - figures.pw) * 100 : null;
    const td = (col, content, cls = '') => h('td', { class: `num ${cls}`.trim(), dataset: { col } }, content);
    return h(
      'tr',
      { dataset: { day: d.day } },
      h(
        'td',
        { class: 'name', dataset: { col: 'day' } },
        `${t(`weekday.${new Date(`${d.day}T00:00:00Z`).getUTCDay()}`)} ${fmt.dateShort(d.day)}`,
      ),
      h(
        'td',
        { class: 'name', dataset: { col: 'inForce' } },
        t(d.in_force === 'plan' ? 'plan.check.plan' : 'plan.check.proposal'),
      ),
      td('predictedWithin', fmt.percent(figures.pw)),
      td('actualWithin', fmt.percent(figures.aw), judged(figures.aw) ?? ''),
      td(
        'gap',
        gap == null ? fmt.DASH : t('plan.check.points', { n: `${gap > 0 ? '+' : ''}${decimal(gap)}` }),
      ),
      td('predictedArrivals', decimal(figures.pa)),
      td('actualArrivals', fmt.int(figures.aa)),
      td('predictedWait', decimal(figures.pm)),
      td('actualWait', decimal(figures.am)),
    );
  }

  // ---------- wiring ----------

  let onDayChange = () => {};

  const panel = $('#plan-day');
  panel.addEventListener('input', (e) => {
    const input = e.target.closest('input[data-field]');
    if (!input) return;
    clearTimeout(state.typing);
    state.typing = setTimeout(() => changed(input), TYPING_MS);
  });
  panel.addEventListener('change', (e) => {
    const input = e.target.closest('input[data-field]');
    if (!input) return;
    clearTimeout(state.typing);
    changed(input);
  });
  $('#plan-check-field').addEventListener('change', (e) => {
    state.checkField = e.target.value;
    renderCheck();
  });
  $('#plan-print-btn').addEventListener('click', () => window.print());
  $('#plan-refresh').addEventListener('click', () => load());

  return {
    /** The tab shows: read the week (the first time, or again when asked). `day` from the address. */
    open(today, day, { onDay } = {}) {
      state.today = today;
      if (onDay) onDayChange = onDay;
      if (day) state.day = day;
      if (!state.week) load();
      else if (day && state.shown.has(day)) choose(day);
    },
    /** The day shown, for the address. */
    day: () => state.day,
    render() {
      render();
      if (!state.week) renderCheck();
    },
  };
}
