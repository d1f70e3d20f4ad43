// The citizen's page behind the ticket's QR code (/t/{token}): the ticket, live, in Vietnamese
// or English; a sound and a vibration when it is called; the rating once it is served. Built
// from the front-end kit (/shared/): its API client, live feed, translations and element
// builder, so this file holds only what is the phone's own.

import { api } from '/shared/api.js';
import { fill, h } from '/shared/el.js';
import { follow } from '/shared/feed.js';
import { applyStatic, makeI18n } from '/shared/i18n.js';

const token = location.pathname.split('/').pop();
const $ = (id) => document.getElementById(id);
const body = document.body;
const COMMENT_MAX = 500; // the server's bound (api.rs COMMENT_MAX), in characters
const KEY = `motcua.t.${token}`;

const t = makeI18n({
  vi: {
    switch: 'English',
    yours: 'Số thứ tự của bạn',
    live: 'Đang cập nhật trực tiếp',
    offline: 'Mất kết nối – đang thử kết nối lại…',
    goto: 'Mời bạn đến',
    counter: 'Quầy {n}',
    ahead: 'Số người được gọi trước bạn',
    where: 'Quầy phục vụ',
    eta: 'Thời gian chờ dự kiến:',
    about: 'khoảng {n} phút',
    soon: 'Sắp đến lượt',
    next: 'Bạn là người tiếp theo. Hãy ở gần quầy.',
    nocounter: 'Hiện chưa có quầy phục vụ lĩnh vực này.',
    issued: 'Lấy số lúc {t} ngày {d}',
    loading: 'Đang tải…',
    waiting: 'Đang chờ đến lượt',
    called: 'Gọi lúc {t}. Vui lòng mang phiếu và hồ sơ đến quầy {n} ngay.',
    recalled: 'Gọi lại lần {r} lúc {t}. Vui lòng đến quầy {n} ngay.',
    serving: 'Bạn đang được phục vụ tại quầy {n}. Khi xong, bạn có thể đánh giá ngay trên trang này.',
    served: 'Đã giải quyết xong lúc {t}. Cảm ơn bạn!',
    absent: 'Bạn đã được gọi lúc {t} nhưng không có mặt tại quầy, nên phiếu này đã kết thúc.',
    cancelled: 'Phiếu này đã bị hủy (ví dụ: hết giờ làm việc trong ngày).',
    held: 'Phiếu đang tạm gác tại quầy {n} để bạn bổ sung hồ sơ. Xong, hãy quay lại quầy {n}: bạn được gọi lại, không phải xếp hàng lại.',
    again: 'Nếu vẫn cần làm thủ tục, xin lấy số mới hoặc hỏi cán bộ tại quầy.',
    norate: 'Phiếu chưa được phục vụ nên không có phần đánh giá.',
    transferred:
      'Phiếu của bạn đã được chuyển từ lĩnh vực «{from}» sang «{to}». Bạn giữ nguyên số thứ tự, vui lòng tiếp tục chờ.',
    returned:
      'Bạn đã được trả lại hàng chờ (để bổ sung hồ sơ). Số của bạn giữ nguyên; vui lòng chờ được gọi lại.',
    booked: 'Số hẹn: bạn được gọi theo giờ hẹn {t}, trước những người đến sau giờ đó.',
    soundOff: 'Chạm nút để điện thoại kêu và rung khi đến lượt bạn. Hãy giữ trang này mở.',
    soundOn: 'Âm báo đã bật: điện thoại sẽ kêu và rung khi đến lượt bạn. Hãy giữ trang này mở.',
    enable: 'Bật âm báo',
    test: 'Nghe thử',
    q: 'Bạn có hài lòng với việc giải quyết thủ tục?',
    comment: 'Góp ý thêm (không bắt buộc), viết trước khi chọn:',
    how: 'Chạm vào một mức để gửi đánh giá:',
    left: 'Còn {n} ký tự',
    thanks: 'Cảm ơn bạn đã đánh giá!',
    already: 'Phiếu này đã được đánh giá{l}. Cảm ơn bạn!',
    failed: 'Chưa gửi được. Vui lòng chạm lại để gửi.',
    cOpen: 'Gửi phản ánh',
    privacy: 'Trang này không hiển thị và không hỏi thông tin cá nhân.',
    tCalled: '🔔 Mời đến quầy {n} · {c}',
    tAhead: '{c} · {n} người trước bạn',
  },
  en: {
    switch: 'Tiếng Việt',
    yours: 'Your number',
    live: 'Live updates',
    offline: 'Offline – reconnecting…',
    goto: 'Please go to',
    counter: 'Counter {n}',
    ahead: 'People called before you',
    where: 'Served at counters',
    eta: 'Estimated wait:',
    about: 'about {n} min',
    soon: 'Almost your turn',
    next: 'You are next. Please stay near the counters.',
    nocounter: 'No counter is serving this field right now.',
    issued: 'Issued at {t} on {d}',
    loading: 'Loading…',
    waiting: 'Waiting for your turn',
    called: 'Called at {t}. Please bring your ticket and documents to counter {n} now.',
    recalled: 'Called again ({r}) at {t}. Please go to counter {n} now.',
    serving: 'You are being served at counter {n}. When it is done you can rate the service on this page.',
    served: 'Done at {t}. Thank you!',
    absent: 'You were called at {t} but were not at the counter, so this ticket has ended.',
    cancelled: 'This ticket was cancelled (for example, the hall closed for the day).',
    held: 'Your ticket is on hold at counter {n} while you complete your dossier. Then come back to counter {n}: you are called back, with no queueing again.',
    again: 'If you still need the service, please take a new number or ask at a counter.',
    norate: 'This ticket was not served, so there is nothing to rate.',
    transferred:
      'Your ticket was moved from “{from}” to “{to}”. Your number stays the same; please keep waiting.',
    returned:
      'You are back in the queue (to complete your documents). Your number stays the same; wait to be called again.',
    booked: 'A booked number: you are called by your booked time {t}, ahead of those who came after it.',
    soundOff: 'Tap so your phone rings and vibrates when it is your turn. Keep this page open.',
    soundOn: 'Sound is on: your phone will ring and vibrate when it is your turn. Keep this page open.',
    enable: 'Enable sound',
    test: 'Test',
    q: 'How satisfied are you with the service?',
    comment: 'A comment (optional), written before you choose:',
    how: 'Tap one answer to send your rating:',
    left: '{n} characters left',
    thanks: 'Thank you for your rating!',
    already: 'This ticket has already been rated{l}. Thank you!',
    failed: 'Could not send. Please tap again to send.',
    cOpen: 'Send a complaint',
    privacy: 'This page shows and asks nothing personal.',
    tCalled: '🔔 Go to counter {n} · {c}',
    tAhead: '{c} · {n} ahead',
  },
});
const SCALES = {
  5: [
    [5, 'Rất hài lòng', 'Very satisfied'],
    [4, 'Hài lòng', 'Satisfied'],
    [3, 'Bình thường', 'Neutral'],
    [2, 'Không hài lòng', 'Dissatisfied'],
    [1, 'Rất không hài lòng', 'Very dissatisfied'],
  ],
  3: [
    [3, 'Rất hài lòng', 'Very satisfied'],
    [2, 'Hài lòng', 'Satisfied'],
    [1, 'Không hài lòng', 'Dissatisfied'],
  ],
};
// Faces as on the counter's tablet: mood 2 (beaming) to -2 (very unhappy).
const MOODS = {
  2: ['#43b05c', 'M28 58 Q50 88 72 58 Z', 1],
  1: ['#9ccc4a', 'M31 61 Q50 78 69 61'],
  0: ['#f6c945', 'M33 67 L67 67'],
  '-1': ['#f59a45', 'M32 72 Q50 57 68 72'],
  '-2': ['#e8584c', 'M30 75 Q50 52 70 75'],
};
/** An SVG element (the kit's `h` makes HTML ones). */
function svg(tag, attrs, ...children) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  el.append(...children);
  return el;
}
function face(m) {
  const [color, mouth, open] = MOODS[m];
  const ink = '#2a1d12';
  return svg(
    'svg',
    { viewBox: '0 0 100 100', 'aria-hidden': 'true' },
    svg('circle', { cx: 50, cy: 50, r: 46, fill: color, stroke: '#0002', 'stroke-width': 3 }),
    svg('circle', { cx: 36, cy: 42, r: 6, fill: ink }),
    svg('circle', { cx: 64, cy: 42, r: 6, fill: ink }),
    svg('path', {
      d: mouth,
      fill: open ? ink : 'none',
      stroke: ink,
      'stroke-width': 5,
      'stroke-linecap': 'round',
    }),
  );
}
const store = {
  get(k) {
    try {
      return JSON.parse(localStorage.getItem(k));
    } catch {
      return null;
    }
  },
  set(k, v) {
    try {
      localStorage.setItem(k, JSON.stringify(v));
    } catch {
      // private mode: fine
    }
  },
};

