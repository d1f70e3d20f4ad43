// "Cài đặt chung": the hall's name, notice and rating scale (`hall`), the voice of the
// announcements (`announcements`), the queue's rules (`queue`) and the manager's alerts
// (`alerts`, alerts-card.js), each a card of its own (settings.js) applied at once when saved.

import { h } from '/shared/el.js';
import { alertStrings, alertsCard } from './alerts-card.js';
import { labelled, number, sectionCard, select } from './settings.js';

export const roles = ['admin', 'manager'];

export const strings = {
  vi: {
    'hall.tab': 'Cài đặt chung',
    'hall.title': 'Thông tin bộ phận một cửa',
    'hall.hint': 'Tên hiện trên màn hình, phiếu và trang của công dân; thông báo chạy dưới màn hình sảnh.',
    'hall.name': 'Tên bộ phận một cửa',
    'hall.notice': 'Thông báo chạy trên màn hình sảnh',
    'hall.rating_scale': 'Thang đánh giá',
    'hall.scale.5': '5 mức (1–5 sao)',
    'hall.scale.3': '3 mức (Không hài lòng / Hài lòng / Rất hài lòng)',
    'hall.timezone': 'Múi giờ',
    'hall.timezone.hint': 'Chỉ đổi trong tệp cấu hình (số thứ tự trong ngày theo múi giờ này).',
    'voice.title': 'Giọng đọc gọi số',
    'voice.hint': 'Màn hình sảnh đọc lời mời bằng giọng này.',
    'voice.region': 'Giọng vùng miền',
    'voice.north': 'Miền Bắc',
    'voice.central': 'Miền Trung',
    'voice.south': 'Miền Nam',
    'voice.gender': 'Giọng',
    'voice.female': 'Nữ',
    'voice.male': 'Nam',
    'voice.speed': 'Tốc độ đọc (từ/phút)',
    'voice.volume': 'Âm lượng trên màn hình (0–100)',
    'voice.chime': 'Rung chuông trước mỗi lời mời',
    'queue.title': 'Quy tắc hàng đợi',
    'queue.hint': 'Cách quầy chọn số tiếp theo, ưu tiên, và khi nào được đánh dấu vắng mặt.',
    'queue.call_order': 'Thứ tự gọi',
    'queue.order.oldest': 'Ai đến trước gọi trước (giữa các lĩnh vực của quầy)',
    'queue.order.preference': 'Hết lĩnh vực ưu tiên 1 mới sang lĩnh vực sau',
    'queue.priority_streak_limit': 'Số lượt ưu tiên liên tiếp tối đa',
    'queue.normal_wait_limit_minutes': 'Sau đó, người thường đã chờ quá (phút) được gọi',
    'queue.transfer_keeps_place': 'Chuyển quầy vẫn giữ chỗ trong hàng',
    'queue.absent_after_seconds': 'Được đánh dấu vắng sau khi gọi (giây)',
    'queue.absent_undo_minutes': 'Được hoàn tác vắng mặt trong (phút)',
    ...alertStrings.vi,
  },
  en: {
    'hall.tab': 'General',
    'hall.title': 'The hall',
    'hall.hint':
      'The name on the screens, tickets and the citizen’s page; the notice scrolling on the hall display.',
    'hall.name': 'Name of the hall',
    'hall.notice': 'Notice on the hall display',
    'hall.rating_scale': 'Rating scale',
    'hall.scale.5': '5 levels (1–5 stars)',
    'hall.scale.3': '3 levels (Dissatisfied / Satisfied / Very satisfied)',
    'hall.timezone': 'Time zone',
    'hall.timezone.hint': 'Changed only in the settings file (the day’s numbers follow it).',
    'voice.title': 'The calling voice',
    'voice.hint': 'The hall display speaks its calls in this voice.',
    'voice.region': 'Regional accent',
    'voice.north': 'Northern',
    'voice.central': 'Central',
    'voice.south': 'Southern',
    'voice.gender': 'Voice',
    'voice.female': 'Female',
    'voice.male': 'Male',
    'voice.speed': 'Speed (words a minute)',
    'voice.volume': 'Volume on the displays (0–100)',
    'voice.chime': 'Chime before each call',
    'queue.title': 'Queue rules',
    'queue.hint': 'How a counter picks the next number, priority, and when someone may be marked absent.',
    'queue.call_order': 'Calling order',
    'queue.order.oldest': 'First come, first served (across the counter’s fields)',
    'queue.order.preference': 'The first field until empty, then the next',
    'queue.priority_streak_limit': 'Most priority calls in a row',
    'queue.normal_wait_limit_minutes': 'Then a normal ticket waiting longer than (minutes) goes next',
    'queue.transfer_keeps_place': 'A transferred ticket keeps its place',
    'queue.absent_after_seconds': 'May be marked absent after the call (seconds)',
    'queue.absent_undo_minutes': 'An absence may be undone for (minutes)',
    ...alertStrings.en,
  },
};

const checkbox = (on, key) => h('input', { type: 'checkbox', checked: Boolean(on), 'data-key': key });

