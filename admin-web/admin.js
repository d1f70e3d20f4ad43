// The admin page (/admin/): signing in, then one tab per area (areas.js), each area a module
// of its own. Admins see every area; managers the areas that say so.

import { ApiError, api } from '/shared/api.js';
import { h } from '/shared/el.js';
import { applyStatic, makeI18n } from '/shared/i18n.js';
import { languageButton, makeTabs } from '/dashboard/controls.js';
import { signOut, signedInUser, wireSignIn } from '/dashboard/signin.js';
import { areas } from './areas.js';
import { strings as own } from './strings.js';

const $ = (sel) => document.querySelector(sel);

const modules = await Promise.all(areas.map(async (name) => ({ name, ...(await import(`./${name}.js`)) })));

const merged = { vi: { ...own.vi }, en: { ...own.en } };
for (const m of modules) {
  Object.assign(merged.vi, m.strings?.vi);
  Object.assign(merged.en, m.strings?.en);
}
const t = makeI18n(merged);

const state = { user: null, mounted: new Map(), area: null };

function showView(view) {
  document.body.dataset.view = view;
  $('#logout-btn').hidden = view !== 'admin' && view !== 'denied';
  $('#user-name').textContent = view === 'admin' ? (state.user?.name ?? '') : '';
}

/** A request failed: the sign-in form if the session ended, "no access" if refused. */
function refused(err) {
  if (!(err instanceof ApiError)) return false;
  if (err.status === 401) {
    showView('login');
    $('#login-error').textContent = t('err.unauthenticated');
    return true;
  }
  if (err.status === 403 && err.code === 'forbidden' && !state.user) {
    showDenied();
    return true;
  }
  return false;
}

function showDenied() {
  $('#denied-text').textContent = t('denied.text', { name: state.user?.name ?? '' });
  showView('denied');
}

const visible = () => modules.filter((m) => (m.roles ?? ['admin']).includes(state.user?.role));

let tabs = null;

/** Signed in: the areas this account may see, as tabs. */
function enter() {
  const mine = visible();
  if (mine.length === 0) {
    showDenied();
    return;
  }
  const list = $('#area-tabs');
  const panels = $('#areas');
  list.replaceChildren();
  panels.replaceChildren();
  state.mounted.clear();
  for (const m of mine) {
    list.append(
      h('button', {
        type: 'button',
        role: 'tab',
        id: `tab-${m.name}`,
        'aria-controls': `area-${m.name}`,
        'aria-selected': 'false',
        tabindex: '-1',
        dataset: { area: m.name, i18n: `${m.name}.tab` },
      }),
    );
    panels.append(
      h('section', {
        id: `area-${m.name}`,
        class: 'area',
        role: 'tabpanel',
        'aria-labelledby': `tab-${m.name}`,
        hidden: true,
      }),
    );
  }
  applyStatic(t, list);
  tabs = makeTabs(list, { key: (tab) => tab.dataset.area, onSelect: (name) => open(name) });
  showView('admin');
  const wanted = location.hash.replace(/^#/, '').split('/')[0];
  open(mine.some((m) => m.name === wanted) ? wanted : mine[0].name);
}

/** Show one area, mounting it the first time. */
function open(name) {
  state.area = name;
  tabs.select(name);
  for (const panel of document.querySelectorAll('#areas > .area')) panel.hidden = panel.id !== `area-${name}`;
  let area = state.mounted.get(name);
  if (area === undefined) {
    const m = modules.find((x) => x.name === name);
    const root = $(`#area-${name}`);
    area = m.mount({ t, root, user: state.user, refused, admin: state.user?.role === 'admin' }) ?? {};
    state.mounted.set(name, area);
  }
  area.open?.();
  const hash = location.hash.startsWith(`#${name}`) ? location.hash : `#${name}`;
  if (location.hash !== hash) history.replaceState(null, '', hash);
}

async function loadHall() {
  try {
    const info = await api('GET', '/api/services');
    $('#hall-name').textContent = info.hall;
  } catch {
    /* the hall's name is a nicety */
  }
}

async function boot() {
  applyStatic(t);
  // The switch refills every fixed text; an area redraws what it wrote itself.
  languageButton(t, $('#lang-btn'), () => {
    for (const area of state.mounted.values()) area.relabel?.();
  });
  wireSignIn(t, (user) => {
    state.user = user;
    enter();
  });
  $('#logout-btn').addEventListener('click', async () => {
    await signOut();
    state.user = null;
    showView('login');
    $('#login-name').focus();
  });
  $('[data-action="switch-user"]').addEventListener('click', async () => {
    await signOut();
    state.user = null;
    showView('login');
    $('#login-name').focus();
  });
  loadHall();
  state.user = await signedInUser(t);
  if (!state.user) {
    showView('login');
    $('#login-name').focus();
    return;
  }
  enter();
}

boot();
