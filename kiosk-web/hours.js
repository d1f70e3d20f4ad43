// The day's rules as the kiosk shows them: when numbers stop ("Cấp số đến 11:00"), and once
// they have, why and when they start again ("Đã ngừng cấp số lúc 16:30 — mời quay lại 7:30
// thứ Hai"); a field's daily quota ("Đã hết số hôm nay"). The server says it all
// (/api/services' `issuing`, each field's `quota_left`); the kiosk reads it again when the
// time it was told comes.

import { clock } from '/shared/clock.js';
import { h } from '/shared/el.js';
import { otherLang, S, t } from './state.js';

const WEEKDAYS = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/** An instant's local parts in the hall's time zone. */
function parts(ms) {
  const opts = {
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    weekday: 'short',
    day: 'numeric',
    month: 'numeric',
    year: 'numeric',
  };
  let list;
  try {
    list = new Intl.DateTimeFormat('en-US', { ...opts, timeZone: S.tz }).formatToParts(new Date(ms));
  } catch {
    list = new Intl.DateTimeFormat('en-US', opts).formatToParts(new Date(ms));
  }
  const p = Object.fromEntries(list.map((x) => [x.type, x.value]));
  return { ...p, time: `${Number(p.hour)}:${p.minute}`, date: `${p.year}-${p.month}-${p.day}` };
}

/** "7:30", "7:30 thứ Hai" (another day), "7:30 thứ Hai 16/2" (a week or more away), in `lang`. */
function when(iso, lang) {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return '';
  const p = parts(at);
  // Against the hall's time when it said this (a kiosk's own clock may be off).
  const said = Date.parse(S.issuing?.now);
  const now = Number.isNaN(said) ? clock.now() : said;
  if (p.date === parts(now).date) return p.time;
  const key = `weekday_${WEEKDAYS[p.weekday]}`;
  let day = lang === t.lang() ? t(key) : t.other(key);
  if (lang === 'vi') day = day.replace(/^Thứ/, 'thứ');
  const far = at - now >= 6 * 86_400_000 ? ` ${p.day}/${p.month}` : '';
  return `${p.time} ${day}${far}`;
}

/** A sentence about a time, in the chosen language and small in the other. */
function both(tag, cls, key, iso) {
  const mine = t.lang();
  return [
    h(tag, { class: cls }, t(key, { time: when(iso, mine) })),
    h(tag, { class: `${cls} other`, lang: otherLang() }, t.other(key, { time: when(iso, otherLang()) })),
  ];
}

/** Whether numbers are given now (as the server last said). */
export const issuingStopped = () => S.issuing && S.issuing.open === false;

/** The start screen's heading while numbers are not given: why, and when they start again. */
export function stoppedHead() {
  const i = S.issuing;
  const key =
    { closed_day: 'stopped_closed', not_yet: 'stopped_not_yet', break: 'stopped_break' }[i.why] ??
    'stopped_day_over';
  const closedName = i.why === 'closed_day' ? t.pick(i.closed_vi, i.closed_en) : null;
  return h(
    'div',
    { class: 'title closed', 'data-issuing': i.why || 'stopped' },
    h('h1', {}, t(key, { time: when(i.since, t.lang()) })),
    h('p', { class: 'sub', lang: otherLang() }, t.other(key, { time: when(i.since, otherLang()) })),
    closedName ? h('p', { class: 'hint' }, closedName.normalize('NFC')) : null,
    i.reopens
      ? both('p', 'hint come-back', 'come_back', i.reopens)
      : h('p', { class: 'hint' }, t('hall_closed_sub')),
  );
}

/** "Numbers are given until 11:00" while they are, when the day has a cut-off. */
export function untilLine() {
  const i = S.issuing;
  if (!i || !i.open || !i.until) return null;
  return h(
    'p',
    { class: 'issuing-until', 'data-issuing': 'until' },
    ...both('span', 'until', 'issuing_until', i.until),
  );
}

/** A field's words about its quota: "Đã hết số hôm nay", "Còn 5 số hôm nay", or nothing. */
export function quotaText(s) {
  if (s.quota_left == null) return null;
  if (s.quota_left <= 0) return t('quota_full');
  return s.quota_left <= 20 ? t('quota_left', { n: s.quota_left }) : null;
}

let recheck = null;

/**
 * Read the hall's word again when the time it gave comes (numbers stop or start): `reload`
 * is the kiosk's loadMeta. At most every ten minutes anyway (a kiosk left on overnight).
 */
export function recheckAt(reload) {
  clearTimeout(recheck);
  const i = S.issuing;
  const next = Date.parse(i?.open ? i.until : i?.reopens);
  // Both times are the hall's: the kiosk's own clock may be off.
  const said = Date.parse(i?.now);
  const wait =
    Number.isNaN(next) || Number.isNaN(said)
      ? 600_000
      : Math.min(600_000, Math.max(1000, next - said + 1000));
  recheck = setTimeout(reload, wait);
}