export function mount({ t, root, admin, refused }) {
  const hall = sectionCard({
    t,
    admin,
    refused,
    name: 'hall',
    title: 'hall.title',
    hint: 'hall.hint',
    build(v) {
      const name = h('input', {
        value: v.name ?? '',
        required: true,
        maxlength: 200,
        'data-key': 'hall.name',
      });
      const notice = h('textarea', { maxlength: 500, 'data-key': 'hall.notice' }, v.notice ?? '');
      const scale = select(
        t,
        v.rating_scale,
        [
          ['5', 'hall.scale.5'],
          ['3', 'hall.scale.3'],
        ],
        { 'data-key': 'hall.rating_scale' },
      );
      const tz = h('input', { value: v.timezone ?? '', readonly: true, 'data-key': 'hall.timezone' });
      return {
        el: h(
          'div',
          { class: 'form-grid' },
          labelled(t, 'hall.name', name, { wide: true }),
          labelled(t, 'hall.notice', notice, { wide: true }),
          labelled(t, 'hall.rating_scale', scale),
          labelled(t, 'hall.timezone', tz, { hint: 'hall.timezone.hint' }),
        ),
        read: () => ({
          ...v,
          name: name.value.trim(),
          notice: notice.value.trim(),
          rating_scale: Number(scale.value),
        }),
      };
    },
  });

  const voice = sectionCard({
    t,
    admin,
    refused,
    name: 'announcements',
    title: 'voice.title',
    hint: 'voice.hint',
    build(v) {
      const region = select(
        t,
        v.region,
        [
          ['north', 'voice.north'],
          ['central', 'voice.central'],
          ['south', 'voice.south'],
        ],
        { 'data-key': 'announcements.region' },
      );
      const gender = select(
        t,
        v.gender,
        [
          ['female', 'voice.female'],
          ['male', 'voice.male'],
        ],
        { 'data-key': 'announcements.gender' },
      );
      const speed = number(v.speed, 80, 260, { 'data-key': 'announcements.speed', required: true });
      const volume = number(v.volume, 0, 100, { 'data-key': 'announcements.volume', required: true });
      const chime = checkbox(v.chime, 'announcements.chime');
      return {
        el: h(
          'div',
          { class: 'form-grid' },
          labelled(t, 'voice.region', region),
          labelled(t, 'voice.gender', gender),
          labelled(t, 'voice.speed', speed),
          labelled(t, 'voice.volume', volume),
          h('label', { class: 'check' }, chime, h('span', { 'data-i18n': 'voice.chime' }, t('voice.chime'))),
        ),
        read: () => ({
          ...v,
          region: region.value,
          gender: gender.value,
          speed: Number(speed.value),
          volume: Number(volume.value),
          chime: chime.checked,
        }),
      };
    },
  });

  const queue = sectionCard({
    t,
    admin,
    refused,
    name: 'queue',
    title: 'queue.title',
    hint: 'queue.hint',
    build(v) {
      const order = select(
        t,
        v.call_order,
        [
          ['oldest', 'queue.order.oldest'],
          ['preference', 'queue.order.preference'],
        ],
        { 'data-key': 'queue.call_order' },
      );
      const streak = number(v.priority_streak_limit, 1, 100, {
        'data-key': 'queue.priority_streak_limit',
        required: true,
      });
      const waitLimit = number(v.normal_wait_limit_minutes, 0, 480, {
        'data-key': 'queue.normal_wait_limit_minutes',
        required: true,
      });
      const keeps = checkbox(v.transfer_keeps_place, 'queue.transfer_keeps_place');
      const absentAfter = number(v.absent_after_seconds, 0, 3600, {
        'data-key': 'queue.absent_after_seconds',
        required: true,
      });
      const undo = number(v.absent_undo_minutes, 0, 240, {
        'data-key': 'queue.absent_undo_minutes',
        required: true,
      });
      return {
        el: h(
          'div',
          { class: 'form-grid' },
          labelled(t, 'queue.call_order', order, { wide: true }),
          labelled(t, 'queue.priority_streak_limit', streak),
          labelled(t, 'queue.normal_wait_limit_minutes', waitLimit),
          labelled(t, 'queue.absent_after_seconds', absentAfter),
          labelled(t, 'queue.absent_undo_minutes', undo),
          h(
            'label',
            { class: 'check' },
            keeps,
            h('span', { 'data-i18n': 'queue.transfer_keeps_place' }, t('queue.transfer_keeps_place')),
          ),
        ),
        read: () => ({
          ...v,
          call_order: order.value,
          priority_streak_limit: Number(streak.value),
          normal_wait_limit_minutes: Number(waitLimit.value),
          transfer_keeps_place: keeps.checked,
          absent_after_seconds: Number(absentAfter.value),
          absent_undo_minutes: Number(undo.value),
        }),
      };
    },
  });

  const alerts = alertsCard({ t, admin, refused });
  root.append(hall.el, voice.el, queue.el, alerts.el);
  const cards = [hall, voice, queue, alerts];
  return {
    open: () => Promise.all(cards.map((c, i) => c.load(i === 0))),
    relabel: () => {
      for (const c of cards) c.relabel();
    },
  };
}
