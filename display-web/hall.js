// Hall TV: the latest call, huge; the recent calls; people waiting per field; the notice.

import { announce } from "./announce.js";

const $ = (id) => document.getElementById(id);
const MAX_CALLS = 10;

const state = {
  services: [], // [{code, name_vi, name_en}]
  waiting: {}, // code -> count
  counters: new Map(), // no -> {state, services}
  calls: [], // newest first: {code, counter, service, kind}
  connected: false,
};

export function init() {
  // How many recent calls fit depends on the screen; a TV does not resize, a test window may.
  addEventListener("resize", () => renderRecent(false));
}

export function feedPath() {
  return "/ws/hall";
}

export function settings(s) {
  if (s.hall) $("hall-name").textContent = s.hall;
  setNotice(s.notice ?? "");
  if (!state.services.length && Array.isArray(s.services)) {
    state.services = s.services;
    for (const f of s.services) state.waiting[f.code] ??= f.waiting;
    renderWaiting(true);
  }
}

export function online(on) {
  state.connected = on;
}

export function apply(frame) {
  if (frame.type === "snapshot") {
    $("hall-name").textContent = frame.hall ?? "";
    state.services = frame.services ?? [];
    state.waiting = Object.fromEntries(state.services.map((f) => [f.code, f.waiting]));
    state.counters = new Map((frame.counters ?? []).map((c) => [c.no, c]));
    state.calls = latestFirst((frame.recent_calls ?? []).map(call));
    renderLatest(false);
    renderRecent(false);
    renderWaiting(true);
    return;
  }
  if (frame.counter) state.counters.set(frame.counter.no, frame.counter);
  if (frame.waiting) Object.assign(state.waiting, frame.waiting);
  if ((frame.kind === "called" || frame.kind === "recalled") && frame.ticket) {
    const c = call({ ...frame.ticket, counter: frame.ticket.counter ?? frame.counter?.no, kind: frame.kind });
    state.calls = latestFirst([c, ...state.calls]);
    renderLatest(true);
    renderRecent(true);
    announce(c.code, c.counter);
  }
  renderWaiting(false);
}

function call(c) {
  return { code: c.code, counter: c.counter, service: c.service, kind: c.kind };
}

// One line per ticket: a recall moves the ticket back to the top.
function latestFirst(calls) {
  const seen = new Set();
  return calls.filter((c) => !seen.has(c.code) && seen.add(c.code)).slice(0, MAX_CALLS);
}

function fieldName(code) {
  return state.services.find((f) => f.code === code);
}

function renderLatest(flash) {
  const latest = state.calls[0];
  const code = $("latest-code");
  code.textContent = latest ? latest.code : "—";
  code.dataset.len = latest ? String(latest.code.length) : "1";
  $("latest-counter").textContent = latest ? String(latest.counter) : "—";
  const f = latest && fieldName(latest.service);
  $("latest-field").textContent = f ? f.name_vi : "";
  const box = $("latest");
  box.classList.toggle("empty", !latest);
  box.classList.remove("flash");
  if (flash) {
    void box.offsetWidth; // restart the animation on a recall
    box.classList.add("flash");
  }
}

function renderRecent(fresh) {
  const list = $("recent");
  const rem = parseFloat(getComputedStyle(document.documentElement).fontSize);
  const fits = Math.max(1, Math.floor(list.clientHeight / (8.4 * rem)) || 6);
  list.replaceChildren(
    ...state.calls.slice(0, fits).map((c, i) => {
      const li = document.createElement("li");
      li.dataset.code = c.code;
      li.dataset.counter = String(c.counter);
      if (fresh && i === 0) li.className = "new";
      const code = document.createElement("span");
      code.className = "rc-code";
      code.textContent = c.code;
      if (c.kind === "recalled") {
        const tag = document.createElement("span");
        tag.className = "rc-tag";
        tag.textContent = "Gọi lại";
        code.append(tag);
      }
      const counter = document.createElement("span");
      counter.className = "rc-counter";
      counter.textContent = String(c.counter);
      li.append(code, counter);
      return li;
    }),
  );
  if (!state.calls.length) {
    const li = document.createElement("div");
    li.className = "recent-empty";
    li.innerHTML = 'Chưa gọi số nào hôm nay <span class="en">No calls yet today</span>';
    list.replaceChildren(li);
  }
}

// Fields no open counter serves are marked, so nobody waits for a closed field unawares.
function openCounters(code) {
  let n = 0;
  for (const c of state.counters.values()) if (c.state !== "closed" && c.services?.includes(code)) n++;
  return n;
}

function renderWaiting(rebuild) {
  const box = $("waiting");
  if (rebuild || box.children.length !== state.services.length) {
    box.replaceChildren(
      ...state.services.map((f) => {
        const el = document.createElement("div");
        el.className = "field";
        el.dataset.waitingField = f.code;
        // The count comes first in the text (tests and screen readers read "5 A Tư pháp…").
        el.innerHTML =
          '<div class="field-top"> <div class="field-count"></div> <div class="field-code"></div> </div> ' +
          '<div class="field-name"> <div class="field-vi"></div> <div class="field-en"></div>' +
          ' <div class="field-note"></div> </div>';
        el.querySelector(".field-code").textContent = f.code;
        el.querySelector(".field-vi").textContent = f.name_vi;
        el.querySelector(".field-en").textContent = f.name_en;
        return el;
      }),
    );
  }
  for (const el of box.children) {
    const code = el.dataset.waitingField;
    const n = state.waiting[code] ?? 0;
    const count = el.querySelector(".field-count");
    count.textContent = String(n);
    count.classList.toggle("zero", n === 0);
    const closed = state.counters.size > 0 && openCounters(code) === 0;
    el.classList.toggle("closed", closed);
    const note = el.querySelector(".field-note");
    if (closed !== note.hasChildNodes()) {
      note.innerHTML = closed ? 'Chưa có quầy mở <span class="en">Closed</span>' : "";
    }
  }
}

function setNotice(text) {
  const el = $("notice");
  text = text.normalize("NFC").trim();
  el.closest(".notice-bar").classList.toggle("empty", !text);
  if (el.textContent === text) return;
  el.textContent = text;
  // About 14 rem a second, whatever the length of the text.
  requestAnimationFrame(() => {
    const rem = parseFloat(getComputedStyle(document.documentElement).fontSize);
    el.style.setProperty("--notice-seconds", `${Math.max(10, el.scrollWidth / (14 * rem))}s`);
  });
}
