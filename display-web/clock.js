// Date and clock in Vietnamese, in the hall's time zone and by the hall's clock (the kit's
// server clock, not the TV's own, which may be wrong): "Thứ Tư, 25/11/2026", "08:05".

import { clock as server } from '/shared/clock.js';

let zone = 'Asia/Ho_Chi_Minh';
let formats = null;

export function setTimeZone(tz) {
  if (!tz || tz === zone) return;
  try {
    new Intl.DateTimeFormat('vi-VN', { timeZone: tz });
  } catch {
    return; // an unknown zone: keep the last good one
  }
  zone = tz;
  formats = null;
  tick();
}

function make() {
  const timeZone = zone;
  return {
    weekday: new Intl.DateTimeFormat('vi-VN', { timeZone, weekday: 'long' }),
    day: new Intl.DateTimeFormat('vi-VN', { timeZone, day: '2-digit', month: '2-digit', year: 'numeric' }),
    time: new Intl.DateTimeFormat('vi-VN', {
      timeZone,
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }),
  };
}

function parts(format, date) {
  const out = {};
  for (const p of format.formatToParts(date)) out[p.type] = p.value;
  return out;
}

export function dateText(date = new Date(server.now())) {
  formats ??= make();
  const weekday = formats.weekday.format(date);
  const d = parts(formats.day, date);
  // "thứ tư" -> "Thứ Tư", "chủ nhật" -> "Chủ Nhật"
  const title = weekday.normalize('NFC').replace(/(^|\s)(\p{Ll})/gu, (_, s, c) => s + c.toUpperCase());
  return `${title}, ${d.day}/${d.month}/${d.year}`;
}

export function timeText(date = new Date(server.now())) {
  formats ??= make();
  const t = parts(formats.time, date);
  return `${t.hour}:${t.minute}`;
}

function tick() {
  const now = new Date(server.now());
  const clock = document.getElementById('clock');
  const date = document.getElementById('date');
  if (clock) clock.textContent = timeText(now);
  if (date) date.textContent = dateText(now);
}

export function startClock() {
  tick();
  // Tick on the second so the minute changes on time.
  const again = () =>
    setTimeout(
      () => {
        tick();
        again();
      },
      1000 - (server.now() % 1000) + 20,
    );
  again();
}