let ticket = null; // the ticket as the server last showed it
let note = null; // why a waiting ticket is waiting again: {k: "transferred", vi, en} or {k: "returned"}
let scale = null;
let hallName = '';
let rate = 'form'; // form | sending | error | thanks | already (this page's own rating attempt)
// The rating so far; its steps after the level, and complaints: more.js.
const draft = { step: 'level', level: null, reasons: new Set() };
let more = null;
let steps = null;
let complaints = null;
function loadMore() {
  more ??= import('/phone/more.js').catch(() => {
    more = null;
  });
  return more;
}
let mounting = null;
function loadSteps() {
  mounting ??= loadMore().then((m) => {
    steps = m?.mountSteps({ t, h, root: $('rating'), draft, send, render });
    return steps;
  });
  return mounting;
}
let connected = true;
const alerts = [];
window.motcuaAlerts = alerts;
const saved = store.get(KEY); // what this phone saw last time, to explain a transfer after a reload

// RFC 3339 in the hall's zone: show the hall's clock time.
const hm = (s) => (s ? s.slice(11, 16) : '');
const dmy = (s) => (s ? `${s.slice(8, 10)}/${s.slice(5, 7)}/${s.slice(0, 4)}` : '');
const fieldName = (x) => t.pick(x.vi ?? x.service_name_vi, x.en ?? x.service_name_en);
const moodOf = (level) => (scale === 3 ? { 3: 2, 2: 1, 1: -1 }[level] : level - 3);
const labelOf = (level) => (SCALES[scale] || []).find((s) => s[0] === level);

