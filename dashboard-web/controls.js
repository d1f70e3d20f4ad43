// Controls the dashboard, its report and the city's page share (the collector serves this
// file at /dashboard/controls.js too): tabs as the WAI-ARIA Authoring Practices describe them,
// the language switch, and the quick range buttons.

/**
 * Tabs (https://www.w3.org/WAI/ARIA/apg/patterns/tabs/): `list` is the `role="tablist"`
 * element, each child a `role="tab"` button with `aria-controls` naming its `role="tabpanel"`
 * (several tabs may share one panel: its `aria-labelledby` follows the selected tab). Only the
 * selected tab is in the Tab order; the arrow keys move along the tabs (wrapping), Home and End
 * go to the ends, and the tab reached is selected at once (the panels are already on the page).
 * `key(tab)` is a tab's own name (e.g. its `data-tab`); `onSelect(key)` runs on every choice
 * made by a person. Answers `{select(key)}` to show a tab without calling `onSelect`.
 */
export function makeTabs(list, { key, onSelect }) {
  const tabs = () => Array.from(list.querySelectorAll('[role="tab"]'));

  function select(chosen) {
    for (const tab of tabs()) {
      const on = key(tab) === chosen;
      tab.setAttribute('aria-selected', String(on));
      tab.tabIndex = on ? 0 : -1;
      const panel = document.getElementById(tab.getAttribute('aria-controls') ?? '');
      if (on && panel) panel.setAttribute('aria-labelledby', tab.id);
    }
  }

  function choose(tab, focus) {
    select(key(tab));
    if (focus) tab.focus();
    onSelect(key(tab));
  }

  list.addEventListener('click', (e) => {
    const tab = e.target.closest('[role="tab"]');
    if (tab && list.contains(tab)) choose(tab, false);
  });
  list.addEventListener('keydown', (e) => {
    const all = tabs();
    const at = all.indexOf(document.activeElement);
    if (at < 0) return;
    const next = {
      ArrowRight: (at + 1) % all.length,
      ArrowLeft: (at - 1 + all.length) % all.length,
      Home: 0,
      End: all.length - 1,
    }[e.key];
    if (next === undefined) return;
    e.preventDefault();
    choose(all[next], true);
  });
  return { select };
}

/**
 * The language switch: a button that says the other language in that language ("English",
 * "Tiếng Việt"), so it is marked with it (`lang`) for screen readers; its accessible name is
 * its visible text. `onSwitch(lang)` after the switch has refilled the page's fixed texts.
 */
export function languageButton(t, button, onSwitch) {
  const mark = () => {
    button.lang = t.lang() === 'vi' ? 'en' : 'vi';
  };
  mark();
  button.addEventListener('click', () => {
    t.set(t.lang() === 'vi' ? 'en' : 'vi');
    mark();
    onSwitch(t.lang());
  });
}

/**
 * The quick range buttons (`[data-quick]`: today, 7 days, 30 days, this month): the one whose
 * range (`rangeOf(which)`) is `range` is pressed (`aria-pressed`).
 */
export function pressQuick(range, rangeOf) {
  for (const b of document.querySelectorAll('[data-quick]')) {
    const r = rangeOf(b.dataset.quick);
    b.setAttribute('aria-pressed', String(Boolean(range) && r.from === range.from && r.to === range.to));
  }
}
