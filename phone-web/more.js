// What the phone page shows after the first tap, loaded by phone.js only when wanted (the
// page's own size budget stays small): the rating's steps after its level (a low rating's
// reasons, then how many times the citizen had to come for the dossier) and complaints
// (phản ánh: a topic and what happened, then their state and the hall's 8-working-hour
// due time). It gets the page's kit (t, h, fill, api) from phone.js and imports nothing.

const MAX = 1000; // the server's bound (satisfaction::COMPLAINT_TEXT_MAX), in characters
const REASONS = ['wait', 'attitude', 'guidance', 'repeat', 'other'];
const TOPICS = ['attitude', 'wait', 'extra_demands', 'process', 'other'];
const S = {
  why: ['Điều gì chưa tốt?', 'What was not good?'],
  whyHint: ['Chọn một hoặc nhiều lý do (không bắt buộc).', 'Choose one or more reasons (optional).'],
  comment: ['Góp ý thêm (không bắt buộc):', 'A comment (optional):'],
  next: ['Tiếp tục', 'Continue'],
  visits: [
    'Bạn đã phải đến bao nhiêu lần cho hồ sơ này?',
    'How many times did you have to come for this dossier?',
  ],
  skip: ['Bỏ qua và gửi', 'Skip and send'],
  v1: ['1 lần', 'Once'],
  v2: ['2 lần', 'Twice'],
  v3: ['3 lần trở lên', '3 times or more'],
  r_wait: ['Chờ lâu', 'Long wait'],
  r_attitude: ['Thái độ', 'Staff attitude'],
  r_guidance: ['Hướng dẫn chưa rõ', 'Unclear guidance'],
  r_repeat: ['Phải đi lại nhiều lần', 'Had to come back many times'],
  r_other: ['Khác', 'Other'],
  title: ['Phản ánh', 'Complaints'],
  hint: [
    'Nếu có điều chưa đúng khi làm thủ tục, bạn có thể gửi phản ánh. Bộ phận một cửa tiếp nhận trong 8 giờ làm việc.',
    'If something was wrong, you can send a complaint. The hall acknowledges it within 8 working hours.',
  ],
  topic: ['Nội dung phản ánh', 'What is it about?'],
  text: ['Mô tả sự việc (bắt buộc):', 'What happened (required):'],
  send: ['Gửi phản ánh', 'Send complaint'],
  left: ['Còn {n} ký tự', '{n} characters left'],
  needTopic: ['Vui lòng chọn nội dung phản ánh.', 'Please choose what it is about.'],
  needText: ['Vui lòng mô tả sự việc.', 'Please describe what happened.'],
  failed: ['Chưa gửi được. Vui lòng thử lại.', 'Could not send. Please try again.'],
  full: ['Phiếu này đã gửi đủ 3 phản ánh.', 'This ticket has sent the most complaints (3).'],
  item: ['{topic} · gửi lúc {t}', '{topic} · sent at {t}'],
  open: ['Đã gửi, chờ tiếp nhận trước {t}', 'Sent, to be acknowledged by {t}'],
  acknowledged: ['Đã tiếp nhận, đang xử lý', 'Acknowledged, being handled'],
  resolved: ['Đã giải quyết', 'Resolved'],
  overdue: ['Quá hạn tiếp nhận (hạn {t})', 'Overdue (due {t})'],
  attitude: ['Thái độ phục vụ', 'Staff attitude'],
  wait: ['Chờ đợi quá lâu', 'Waited too long'],
  extra_demands: [
    'Yêu cầu thêm giấy tờ, chi phí ngoài quy định',
    'Asked for papers or fees beyond the rules',
  ],
  process: ['Thủ tục, hướng dẫn', 'Procedure, guidance'],
  other: ['Khác', 'Other'],
};

/** The string `key` in the page's language, `{name}` filled from `vars`. */
const say =
  (t) =>
  (key, vars = {}) =>
    t.pick(...S[key]).replace(/\{(\w+)\}/g, (_, k) => vars[k] ?? '');