function rateState() {
  if (!ticket || ticket.status !== 'served') return 'none';
  if (rate === 'thanks' || rate === 'already') return rate;
  if (ticket.rating != null) return 'already';
  return scale ? rate : 'loading';
}

function statusLine() {
  const s = ticket.status;
  const v = { n: ticket.counter, r: ticket.recalls, t: '' };
  if (s === 'called') return t(ticket.recalls ? 'recalled' : 'called', { ...v, t: hm(ticket.called_at) });
  if (s === 'served') return t('served', { t: hm(ticket.finished_at) });
  if (s === 'absent') return t('absent', { t: hm(ticket.called_at) });
  return t.has(s) ? t(s, v) : s;
}

function estimate() {
  // No counter open for the field: no estimate then, and nobody is "next".
  if (ticket.no_counter_open) return t('nocounter');
  if (ticket.eta_minutes == null) return '–';
  return ticket.eta_minutes === 0 ? t('soon') : t('about', { n: ticket.eta_minutes });
}

function render() {
  const other = t.lang() === 'vi' ? 'en' : 'vi';
  $('lang').lang = other;
  $('hall').textContent = hallName;
  body.dataset.connected = connected;
  $('live').textContent = t(connected ? 'live' : 'offline');
  const a = audio();
  const soundOn = !!a && a.state === 'running';
  body.dataset.sound = soundOn ? 'on' : 'off';
  $('sound-hint').textContent = t(soundOn ? 'soundOn' : 'soundOff');
  $('sound-btn').textContent = t(soundOn ? 'test' : 'enable');
  if (!ticket) {
    $('status').textContent = t('loading');
    return;
  }

  const st = ticket.status;
  body.dataset.status = st;
  $('code').textContent = ticket.code;
  $('field').textContent =
    fieldName(ticket) + (ticket.result_pickup ? ` · ${t.pick('Nhận kết quả', 'Result pick-up')}` : '');
  $('call').hidden = st !== 'called';
  $('counter').textContent = t('counter', { n: ticket.counter });
  $('status').textContent = statusLine();
  $('queue').hidden = st !== 'waiting';
  $('ahead').textContent = ticket.ahead ?? '–';
  $('eta').textContent = estimate();
  // Where to go: the counters that serve the field, as the hall's settings say now.
  const where = ticket.serving_counters || [];
  $('where-row').hidden = !where.length;
  $('where').textContent = where.join(', ');
  $('next').hidden = ticket.no_counter_open || ticket.ahead !== 0;
  $('issued').textContent = t('issued', { t: hm(ticket.issued_at), d: dmy(ticket.issued_at) });
  $('sound').hidden = !(st === 'waiting' || st === 'called');

  let why = '';
  if (st === 'waiting' && note) {
    why =
      note.k === 'transferred'
        ? t('transferred', { from: fieldName(note), to: fieldName(ticket) })
        : t('returned');
  } else if (st === 'waiting' && ticket.booked_for) {
    why = t('booked', { t: ticket.booked_for });
  } else if (st === 'absent' || st === 'cancelled') {
    why = `${t('again')} ${t('norate')}`;
  }
  $('note').hidden = !why;
  $('note').textContent = why;
  $('note').className = st === 'waiting' ? 'card' : 'card why';

  const rs = rateState();
  body.dataset.rate = rs;
  $('rating').hidden = !['form', 'sending', 'error'].includes(rs);
  for (const b of $('levels').children) {
    const [, vi, en] = labelOf(Number(b.dataset.rating));
    b.lastChild.textContent = t.pick(vi, en);
  }
  steps?.render(rs);
  if (rs === 'form') loadSteps();
  $('rate-err').hidden = rs !== 'error';
  $('complaints').hidden = !ticket;
  complaints?.render();
  countLeft();
  $('done').hidden = !(rs === 'thanks' || rs === 'already');
  const label = ticket.rating != null && labelOf(ticket.rating);
  $('done-text').textContent =
    rs === 'thanks' ? t('thanks') : t('already', { l: label ? ` (${t.pick(label[1], label[2])})` : '' });
  fill($('done-face'), label && face(moodOf(ticket.rating)));

  document.title =
    st === 'called'
      ? t('tCalled', { n: ticket.counter, c: ticket.code })
      : st === 'waiting'
        ? t('tAhead', { c: ticket.code, n: ticket.ahead })
        : `${ticket.code} · ${t('yours')}`;
  $('theme').content = st === 'called' ? '#b42318' : '#0b4f9c';
}

