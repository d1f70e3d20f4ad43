// The phone page's script (not inline: the CSP forbids it).

const token = location.pathname.split('/').pop();
const $ = (id) => document.getElementById(id);
const body = document.body;
const COMMENT_MAX = 500; // the server's bound (api.rs COMMENT_MAX), in characters
const KEY = `motcua.t.${token}`;
// Vietnamese first; {name} is filled in.
const S = {
  yours: ['Số thứ tự của bạn', 'Your number'],
  live: ['Đang cập nhật trực tiếp', 'Live updates'],
  offline: ['Mất kết nối – đang thử kết nối lại…', 'Offline – reconnecting…'],
  goto: ['Mời bạn đến', 'Please go to'],
  counter: ['Quầy {n}', 'Counter {n}'],
  ahead: ['Số người được gọi trước bạn', 'People called before you'],
  eta: ['Thời gian chờ dự kiến:', 'Estimated wait:'],
  about: ['khoảng {n} phút', 'about {n} min'],
  soon: ['Sắp đến lượt', 'Almost your turn'],
  next: ['Bạn là người tiếp theo. Hãy ở gần quầy.', 'You are next. Please stay near the counters.'],
  nocounter: ['Hiện chưa có quầy phục vụ lĩnh vực này.', 'No counter is serving this field right now.'],
  issued: ['Lấy số lúc {t} ngày {d}', 'Issued at {t} on {d}'],
  loading: ['Đang tải…', 'Loading…'],
  waiting: ['Đang chờ đến lượt', 'Waiting for your turn'],
  called: [
    'Gọi lúc {t}. Vui lòng mang phiếu và hồ sơ đến quầy {n} ngay.',
    'Called at {t}. Please bring your ticket and documents to counter {n} now.',
  ],
  recalled: [
    'Gọi lại lần {r} lúc {t}. Vui lòng đến quầy {n} ngay.',
    'Called again ({r}) at {t}. Please go to counter {n} now.',
  ],
  serving: [
    'Bạn đang được phục vụ tại quầy {n}. Khi xong, bạn có thể đánh giá ngay trên trang này.',
    'You are being served at counter {n}. When it is done you can rate the service on this page.',
  ],
  served: ['Đã giải quyết xong lúc {t}. Cảm ơn bạn!', 'Done at {t}. Thank you!'],
  absent: [
    'Bạn đã được gọi lúc {t} nhưng không có mặt tại quầy, nên phiếu này đã kết thúc.',
    'You were called at {t} but were not at the counter, so this ticket has ended.',
  ],
  cancelled: [
    'Phiếu này đã bị hủy (ví dụ: hết giờ làm việc trong ngày).',
    'This ticket was cancelled (for example, the hall closed for the day).',
  ],
  again: [
    'Nếu vẫn cần làm thủ tục, xin lấy số mới hoặc hỏi cán bộ tại quầy.',
    'If you still need the service, please take a new number or ask at a counter.',
  ],
  norate: [
    'Phiếu chưa được phục vụ nên không có phần đánh giá.',
    'This ticket was not served, so there is nothing to rate.',
  ],
  transferred: [
    'Phiếu của bạn đã được chuyển từ lĩnh vực «{from}» sang «{to}». Bạn giữ nguyên số thứ tự, vui lòng tiếp tục chờ.',
    'Your ticket was moved from “{from}” to “{to}”. Your number stays the same; please keep waiting.',
  ],
  returned: [
    'Bạn đã được trả lại hàng chờ (để bổ sung hồ sơ). Số của bạn giữ nguyên; vui lòng chờ được gọi lại.',
    'You are back in the queue (to complete your documents). Your number stays the same; wait to be called again.',
  ],
  soundOff: [
    'Chạm nút để điện thoại kêu và rung khi đến lượt bạn. Hãy giữ trang này mở.',
    'Tap so your phone rings and vibrates when it is your turn. Keep this page open.',
  ],
  soundOn: [
    'Âm báo đã bật: điện thoại sẽ kêu và rung khi đến lượt bạn. Hãy giữ trang này mở.',
    'Sound is on: your phone will ring and vibrate when it is your turn. Keep this page open.',
  ],
  enable: ['Bật âm báo', 'Enable sound'],
  test: ['Nghe thử', 'Test'],
  q: ['Bạn có hài lòng với việc giải quyết thủ tục?', 'How satisfied are you with the service?'],
  comment: [
    'Góp ý thêm (không bắt buộc), viết trước khi chọn:',
    'A comment (optional), written before you choose:',
  ],
  how: ['Chạm vào một mức để gửi đánh giá:', 'Tap one answer to send your rating:'],
  left: ['Còn {n} ký tự', '{n} characters left'],
  sending: ['Đang gửi…', 'Sending…'],
  thanks: ['Cảm ơn bạn đã đánh giá!', 'Thank you for your rating!'],
  already: [
    'Phiếu này đã được đánh giá{l}. Cảm ơn bạn!',
    'This ticket has already been rated{l}. Thank you!',
  ],
  failed: [
    'Chưa gửi được. Vui lòng chạm lại vào mức đánh giá.',
    'Could not send. Please tap your answer again.',
  ],
  privacy: [
    'Trang này không hiển thị và không hỏi thông tin cá nhân.',
    'This page shows and asks nothing personal.',
  ],
  tCalled: ['🔔 Mời đến quầy {n} · {c}', '🔔 Go to counter {n} · {c}'],
  tAhead: ['{c} · {n} người trước bạn', '{c} · {n} ahead'],
};
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
const face = (m) => {
  const [fill, mouth, open] = MOODS[m];
  return (
    `<svg viewBox="0 0 100 100" aria-hidden="true"><circle cx="50" cy="50" r="46" fill="${fill}" stroke="#0002" stroke-width="3"/>` +
    `<circle cx="36" cy="42" r="6" fill="#2a1d12"/><circle cx="64" cy="42" r="6" fill="#2a1d12"/>` +
    `<path d="${mouth}" fill="${open ? '#2a1d12' : 'none'}" stroke="#2a1d12" stroke-width="5" stroke-linecap="round"/></svg>`
  );
};
const store = {
  get(k) {
    try {
      return JSON.parse(localStorage.getItem(k));
    } catch (_) {
      return null;
    }
  },
  set(k, v) {
    try {
      localStorage.setItem(k, JSON.stringify(v));
    } catch (_) {
      /* private mode: fine */
    }
  },
};