/** This module's stylesheet, once. */
function styles(h) {
  if (!document.getElementById('more-css'))
    document.head.append(h('link', { rel: 'stylesheet', href: '/phone/more.css', id: 'more-css' }));
}

/**
 * The rating's steps after its level, inside the rating card `root`: `draft` is the page's
 * rating being composed ({step, level, reasons}); `send(visits)` sends it.
 */
export function mountSteps({ t, h, root, draft, send, render }) {
  const s = say(t);
  styles(h);
  const chip = (dataset) => h('button', { type: 'button', class: 'chip', dataset });
  const why = h('legend');
  const whyHint = h('p', { class: 'hint' });
  const reasons = h(
    'div',
    { id: 'reasons', class: 'chips' },
    REASONS.map((r) => chip({ reason: r })),
  );
  const next = h('button', { type: 'button', class: 'big', id: 'reasons-next' });
  const visitsQ = h('legend');
  const visits = h(
    'div',
    { id: 'visits', class: 'chips' },
    [1, 2, 3].map((n) => chip({ visits: n })),
  );
  const skip = h('button', { type: 'button', class: 'plain', id: 'visits-skip' });
  const label = root.querySelector('label[for="comment"]');
  const asked = label.textContent;
  const reasonsStep = h(
    'fieldset',
    { id: 'reasons-step', class: 'step', hidden: true },
    why,
    whyHint,
    reasons,
  );
  const visitsStep = h('fieldset', { id: 'visits-step', class: 'step', hidden: true }, visitsQ, visits, skip);
  next.hidden = true;
  label.before(reasonsStep);
  root.querySelector('#rate-err').before(next, visitsStep);
  // What each step shows (hidden here, not by the stylesheet: it may still be loading).
  const shown = {
    level: [...root.querySelectorAll('h2, .tap, #levels')],
    reasons: [reasonsStep, next],
    visits: [visitsStep],
  };
  const comment = [label, ...root.querySelectorAll('#comment, #left')];

  const go = (step) => {
    draft.step = step;
    render();
    root.querySelector(`#${step}-step button`)?.focus();
  };
  reasons.onclick = (e) => {
    const r = e.target.closest('button')?.dataset.reason;
    if (!r) return;
    if (draft.reasons.has(r)) draft.reasons.delete(r);
    else draft.reasons.add(r);
    render();
  };
  next.onclick = () => go('visits');
  visits.onclick = (e) => {
    const n = e.target.closest('button')?.dataset.visits;
    if (n) send(Number(n));
  };
  skip.onclick = () => send(null);

  return {
    /** After the level: a low one (satisfaction::is_low: 3 or less of 5, 1 of 3) asks why. */
    go: (scale) => go(draft.level <= (scale === 3 ? 1 : 3) ? 'reasons' : 'visits'),
    /** Texts in the page's language, the reasons chosen, the buttons while sending. */
    render(rate) {
      root.dataset.step = draft.step;
      for (const [step, els] of Object.entries(shown)) for (const el of els) el.hidden = step !== draft.step;
      for (const el of comment) el.hidden = draft.step === 'visits';
      why.textContent = s('why');
      whyHint.textContent = s('whyHint');
      next.textContent = s('next');
      visitsQ.textContent = s('visits');
      skip.textContent = s('skip');
      for (const b of reasons.children) {
        b.textContent = s(`r_${b.dataset.reason}`);
        b.setAttribute('aria-pressed', String(draft.reasons.has(b.dataset.reason)));
      }
      for (const b of visits.children) b.textContent = s(`v${b.dataset.visits}`);
      for (const b of [...visits.children, skip]) b.disabled = rate === 'sending';
      if (draft.step === 'reasons') label.textContent = s('comment');
      else label.textContent = t('comment') || asked;
    },
  };
}