let ac = null;
let owed = false; // a call arrived while sound was blocked: chime once it is unlocked
function audio() {
  if (!ac && window.AudioContext) {
    try {
      ac = new AudioContext();
      ac.onstatechange = () => {
        payOwed();
        render();
      };
    } catch {
      return null;
    }
  }
  return ac;
}
// The tests suspend it, as a phone blocks sound until a tap.
window.motcuaAudio = audio;
// A call that came while sound was blocked chimes once a tap unblocks it.
function payOwed() {
  if (!owed || !ac || ac.state !== 'running') return;
  owed = false;
  if (!ticket || ticket.status !== 'called') return;
  const last = alerts[alerts.length - 1];
  if (chime() === 'played' && last && last.sound === 'blocked') last.sound = 'played after tap';
}
// Phones block audio until a tap: any tap on the page unlocks it.
function unlock() {
  const a = audio();
  if (a && a.state !== 'running') a.resume().catch(() => {});
}
addEventListener('pointerdown', unlock, true);
addEventListener('keydown', unlock, true);

/** A two-tone "ding-dong", three times. */
function chime(times = 3) {
  const a = audio();
  if (!a) return 'unsupported';
  if (a.state !== 'running') {
    owed = true;
    return 'blocked';
  }
  owed = false;
  const t0 = a.currentTime + 0.05;
  for (let k = 0; k < times; k++) {
    for (const [d, f] of [
      [0, 880],
      [0.45, 659],
    ]) {
      const o = a.createOscillator();
      const g = a.createGain();
      const s = t0 + k * 1.3 + d;
      o.frequency.value = f;
      g.gain.setValueAtTime(0.0001, s);
      g.gain.exponentialRampToValueAtTime(0.7, s + 0.02);
      g.gain.exponentialRampToValueAtTime(0.0001, s + 1);
      o.connect(g).connect(a.destination);
      o.start(s);
      o.stop(s + 1.05);
    }
  }
  return 'played';
}