let lang = store.get('motcua.lang') === 'en' ? 'en' : 'vi';
let t = null; // the ticket as the server last showed it
let note = null; // why a waiting ticket is waiting again: {k: "transferred", vi, en} or {k: "returned"}
let scale = null,
  hallName = '';
let rate = 'form'; // form | sending | error | thanks | already (this page's own rating attempt)
let connected = true;
const alerts = [];
window.motcuaAlerts = alerts;
const saved = store.get(KEY); // what this phone saw last time, to explain a transfer after a reload

const L = (k, v = {}) => S[k][lang === 'en' ? 1 : 0].replace(/\{(\w+)\}/g, (_, n) => v[n] ?? '');
// RFC 3339 in the hall's zone: show the hall's clock time.
const hm = (s) => (s ? s.slice(11, 16) : '');
const dmy = (s) => (s ? `${s.slice(8, 10)}/${s.slice(5, 7)}/${s.slice(0, 4)}` : '');
const fieldName = (x) => (lang === 'en' ? (x.en ?? x.service_name_en) : (x.vi ?? x.service_name_vi));
const moodOf = (level) => (scale === 3 ? { 3: 2, 2: 1, 1: -1 }[level] : level - 3);
const labelOf = (level) => (SCALES[scale] || []).find((s) => s[0] === level);

function rateState() {
  if (!t || t.status !== 'served') return 'none';
  if (rate === 'thanks' || rate === 'already') return rate;
  if (t.rating != null) return 'already';
  return scale ? rate : 'loading';
}

function statusLine() {
  const v = { n: t.counter, r: t.recalls, t: '' };
  switch (t.status) {
    case 'waiting':
      return L('waiting');
    case 'called':
      v.t = hm(t.called_at);
      return L(t.recalls ? 'recalled' : 'called', v);
    case 'serving':
      return L('serving', v);
    case 'served':
      v.t = hm(t.finished_at);
      return L('served', v);
    case 'absent':
      v.t = hm(t.called_at);
      return L('absent', v);
    case 'cancelled':
      return L('cancelled');
    default:
      return t.status;
  }
}

