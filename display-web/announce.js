// Spoken calls: a two-tone chime made with WebAudio, then the server's voice
// (/api/announcements, espeak-ng), else the browser's own vi-VN voice, else the chime alone.
// One at a time, in order, so two calls never talk over each other.
//
// The TV's Chromium should run with --autoplay-policy=no-user-gesture-required. If the
// browser blocks sound anyway, a "tap to enable sound" button appears and the calls wait.
//
// Every announcement is recorded in window.motcuaAnnouncements when it starts playing:
// {code, counter, source: "server" | "browser" | "chime", at}.

window.motcuaAnnouncements ??= [];
const played = window.motcuaAnnouncements;
const STALE_MS = 2 * 60 * 1000; // a call still not announced after this is old news
const params = new URLSearchParams(location.search);
// The hall's settings (/api/services) set the volume and the chime; `?volume=` on this
// screen's address wins, for a TV that is louder or quieter than the rest.
let volume = clampVolume(params.get('volume'));
let chimeOn = true;

export function configure(settings) {
  if (!settings) return;
  if (params.get('volume') === null && Number.isFinite(settings.volume)) {
    volume = clampVolume(String(settings.volume));
    if (master) master.gain.value = volume;
  }
  chimeOn = settings.chime !== false;
}

const queue = [];
let busy = false;
let ctx = null;
let master = null;
let button = null;

function clampVolume(raw) {
  const v = raw === null || raw === '' ? 90 : Number(raw);
  return Number.isFinite(v) ? Math.min(100, Math.max(0, v)) / 100 : 0.9;
}

export function phrase(code, counter) {
  return `Mời công dân có số thứ tự ${[...code].join(' ')} đến quầy số ${counter}`;
}

function audio() {
  if (!ctx) {
    ctx = new AudioContext();
    master = ctx.createGain();
    master.gain.value = volume;
    master.connect(ctx.destination);
    ctx.addEventListener('statechange', showButton);
  }
  return ctx;
}

function showButton() {
  if (button) button.hidden = !ctx || ctx.state === 'running';
}

/// Wire the "tap to enable sound" button and find out at once whether sound is allowed.
export function setupSound(el) {
  button = el;
  button.addEventListener('click', () => {
    audio().resume();
    // Speech synthesis also needs a user gesture once; an empty utterance unlocks it.
    if ('speechSynthesis' in window) speechSynthesis.speak(new SpeechSynthesisUtterance(''));
    button.hidden = true;
  });
  audio()
    .resume()
    .catch(() => {});
  setTimeout(showButton, 800);
  if ('speechSynthesis' in window) speechSynthesis.getVoices(); // starts loading the list
}

/// Queue the announcement of a call (or a recall: it is said again). `holds` says, when
/// its turn comes, whether the call still stands (a call taken down meanwhile is not said).
export function announce(code, counter, holds = () => true) {
  queue.push({ code, counter, holds, queued: Date.now(), voice: fetchVoice(code, counter) });
  pump();
}

// Fetched as soon as the call arrives, so the voice is ready when its turn comes.
async function fetchVoice(code, counter) {
  try {
    const q = new URLSearchParams({ code, counter: String(counter) });
    const r = await fetch(`/api/announcements?${q}`);
    if (!r.ok) return null;
    return await audio().decodeAudioData(await r.arrayBuffer());
  } catch {
    return null;
  }
}

async function pump() {
  if (busy) return;
  busy = true;
  try {
    while (queue.length) {
      await soundAllowed();
      const item = queue.shift();
      if (Date.now() - item.queued > STALE_MS || !item.holds()) continue;
      const buffer = await within(item.voice, 4000, null);
      const viVoice = buffer ? null : browserVoice();
      const source = buffer ? 'server' : viVoice ? 'browser' : 'chime';
      played.push({ code: item.code, counter: item.counter, source, at: Date.now() });
      if (chimeOn || !(buffer || viVoice)) await chime();
      if (buffer) await playBuffer(buffer);
      else if (viVoice) await speak(phrase(item.code, item.counter), viVoice);
      await sleep(500);
    }
  } finally {
    busy = false;
  }
}

// Resolves when the audio context runs; while the browser blocks it, shows the button.
function soundAllowed() {
  const c = audio();
  if (c.state === 'running') return Promise.resolve();
  c.resume().catch(() => {});
  return new Promise((resolve) => {
    const check = () => {
      if (c.state === 'running') {
        c.removeEventListener('statechange', check);
        clearTimeout(timer);
        resolve();
      }
    };
    const timer = setTimeout(showButton, 500);
    c.addEventListener('statechange', check);
  });
}

// "Ding-dong": two bell-like tones, E5 then C5.
function chime() {
  const c = audio();
  const start = c.currentTime + 0.05;
  tone(659.25, start, 0.9);
  tone(523.25, start + 0.5, 1.2);
  return sleep(1700);
}

function tone(freq, at, length) {
  const c = audio();
  const gain = c.createGain();
  gain.gain.setValueAtTime(0.0001, at);
  gain.gain.exponentialRampToValueAtTime(0.5, at + 0.015);
  gain.gain.exponentialRampToValueAtTime(0.0001, at + length);
  gain.connect(master);
  for (const [mult, level] of [
    [1, 1],
    [2, 0.25],
    [3, 0.08],
  ]) {
    const osc = c.createOscillator();
    const g = c.createGain();
    osc.frequency.value = freq * mult;
    g.gain.value = level;
    osc.connect(g).connect(gain);
    osc.start(at);
    osc.stop(at + length + 0.05);
  }
}

function playBuffer(buffer) {
  const c = audio();
  const src = c.createBufferSource();
  src.buffer = buffer;
  src.connect(master);
  return new Promise((resolve) => {
    src.onended = resolve;
    src.start();
    setTimeout(resolve, buffer.duration * 1000 + 2000); // never wait forever
  });
}

function browserVoice() {
  if (!('speechSynthesis' in window)) return null;
  const voices = speechSynthesis.getVoices();
  return (
    voices.find((v) => v.lang.replace('_', '-').toLowerCase() === 'vi-vn') ??
    voices.find((v) => v.lang.toLowerCase().startsWith('vi')) ??
    null
  );
}

function speak(text, voice) {
  return new Promise((resolve) => {
    const u = new SpeechSynthesisUtterance(text);
    u.voice = voice;
    u.lang = voice.lang || 'vi-VN';
    u.volume = volume;
    u.rate = 0.9;
    let done = false;
    const finish = () => {
      if (!done) {
        done = true;
        resolve();
      }
    };
    u.onend = u.onerror = finish;
    speechSynthesis.speak(u);
    setTimeout(() => {
      if (!done) {
        speechSynthesis.cancel();
        finish();
      }
    }, 15000);
  });
}

function within(promise, ms, fallback) {
  return Promise.race([promise, sleep(ms).then(() => fallback)]);
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}