function buzz(pattern) {
  if (typeof navigator.vibrate !== 'function') return 'unsupported';
  try {
    return navigator.vibrate(pattern) ? 'yes' : 'refused';
  } catch {
    return 'refused';
  }
}

function alertCall() {
  alerts.push({
    counter: ticket.counter,
    recalls: ticket.recalls,
    sound: chime(),
    vibrate: buzz([600, 200, 600, 200, 600]),
    at: Date.now(),
  });
  body.dataset.alerts = alerts.length;
  const banner = $('call'); // replay the pulse
  banner.style.animation = 'none';
  void banner.offsetWidth;
  banner.style.animation = '';
}

$('sound-btn').onclick = () => {
  const a = audio();
  if (!a) return;
  const wasOwed = owed;
  a.resume().then(
    () => {
      if (wasOwed) payOwed();
      else {
        // let the citizen hear and feel what the alert is like
        chime(1);
        buzz(200);
      }
      render();
    },
    () => {},
  );
};

function onTicket(nt) {
  // Before the first frame, what this phone saw last time is the previous view.
  const prev =
    ticket ||
    (saved && {
      service: saved.s,
      service_name_vi: saved.vi,
      service_name_en: saved.en,
      status: saved.st,
      recalls: saved.r,
    });
  if (nt.status !== 'waiting') note = null;
  else if (prev && prev.service !== nt.service)
    note = { k: 'transferred', vi: prev.service_name_vi, en: prev.service_name_en };
  else if (prev && (prev.status === 'called' || prev.status === 'serving')) note = { k: 'returned' };
  else if (!ticket)
    note = saved
      ? saved.note
      : nt.transferred_from
        ? { k: 'transferred', ...nt.transferred_from }
        : nt.called_at
          ? { k: 'returned' }
          : null;
  const isCall =
    nt.status === 'called' && (!prev || prev.status !== 'called' || nt.recalls > (prev.recalls || 0));
  ticket = nt;
  store.set(KEY, {
    s: nt.service,
    vi: nt.service_name_vi,
    en: nt.service_name_en,
    st: nt.status,
    r: nt.recalls,
    note,
  });
  render();
  if (isCall) alertCall();
}