function render() {
  document.documentElement.lang = lang;
  $('lang').textContent = lang === 'vi' ? 'English' : 'Tiếng Việt';
  $('lang').lang = lang === 'vi' ? 'en' : 'vi';
  for (const el of document.querySelectorAll('[data-s]')) el.textContent = L(el.dataset.s);
  $('hall').textContent = hallName;
  body.dataset.connected = connected;
  $('live').textContent = L(connected ? 'live' : 'offline');
  const a = audio();
  const soundOn = !!a && a.state === 'running';
  body.dataset.sound = soundOn ? 'on' : 'off';
  $('sound-hint').textContent = L(soundOn ? 'soundOn' : 'soundOff');
  $('sound-btn').textContent = L(soundOn ? 'test' : 'enable');
  if (!t) {
    $('status').textContent = L('loading');
    return;
  }

  const st = t.status;
  body.dataset.status = st;
  $('code').textContent = t.code;
  $('field').textContent = fieldName(t);
  $('call').hidden = st !== 'called';
  $('counter').textContent = L('counter', { n: t.counter });
  $('status').textContent = statusLine();
  $('queue').hidden = st !== 'waiting';
  $('ahead').textContent = t.ahead ?? '–';
  // No counter open for the field: no estimate then, and nobody is "next".
  $('eta').textContent = t.no_counter_open
    ? L('nocounter')
    : t.eta_minutes == null
      ? '–'
      : t.eta_minutes === 0
        ? L('soon')
        : L('about', { n: t.eta_minutes });
  $('next').hidden = t.no_counter_open || t.ahead !== 0;
  $('issued').textContent = L('issued', { t: hm(t.issued_at), d: dmy(t.issued_at) });
  $('sound').hidden = !(st === 'waiting' || st === 'called');

  let why = '';
  if (st === 'waiting' && note) {
    why =
      note.k === 'transferred'
        ? L('transferred', { from: fieldName(note), to: fieldName(t) })
        : L('returned');
  } else if (st === 'absent' || st === 'cancelled') {
    why = `${L('again')} ${L('norate')}`;
  }
  $('note').hidden = !why;
  $('note').textContent = why;
  $('note').className = st === 'waiting' ? 'card' : 'card why';

  const rs = rateState();
  body.dataset.rate = rs;
  $('rating').hidden = !['form', 'sending', 'error'].includes(rs);
  for (const b of $('levels').children) {
    const [, vi, en] = labelOf(Number(b.dataset.rating));
    b.lastChild.textContent = lang === 'en' ? en : vi;
    b.disabled = rs === 'sending';
    b.classList.toggle('chosen', rs === 'sending' && b.dataset.chosen === '1');
  }
  $('rate-err').hidden = rs !== 'error';
  countLeft();
  $('done').hidden = !(rs === 'thanks' || rs === 'already');
  const label = t.rating != null && labelOf(t.rating);
  $('done-text').textContent =
    rs === 'thanks'
      ? L('thanks')
      : L('already', { l: label ? ` (${lang === 'en' ? label[2] : label[1]})` : '' });
  $('done-face').innerHTML = label ? face(moodOf(t.rating)) : '';

  document.title =
    st === 'called'
      ? L('tCalled', { n: t.counter, c: t.code })
      : st === 'waiting'
        ? L('tAhead', { c: t.code, n: t.ahead })
        : `${t.code} · ${L('yours')}`;
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
    } catch (_) {
      return null;
    }
  }
  return ac;
}
// A call that came while sound was blocked chimes once a tap unblocks it.
function payOwed() {
  if (!owed || !ac || ac.state !== 'running') return;
  owed = false;
  if (!t || t.status !== 'called') return;
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
      const o = a.createOscillator(),
        g = a.createGain(),
        s = t0 + k * 1.3 + d;
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
  } catch (_) {
    return 'refused';
  }
}

function alertCall() {
  alerts.push({
    counter: t.counter,
    recalls: t.recalls,
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
        chime(1);
        buzz(200);
      } // let the citizen hear and feel what the alert is like
      render();
    },
    () => {},
  );
};