/** Build the complaints' form and list inside `root` (the page's #complaints card). */
export function mountComplaints({ t, h, fill, api, token, root, hm, dmy, sent }) {
  const s = say(t);
  styles(h);
  const at = (iso) => `${hm(iso)} ${dmy(iso)}`;
  let data = null; // {complaints, left}
  let topic = null;
  let err = '';
  let open = false;

  const title = h('h2');
  const list = h('ul', { id: 'c-list' });
  const hint = h('p', { id: 'c-hint', class: 'hint' });
  const opener = root.querySelector('#c-open');
  const legend = h('legend');
  const topics = h('div', { id: 'c-topics', class: 'chips' });
  const label = h('label', { for: 'c-text', class: 'hint' });
  const text = h('textarea', { id: 'c-text', rows: 4 });
  const left = h('p', { id: 'c-left', class: 'left', 'aria-live': 'polite' });
  const error = h('p', { id: 'c-err', class: 'err', role: 'alert' });
  const button = h('button', { type: 'submit', class: 'big', id: 'c-send' });
  const form = h(
    'form',
    { id: 'c-form', hidden: true },
    h('fieldset', {}, legend, topics),
    label,
    text,
    left,
    error,
    button,
  );
  opener.setAttribute('aria-controls', 'c-form');
  root.replaceChildren(title, list, hint, opener, form);
  fill(
    topics,
    TOPICS.map((k) =>
      h('button', { type: 'button', class: 'chip', dataset: { topic: k }, 'aria-pressed': 'false' }),
    ),
  );

  function stateLine(c) {
    if (c.state !== 'open') return s(c.state);
    return s(c.overdue ? 'overdue' : 'open', { t: at(c.due_at) });
  }

  function render() {
    title.textContent = s('title');
    legend.textContent = s('topic');
    label.textContent = s('text');
    button.textContent = s('send');
    fill(
      list,
      (data?.complaints ?? []).map((c) =>
        h(
          'li',
          { dataset: { state: c.state, overdue: String(c.overdue) } },
          h('b', {}, s('item', { topic: s(c.topic), t: at(c.made_at) })),
          h('span', {}, stateLine(c)),
        ),
      ),
    );
    const full = data && data.left <= 0;
    hint.textContent = s(full ? 'full' : 'hint');
    form.hidden = !open || full;
    opener.hidden = !form.hidden || full;
    opener.setAttribute('aria-expanded', String(!form.hidden));
    for (const b of topics.children) {
      b.textContent = s(b.dataset.topic);
      b.setAttribute('aria-pressed', String(b.dataset.topic === topic));
    }
    left.textContent = s('left', { n: MAX - [...text.value.normalize('NFC')].length });
    error.textContent = err ? s(err) : '';
  }

  async function load() {
    try {
      data = await api('GET', `/api/tickets/${token}/complaints`);
    } catch {
      /* the list shows when it can be read */
    }
    render();
  }

  topics.onclick = (e) => {
    const b = e.target.closest('button[data-topic]');
    if (!b) return;
    topic = b.dataset.topic;
    err = '';
    render();
  };
  text.oninput = () => {
    const chars = [...text.value.normalize('NFC')];
    if (chars.length > MAX) text.value = chars.slice(0, MAX).join('');
    render();
  };
  form.onsubmit = async (e) => {
    e.preventDefault();
    const what = text.value.normalize('NFC').trim();
    err = !topic ? 'needTopic' : !what ? 'needText' : '';
    if (err) {
      render();
      return;
    }
    button.disabled = true;
    try {
      await api('POST', '/api/complaints', { token, topic, text: what });
      sent();
      text.value = '';
      topic = null;
      open = false;
    } catch (e) {
      err = e.code === 'too_many_complaints' ? 'full' : 'failed';
    } finally {
      button.disabled = false;
    }
    await load();
  };

  return {
    /** Show the card's list (and the form, when the citizen asked for it). */
    show(withForm) {
      if (withForm) open = true;
      render();
      load().then(() => {
        if (withForm) topics.querySelector('button')?.focus();
      });
    },
    render,
  };
}
