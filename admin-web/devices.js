// The devices area ("Thiết bị"): pair a kiosk, TV or tablet by the six digits on its own
// screen, or a printer by those its agent prints on its paper (GET /api/pairings/{code},
// then POST …/accept; the QR on the device opens this page at /admin/?pair=CODE#devices with
// the code filled in and looked up), and every device with its last sign of life, revocable
// (pressed twice). No token is ever shown here: the device takes its own.
//
// Hooks for browser tests: #pair-code, button[data-action=pair-find], #pair-found[data-kind],
// #pair-name, #pair-kiosk (printers; #pair-no-kiosk when there is none), #pair-counter
// (tablets), button[data-action=pair-accept]; #pair-status and #devices-status
// [data-kind=ok|error]; #devices-table tr[data-device=NAME][data-kind]
// [data-state=active|revoked] with .seen and button[data-action=revoke] (class armed after
// its first press); button[data-action=devices-refresh].

import { api } from '/shared/api.js';
import { fill, h } from '/shared/el.js';
import { applyStatic, errorText } from '/shared/i18n.js';
import { strings } from './devices-strings.js';

export { strings };
export const roles = ['admin'];

/** `2026-11-25T08:00:00+07:00` as `25/11/2026 08:00`. */
const when = (rfc) => {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}:\d{2})/.exec(rfc ?? '');
  return m ? `${m[3]}/${m[2]}/${m[1]} ${m[4]}` : (rfc ?? '');
};

const ARM_MS = 3000;