function onTicket(nt) {
  // Before the first frame, what this phone saw last time is the previous view.
  const prev =
    t ||
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
  else if (!t)
    note = saved
      ? saved.note
      : nt.transferred_from
        ? { k: 'transferred', ...nt.transferred_from }
        : nt.called_at
          ? { k: 'returned' }
          : null;
  const isCall =
    nt.status === 'called' && (!prev || prev.status !== 'called' || nt.recalls > (prev.recalls || 0));
  t = nt;
  store.set(KEY, {
    s: t.service,
    vi: t.service_name_vi,
    en: t.service_name_en,
    st: t.status,
    r: t.recalls,
    note,
  });
  render();
  if (isCall) alertCall();
}

let ws = null,
  delay = 500,
  retry = null,
  lastSeq = 0,
  hiddenAt = 0;
function connect() {
  clearTimeout(retry);
  retry = null;
  const sock = new WebSocket(
    `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws/tickets/${token}`,
  );
  ws = sock;
  sock.onopen = () => {
    delay = 500;
  };
  sock.onmessage = (m) => {
    let f;
    try {
      f = JSON.parse(m.data);
    } catch (_) {
      return;
    }
    if (!f.ticket) return;
    if (f.type === 'snapshot') lastSeq = f.seq;
    else if (f.seq < lastSeq) return;
    else lastSeq = f.seq;
    connected = true;
    onTicket(f.ticket);
  };
  sock.onclose = () => {
    if (sock !== ws) return;
    ws = null;
    connected = false;
    render();
    // Back off up to 10 s, jittered so a hall's phones do not all come back at once.
    retry = setTimeout(connect, delay + Math.random() * 300);
    delay = Math.min(delay * 2, 10000);
  };
}
function reconnectNow() {
  if (ws && ws.readyState <= 1) return;
  connect();
}
addEventListener('online', reconnectNow);
// A phone asleep a while may hold a dead socket: start again from a snapshot.
document.addEventListener('visibilitychange', () => {
  if (document.hidden) {
    hiddenAt = Date.now();
    return;
  }
  if (ws && hiddenAt && Date.now() - hiddenAt > 20000) {
    const old = ws;
    ws = null;
    old.close();
  }
  reconnectNow();
});

function buildScale() {
  $('levels').innerHTML = SCALES[scale]
    .map(
      ([level]) =>
        `<button type="button" data-rating="${level}">${face(moodOf(level))}<span></span></button>`,
    )
    .join('');
}
async function loadHall(wait = 1000) {
  try {
    const r = await fetch('/api/services');
    if (!r.ok) throw r.status;
    const h = await r.json();
    hallName = h.hall || '';
    scale = SCALES[h.rating_scale] ? h.rating_scale : 5;
    buildScale();
    render();
  } catch (_) {
    setTimeout(() => loadHall(Math.min(wait * 2, 10000)), wait);
  }
}

function countLeft() {
  $('left').textContent = L('left', { n: COMMENT_MAX - [...$('comment').value.normalize('NFC')].length });
}
// The server counts characters (after NFC), not UTF-16 units: bound it so.
$('comment').oninput = () => {
  const el = $('comment'),
    chars = [...el.value.normalize('NFC')];
  if (chars.length > COMMENT_MAX) el.value = chars.slice(0, COMMENT_MAX).join('');
  countLeft();
};
$('levels').onclick = async (e) => {
  const b = e.target.closest('button[data-rating]');
  if (!b || rate === 'sending') return;
  for (const x of $('levels').children) x.dataset.chosen = x === b ? '1' : '';
  rate = 'sending';
  render();
  const comment = $('comment').value.normalize('NFC').trim();
  try {
    const r = await fetch('/api/ratings', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token, level: Number(b.dataset.rating), comment: comment || null }),
    });
    const answer = await r.json().catch(() => ({}));
    const code = answer.error?.code;
    if (r.ok) {
      rate = 'thanks';
      t = answer;
    } else if (code === 'already_rated') rate = 'already';
    else rate = 'error';
  } catch (_) {
    rate = 'error';
  }
  render();
};

$('lang').onclick = () => {
  lang = lang === 'vi' ? 'en' : 'vi';
  store.set('motcua.lang', lang);
  render();
};

render();
loadHall();
connect();
