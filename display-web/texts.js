// Every text of the two screens, in both languages. A wall screen has no language switch: it
// shows both at once, Vietnamese first and large (read from across the hall), English beside
// it, smaller, in a `lang="en"` span (screen readers and translators switch voice there).

import { h } from '/shared/el.js';
import { makeI18n } from '/shared/i18n.js';

const t = makeI18n(
  {
    vi: {
      title: 'Màn hình gọi số – motcua',
      'title.counter': 'Quầy {no} – motcua',
      kicker: 'Bộ phận Một cửa',
      'now-calling': 'Mời công dân có số thứ tự',
      ticket: 'Số',
      counter: 'Quầy',
      'idle.welcome': 'Kính chào quý công dân',
      'idle.take': 'Vui lòng lấy số thứ tự và chờ gọi số',
      recent: 'Vừa gọi',
      'recent.none': 'Chưa gọi số nào hôm nay',
      waiting: 'Số người đang chờ',
      notice: 'Thông báo',
      'fate.requeued': 'Về hàng chờ',
      'fate.held': 'Tạm gác',
      'fate.absent': 'Vắng mặt',
      'fate.cancelled': 'Đã hủy',
      'fate.recalled': 'Gọi lại',
      'field.closed': 'Chưa có quầy mở',
      reconnecting: 'Đang kết nối lại…',
      sound: 'Chạm để bật âm thanh',
      'c.missing': 'Không có quầy số {no}',
      'c.please-come': 'Mời công dân có số',
      'c.now-serving': 'Số đang phục vụ',
      'c.wait': 'Xin chờ gọi số',
      'c.paused-wait': 'Quầy tạm dừng, xin vui lòng chờ',
      'c.elsewhere': 'Xin mời sang quầy khác',
      'c.serving': 'Đang phục vụ',
      'c.calling': 'Đang gọi số',
      'c.ready': 'Sẵn sàng phục vụ',
      'c.paused': 'Tạm dừng',
      'c.paused-for': 'Tạm dừng: {reason}',
      'c.closed': 'Quầy đóng',
      'c.waiting': 'Đang chờ:',
    },
    en: {
      kicker: 'One-stop service',
      'idle.welcome': 'Welcome — please take a number and wait to be called',
      'now-calling': 'Now calling',
      ticket: 'Ticket',
      counter: 'Counter',
      recent: 'Recent calls',
      'recent.none': 'No calls yet today',
      waiting: 'People waiting',
      notice: 'Notice',
      'fate.requeued': 'Back in queue',
      'fate.held': 'On hold',
      'fate.absent': 'Absent',
      'fate.cancelled': 'Cancelled',
      'fate.recalled': 'Recall',
      'field.closed': 'Closed',
      reconnecting: 'Reconnecting',
      sound: 'Tap to enable sound',
      'c.missing': "No such counter — check the display's address",
      'c.please-come': 'Please come to the counter',
      'c.now-serving': 'Now serving',
      'c.wait': 'Please wait for your number',
      'c.paused-wait': 'Please wait',
      'c.elsewhere': 'Please use another counter',
      'c.serving': 'Now serving',
      'c.calling': 'Calling',
      'c.ready': 'Ready',
      'c.paused': 'Paused',
      'c.closed': 'Closed',
      'c.waiting': 'waiting',
    },
  },
  { remember: false },
);
// The page's language is Vietnamese whatever the address says: that is what it shows first.
document.documentElement.lang = 'vi';

/** The Vietnamese text of `key`. */
export const vi = (key, vars) => (t.lang() === 'vi' ? t(key, vars) : t.other(key, vars));

/** The English text of `key`. */
export const enText = (key, vars) => (t.lang() === 'en' ? t(key, vars) : t.other(key, vars));

/** The English span of `key`. */
export const en = (key, vars) => h('span', { class: 'en', lang: 'en' }, enText(key, vars));

/** `key` in both languages: the Vietnamese text, then the English span. */
export const both = (key, vars) => [vi(key, vars), ' ', en(key, vars)];

/**
 * Fill the page's fixed texts: `data-both="key"` gets both languages, `data-vi` the
 * Vietnamese alone, `data-en` the English alone (its element carries `lang="en"`).
 */
export function fillStatic(root = document) {
  for (const el of root.querySelectorAll('[data-both]')) el.replaceChildren(...both(el.dataset.both));
  for (const el of root.querySelectorAll('[data-vi]')) el.textContent = vi(el.dataset.vi);
  for (const el of root.querySelectorAll('[data-en]')) el.textContent = enText(el.dataset.en);
}