export function mount({ t, root, refused }) {
  let devices = [];
  let found = null;

  const kindName = (k) => (t.has(`devices.kind.${k}`) ? t(`devices.kind.${k}`) : k);
  const say = (el, kind, text) => {
    el.dataset.kind = kind;
    el.textContent = text;
  };

  // Pairing.
  const code = h('input', {
    id: 'pair-code',
    inputmode: 'numeric',
    autocomplete: 'off',
    maxlength: 9,
    required: true,
    class: 'pair-code-input',
  });
  const find = h('button', {
    type: 'submit',
    class: 'primary',
    'data-action': 'pair-find',
    'data-i18n': 'devices.pair.find',
  });
  const foundLine = h('p', { id: 'pair-found', class: 'form-ok', role: 'status' });
  const name = h('input', {
    id: 'pair-name',
    autocomplete: 'off',
    autocapitalize: 'off',
    spellcheck: 'false',
    maxlength: 64,
    'aria-describedby': 'pair-name-hint',
  });
  const kiosk = h('select', { id: 'pair-kiosk', 'aria-describedby': 'pair-no-kiosk' });
  const kioskLabel = h('label', { hidden: true }, h('span', { 'data-i18n': 'devices.pair.kiosk' }), kiosk);
  // A printer prints for a kiosk: with none paired yet, say so instead of an empty choice.
  const noKiosk = h('p', {
    class: 'hint',
    id: 'pair-no-kiosk',
    hidden: true,
    'data-i18n': 'devices.pair.no_kiosk',
  });
  const counter = h('select', { id: 'pair-counter' });
  const counterLabel = h(
    'label',
    { hidden: true },
    h('span', { 'data-i18n': 'devices.pair.counter' }),
    counter,
  );
  let counters = [];
  const accept = h('button', {
    type: 'submit',
    class: 'primary',
    'data-action': 'pair-accept',
    'data-i18n': 'devices.pair.submit',
  });
  const pairStatus = h('p', { id: 'pair-status', class: 'status-line', role: 'status' });
  const naming = h(
    'form',
    { id: 'pair-naming', hidden: true },
    h(
      'div',
      { class: 'form-grid' },
      h('label', {}, h('span', { 'data-i18n': 'devices.pair.name' }), name),
      kioskLabel,
      counterLabel,
    ),
    noKiosk,
    h('p', { class: 'hint', id: 'pair-name-hint', 'data-i18n': 'devices.pair.name.hint' }),
    h('div', { class: 'form-actions' }, accept),
  );
  const lookup = h(
    'form',
    { id: 'pair-lookup', class: 'form-actions' },
    h('label', {}, h('span', { 'data-i18n': 'devices.pair.code' }), code),
    find,
  );

  // The list.
  const body = h('tbody');
  const refresh = h('button', {
    type: 'button',
    class: 'secondary',
    'data-action': 'devices-refresh',
    'data-i18n': 'devices.refresh',
  });
  const listStatus = h('p', { id: 'devices-status', class: 'status-line', role: 'status' });

  fill(
    root,
    h(
      'div',
      { class: 'card panel', id: 'pair' },
      h('h2', { 'data-i18n': 'devices.pair.title' }),
      h('p', { class: 'muted', 'data-i18n': 'devices.pair.hint' }),
      lookup,
      foundLine,
      naming,
      pairStatus,
    ),
    h(
      'div',
      { class: 'card panel' },
      h('div', { class: 'panel-head' }, h('h2', { 'data-i18n': 'devices.list.title' }), refresh),
      listStatus,
      h(
        'div',
        { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': 'tab-devices' },
        h(
          'table',
          { class: 'grid-table', id: 'devices-table' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              [
                'devices.name',
                'devices.kind',
                'devices.seen',
                'devices.added',
                'devices.state',
                'devices.actions',
              ].map((k) => h('th', { scope: 'col', 'data-i18n': k })),
            ),
          ),
          body,
        ),
      ),
    ),
  );
  applyStatic(t, root);

  function showFound() {
    if (!found) {
      foundLine.textContent = '';
      delete foundLine.dataset.kind;
      naming.hidden = true;
      return;
    }
    foundLine.dataset.kind = found.kind;
    foundLine.textContent = t('devices.pair.found', {
      kind: kindName(found.kind),
      addr: found.addr,
      time: when(found.asked_at),
      minutes: Math.max(1, Math.ceil(found.expires_in_seconds / 60)),
    });
    kioskLabel.hidden = found.kind !== 'printer';
    const kiosks = devices.filter((d) => d.kind === 'kiosk' && !d.revoked_at);
    const chosen = kiosk.value;
    fill(
      kiosk,
      kiosks.map((d) => h('option', { value: d.name, selected: d.name === chosen }, d.name)),
    );
    const kioskMissing = found.kind === 'printer' && kiosks.length === 0;
    noKiosk.hidden = !kioskMissing;
    kiosk.disabled = kioskMissing;
    accept.disabled = kioskMissing;
    counterLabel.hidden = found.kind !== 'tablet';
    fill(
      counter,
      counters.map((no) =>
        h('option', { value: no, selected: no === found.counter }, t('devices.counter_n', { no })),
      ),
    );
    naming.hidden = false;
  }

  async function lookUp() {
    found = null;
    showFound();
    say(pairStatus, 'ok', '');
    find.disabled = true;
    try {
      found = await api('GET', `/api/pairings/${encodeURIComponent(code.value.replace(/\s|-/g, ''))}`);
      showFound();
      name.focus();
    } catch (err) {
      if (!refused(err)) say(pairStatus, 'error', errorText(t, err));
    } finally {
      find.disabled = false;
    }
  }

  lookup.addEventListener('submit', (e) => {
    e.preventDefault();
    lookUp();
  });
  naming.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!found) return;
    accept.disabled = true;
    try {
      const body = { name: name.value.trim(), kind: found.kind };
      if (found.kind === 'printer') body.kiosk = kiosk.value;
      if (found.kind === 'tablet') body.counter = Number(counter.value);
      const answer = await api('POST', `/api/pairings/${found.code}/accept`, body);
      found = null;
      showFound();
      code.value = '';
      name.value = '';
      say(pairStatus, 'ok', t('devices.pair.done', { name: answer.device.name }));
      await load();
    } catch (err) {
      if (!refused(err)) say(pairStatus, 'error', errorText(t, err));
    } finally {
      accept.disabled = false;
    }
  });

  function row(d) {
    const revoke = d.revoked_at
      ? null
      : h('button', { type: 'button', class: 'danger-button', 'data-action': 'revoke' }, t('devices.revoke'));
    let armed = null;
    revoke?.addEventListener('click', async () => {
      if (!armed) {
        revoke.classList.add('armed');
        revoke.textContent = t('devices.revoke.armed');
        say(listStatus, 'ok', t('devices.revoke.confirm', { name: d.name }));
        armed = setTimeout(() => {
          armed = null;
          revoke.classList.remove('armed');
          revoke.textContent = t('devices.revoke');
        }, ARM_MS);
        return;
      }
      clearTimeout(armed);
      armed = null;
      revoke.disabled = true;
      try {
        await api('POST', `/api/devices/${d.id}/revoke`, {});
        say(listStatus, 'ok', t('devices.revoked', { name: d.name }));
        await load();
      } catch (err) {
        revoke.disabled = false;
        if (!refused(err)) say(listStatus, 'error', errorText(t, err));
      }
    });
    const forKiosk = d.kiosk_id ? devices.find((k) => k.id === d.kiosk_id)?.name : null;
    const where = forKiosk
      ? ` ${t('devices.for_kiosk', { kiosk: forKiosk })}`
      : d.counter
        ? ` ${t('devices.for_counter', { no: d.counter })}`
        : '';
    return h(
      'tr',
      { dataset: { device: d.name, kind: d.kind, state: d.revoked_at ? 'revoked' : 'active' } },
      h('td', {}, d.name),
      h('td', {}, kindName(d.kind), where),
      h(
        'td',
        { class: 'seen' },
        d.last_seen_at
          ? [
              when(d.last_seen_at),
              d.last_seen_addr
                ? h('span', { class: 'hint' }, ` ${t('devices.from', { addr: d.last_seen_addr })}`)
                : null,
            ]
          : h('span', { class: 'muted' }, t('devices.never')),
      ),
      h('td', { class: 'nowrap' }, when(d.created_at)),
      h('td', {}, d.revoked_at ? t('devices.revoked_at', { time: when(d.revoked_at) }) : t('devices.active')),
      h('td', {}, revoke),
    );
  }

  function draw() {
    fill(
      body,
      devices.length
        ? devices.map(row)
        : h('tr', {}, h('td', { colspan: '6', class: 'muted' }, t('devices.none'))),
    );
    if (found) showFound();
  }

  async function load() {
    try {
      devices = (await api('GET', '/api/devices')).devices;
      counters = (await api('GET', '/api/counters')).counters.map((c) => c.no);
      draw();
    } catch (err) {
      if (!refused(err)) say(listStatus, 'error', errorText(t, err));
    }
  }

  refresh.addEventListener('click', load);

  // Opened from a device's QR code: /admin/?pair=482193#devices.
  const given = new URLSearchParams(location.search).get('pair');
  let first = true;
  return {
    async open() {
      await load();
      if (first && given) {
        first = false;
        code.value = given;
        history.replaceState(null, '', location.pathname + location.hash);
        lookUp();
      }
    },
    relabel: draw,
  };
}