function buildScale() {
  fill(
    $('levels'),
    SCALES[scale].map(([level]) =>
      h('button', { type: 'button', dataset: { rating: level } }, face(moodOf(level)), h('span')),
    ),
  );
}
async function loadHall(wait = 1000) {
  try {
    const hall = await api('GET', '/api/services');
    hallName = hall.hall || '';
    scale = SCALES[hall.rating_scale] ? hall.rating_scale : 5;
    buildScale();
    render();
  } catch {
    setTimeout(() => loadHall(Math.min(wait * 2, 10000)), wait);
  }
}

function countLeft() {
  $('left').textContent = t('left', { n: COMMENT_MAX - [...$('comment').value.normalize('NFC')].length });
}
// The server counts characters (after NFC), not UTF-16 units: bound it so.
$('comment').oninput = () => {
  const el = $('comment');
  const chars = [...el.value.normalize('NFC')];
  if (chars.length > COMMENT_MAX) el.value = chars.slice(0, COMMENT_MAX).join('');
  countLeft();
};
// Without more.js, the level alone is sent.
$('levels').onclick = async (e) => {
  const b = e.target.closest('button[data-rating]');
  if (!b || rate === 'sending') return;
  draft.level = Number(b.dataset.rating);
  if (await loadSteps()) steps.go(scale);
  else send(null);
};

async function send(visits) {
  if (rate === 'sending' || draft.level == null) return;
  rate = 'sending';
  render();
  const comment = $('comment').value.normalize('NFC').trim();
  try {
    ticket = await api('POST', '/api/ratings', {
      token,
      level: draft.level,
      comment: comment || null,
      reasons: [...draft.reasons],
      visits_needed: visits,
    });
    rate = 'thanks';
  } catch (err) {
    rate = err.code === 'already_rated' ? 'already' : 'error';
  }
  render();
}

async function openComplaints(open) {
  const m = await loadMore();
  complaints ??= m?.mountComplaints({ t, h, fill, api, token, root: $('complaints'), hm, dmy, sent });
  complaints?.show(open);
}
const sent = () => store.set(`${KEY}.c`, 1);
$('c-open').onclick = () => openComplaints(true);
if (store.get(`${KEY}.c`)) openComplaints(false);

$('lang').onclick = () => t.set(t.lang() === 'vi' ? 'en' : 'vi');
t.onChange(() => {
  render();
  loadMsgs();
});

applyStatic(t);
render();
loadHall();
// The ticket's own feed; every frame carries the whole ticket. A socket that closes, even
// before it ever went live, marks the page offline until a snapshot comes again.
let lastSeq = -1;
// A manager's messages to those waiting (the hall's and this field's): read at each snapshot
// and whenever the feed says one was posted or withdrawn; shown until they expire.
let msgs = [];
let msgTimer = null;
async function loadMsgs() {
  try {
    msgs = (await api('GET', `/api/messages?service=${encodeURIComponent(ticket?.service ?? '')}`)).messages;
  } catch {}
  $('msgs').hidden = !msgs.length;
  fill(
    $('msgs'),
    msgs.map((m) => h('p', {}, t.pick(m.text_vi, m.text_en || m.text_vi).normalize('NFC'))),
  );
  // Each leaves when it expires: read again then (the hall's clock decides, not the phone's).
  clearTimeout(msgTimer);
  if (msgs.length)
    msgTimer = setTimeout(loadMsgs, Math.min(...msgs.map((m) => m.expires_in_seconds)) * 1000 + 500);
}
follow(`/ws/tickets/${token}`, {
  onFrame(f) {
    // (After the ticket is taken: a transfer changes whose messages these are.)
    if (f.type !== 'update' || f.ticket.service !== ticket?.service) setTimeout(loadMsgs);
    if (!f.ticket || (f.type !== 'snapshot' && f.seq <= lastSeq)) return;
    lastSeq = f.seq;
    onTicket(f.ticket);
  },
  onState(live) {
    connected = live;
    render();
  },
  onClose() {
    connected = false;
    render();
  },
});
