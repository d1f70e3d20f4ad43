// "Lịch & đặt lịch": the hall's one calendar and how citizens book ([bookings], a live
// section): working weekdays, opening hours, public holidays, the hall's own closed days and
// make-up days, and the booking rules (days ahead, window length, the walk-ins' share, the
// per-person limit, the check-in span). A save applies at once to the booking page, check-in,
// the kiosk's issuing hours ([hours].follow_calendar) and complaints' due times. The outside
// issuers and their secrets stay in the settings file: the server neither shows nor takes
// them here. A change that would take away the day or window of bookings already made is
// refused by the server (409 `bookings_stranded`), said here with the day and how many.

import { fill, h } from '/shared/el.js';
import { labelled, markWrong, number, removeButton, sectionCard, select } from './settings.js';

export const roles = ['admin', 'manager'];

export const strings = {
  vi: {
    'calendar.tab': 'Lịch & đặt lịch',
    'calendar.title': 'Lịch làm việc và đặt lịch hẹn',
    'calendar.hint':
      'Một lịch chung cho cả bộ phận: đặt lịch hẹn, giờ cấp số của ki-ốt (khi bật «Chỉ cấp số trong giờ làm việc») và hạn trả lời phản ánh đều theo lịch này. Lưu là áp dụng ngay. Bên cấp số ngoài (ứng dụng của thành phố) và khóa bí mật của họ chỉ đặt trong tệp cấu hình.',
    'calendar.enabled': 'Nhận đặt lịch hẹn',
    'calendar.online_only': 'Chỉ cấp số trực tiếp cho đối tượng ưu tiên (người khác đặt lịch)',
    'calendar.weekdays': 'Ngày làm việc trong tuần',
    'calendar.weekday.1': 'Thứ Hai',
    'calendar.weekday.2': 'Thứ Ba',
    'calendar.weekday.3': 'Thứ Tư',
    'calendar.weekday.4': 'Thứ Năm',
    'calendar.weekday.5': 'Thứ Sáu',
    'calendar.weekday.6': 'Thứ Bảy',
    'calendar.weekday.7': 'Chủ nhật',
    'calendar.opening_hours': 'Giờ làm việc',
    'calendar.opening_hours.hint':
      'Các buổi cách nhau bằng dấu phẩy, ví dụ 07:30-11:30, 13:30-17:00. Ngày có giờ riêng (thứ Bảy chỉ buổi sáng) đặt ở mục Quy tắc trong ngày.',
    'calendar.public_holidays': 'Nghỉ các ngày lễ, Tết theo quy định (cả ngày nghỉ bù)',
    'calendar.closed_days': 'Ngày nghỉ riêng của bộ phận',
    'calendar.closed_days.hint': 'Ki-ốt và trang đặt lịch đóng cả ngày.',
    'calendar.open_days': 'Ngày làm bù',
    'calendar.open_days.hint': 'Làm việc dù là ngày nghỉ (ví dụ thứ Bảy làm bù).',
    'calendar.day': 'Ngày',
    'calendar.add_day': 'Thêm ngày',
    'calendar.remove_day': 'Bỏ ngày {day}',
    'calendar.no_days': 'Chưa có ngày nào.',
    'calendar.days_ahead': 'Được đặt trước tối đa (ngày)',
    'calendar.window_minutes': 'Mỗi khung giờ hẹn dài (phút)',
    'calendar.walk_in_percent': 'Phần thời gian quầy dành cho người đến trực tiếp (%)',
    'calendar.per_person_per_day': 'Số lịch hẹn mỗi người một ngày',
    'calendar.release_delay_minutes': 'Chỗ bị hủy được đặt lại sau (phút)',
    'calendar.early_minutes': 'Làm thủ tục sớm nhất trước giờ hẹn (phút)',
    'calendar.late_minutes': 'Làm thủ tục muộn nhất sau giờ hẹn (phút)',
    'calendar.late_arrival': 'Người đến muộn hơn',
    'calendar.late.walk_in': 'Nhận số thường',
    'calendar.late.refuse': 'Không nhận',
    'calendar.invalid.spans': '«{label}» phải là các buổi như 07:30-11:30, cách nhau bằng dấu phẩy.',
    'calendar.invalid.day': 'Hãy chọn một ngày trước khi bấm «Thêm ngày».',
    'calendar.stranded':
      'Không lưu được: ngày {day} có {count} lịch hẹn (lúc {times}) sẽ mất ngày hoặc khung giờ. Hãy hủy các lịch hẹn đó trước, hoặc giữ ngày và giờ làm việc đó.',
    'calendar.stranded.more': 'Các ngày sau còn {more} lịch hẹn nữa cũng bị ảnh hưởng.',
    'err.bookings_stranded':
      'Không lưu được: thay đổi này làm mất ngày hoặc khung giờ của lịch hẹn đã đặt. Hãy hủy các lịch hẹn đó trước.',
  },
  en: {
    'calendar.tab': 'Calendar & bookings',
    'calendar.title': 'Working calendar and bookings',
    'calendar.hint':
      'One calendar for the whole hall: bookings, the kiosk’s issuing hours (with “Give numbers only in opening hours” on) and complaints’ due times all follow it. Saving applies at once. Outside issuers (the city’s app) and their secrets are set in the settings file only.',
    'calendar.enabled': 'Take bookings',
    'calendar.online_only': 'Walk-in numbers only for priority cases (everyone else books)',
    'calendar.weekdays': 'Working weekdays',
    'calendar.weekday.1': 'Monday',
    'calendar.weekday.2': 'Tuesday',
    'calendar.weekday.3': 'Wednesday',
    'calendar.weekday.4': 'Thursday',
    'calendar.weekday.5': 'Friday',
    'calendar.weekday.6': 'Saturday',
    'calendar.weekday.7': 'Sunday',
    'calendar.opening_hours': 'Opening hours',
    'calendar.opening_hours.hint':
      'Spans separated by commas, e.g. 07:30-11:30, 13:30-17:00. Weekdays with hours of their own (Saturday mornings) are set under the day’s rules.',
    'calendar.public_holidays': 'Closed on public holidays and Tết (with days in lieu)',
    'calendar.closed_days': 'The hall’s own closed days',
    'calendar.closed_days.hint': 'The kiosk and the booking page are closed all day.',
    'calendar.open_days': 'Make-up working days',
    'calendar.open_days.hint': 'Worked though otherwise a day off (a make-up Saturday, say).',
    'calendar.day': 'Day',
    'calendar.add_day': 'Add the day',
    'calendar.remove_day': 'Remove {day}',
    'calendar.no_days': 'No days yet.',
    'calendar.days_ahead': 'Bookable up to (days ahead)',
    'calendar.window_minutes': 'Length of a booking window (minutes)',
    'calendar.walk_in_percent': 'Counter time kept for walk-ins (%)',
    'calendar.per_person_per_day': 'Bookings one person may hold a day',
    'calendar.release_delay_minutes': 'A cancelled place is bookable again after (minutes)',
    'calendar.early_minutes': 'Check-in opens before the appointment (minutes)',
    'calendar.late_minutes': 'Check-in closes after the appointment (minutes)',
    'calendar.late_arrival': 'A later arrival',
    'calendar.late.walk_in': 'Gets an ordinary number',
    'calendar.late.refuse': 'Is refused',
    'calendar.invalid.spans': '“{label}” must be spans like 07:30-11:30, separated by commas.',
    'calendar.invalid.day': 'Choose a day before pressing “Add the day”.',
    'calendar.stranded':
      'Not saved: {count} booking(s) on {day} (at {times}) would lose their day or window. Cancel those bookings first, or keep that day and its hours.',
    'calendar.stranded.more': '{more} more booking(s) on later days would too.',
    'err.bookings_stranded':
      'Not saved: this change takes away the day or window of bookings already made. Cancel them first.',
  },
};

/** `2026-11-27` as `27/11/2026`. */
const dayText = (iso) => iso.split('-').reverse().join('/');

const checkbox = (on, attrs) => h('input', { type: 'checkbox', checked: Boolean(on), ...attrs });

const checkLabel = (t, input, key) =>
  h('label', { class: 'check' }, input, h('span', { 'data-i18n': key }, t(key)));

/** A list of days (closed or make-up) with a date to add and a ✕ on each. */
function dayList(t, name, days) {
  let chosen = [...(days ?? [])].sort();
  const list = h('ul', { class: 'day-list', dataset: { days: name } });
  const input = h('input', {
    id: `calendar-${name}-new`,
    type: 'date',
    'data-key': `bookings.${name}`,
  });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const draw = () => {
    fill(
      list,
      chosen.length === 0
        ? h('li', { class: 'hint' }, t('calendar.no_days'))
        : chosen.map((d) =>
            h(
              'li',
              { dataset: { day: d } },
              h('span', {}, dayText(d)),
              removeButton(`remove-${name}`, t('calendar.remove_day', { day: dayText(d) }), () => {
                chosen = chosen.filter((x) => x !== d);
                draw();
              }),
            ),
          ),
    );
  };
  const add = h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      dataset: { action: `add-${name}` },
      onclick: () => {
        input.removeAttribute('aria-invalid');
        error.textContent = '';
        const v = input.value;
        if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return markWrong(input, error, t('calendar.invalid.day'));
        if (!chosen.includes(v)) chosen = [...chosen, v].sort();
        input.value = '';
        draw();
      },
    },
    t('calendar.add_day'),
  );
  draw();
  const el = h(
    'fieldset',
    { class: 'days', dataset: { list: name } },
    h('legend', {}, t(`calendar.${name}`)),
    h('p', { class: 'hint' }, t(`calendar.${name}.hint`)),
    list,
    h(
      'div',
      { class: 'form-actions tight' },
      h('label', { for: input.id }, h('span', {}, t('calendar.day')), input),
      add,
    ),
    error,
  );
  return { el, read: () => chosen };
}

export function mount({ t, root, admin, refused }) {
  const card = sectionCard({
    t,
    admin,
    refused: (err) => stranded(err) || refused(err),
    name: 'bookings',
    title: 'calendar.title',
    hint: 'calendar.hint',
    build(v) {
      const enabled = checkbox(v.enabled, { 'data-key': 'bookings.enabled', id: 'calendar-enabled' });
      const onlineOnly = checkbox(v.online_only, { 'data-key': 'bookings.online_only' });
      const weekdays = [1, 2, 3, 4, 5, 6, 7].map((d) =>
        checkbox((v.weekdays ?? []).includes(d), {
          value: String(d),
          id: `calendar-weekday-${d}`,
          'data-key': d === 1 ? 'bookings.weekdays' : null,
        }),
      );
      const hours = h('input', {
        id: 'calendar-opening-hours',
        value: (v.opening_hours ?? []).join(', '),
        required: true,
        'data-key': 'bookings.opening_hours',
      });
      const holidays = checkbox(v.public_holidays, {
        'data-key': 'bookings.public_holidays',
        id: 'calendar-public-holidays',
      });
      const closed = dayList(t, 'closed_days', v.closed_days);
      const open = dayList(t, 'open_days', v.open_days);
      const numbers = [
        ['days_ahead', 0, 60],
        ['window_minutes', 5, 240],
        ['walk_in_percent', 0, 100],
        ['per_person_per_day', 1, 20],
        ['release_delay_minutes', 0, 1440],
        ['early_minutes', 0, 240],
        ['late_minutes', 0, 240],
      ].map(([key, min, max]) => [
        key,
        number(v[key], min, max, { id: `calendar-${key}`, 'data-key': `bookings.${key}`, required: true }),
      ]);
      const late = select(
        t,
        v.late_arrival,
        [
          ['walk_in', 'calendar.late.walk_in'],
          ['refuse', 'calendar.late.refuse'],
        ],
        { 'data-key': 'bookings.late_arrival' },
      );
      const error = h('p', { class: 'form-error', role: 'alert' });
      return {
        el: h(
          'div',
          {},
          h(
            'div',
            { class: 'form-grid' },
            checkLabel(t, enabled, 'calendar.enabled'),
            checkLabel(t, onlineOnly, 'calendar.online_only'),
            checkLabel(t, holidays, 'calendar.public_holidays'),
          ),
          h(
            'fieldset',
            { class: 'weekday-checks' },
            h('legend', {}, t('calendar.weekdays')),
            weekdays.map((box, i) => checkLabel(t, box, `calendar.weekday.${i + 1}`)),
          ),
          h(
            'div',
            { class: 'form-grid' },
            labelled(t, 'calendar.opening_hours', hours, { wide: true, hint: 'calendar.opening_hours.hint' }),
          ),
          h('div', { class: 'day-lists' }, closed.el, open.el),
          h(
            'div',
            { class: 'form-grid' },
            numbers.map(([key, input]) => labelled(t, `calendar.${key}`, input)),
            labelled(t, 'calendar.late_arrival', late),
          ),
          error,
        ),
        read: () => {
          error.textContent = '';
          const spans = hours.value
            .split(',')
            .map((s) => s.replace(/\s+/g, ''))
            .filter(Boolean);
          if (spans.some((s) => !/^\d{1,2}:\d{2}-\d{1,2}:\d{2}$/.test(s)))
            return markWrong(
              hours,
              error,
              t('calendar.invalid.spans', { label: t('calendar.opening_hours') }),
            );
          const value = {
            ...v,
            enabled: enabled.checked,
            online_only: onlineOnly.checked,
            public_holidays: holidays.checked,
            weekdays: weekdays.filter((b) => b.checked).map((b) => Number(b.value)),
            opening_hours: spans,
            closed_days: closed.read(),
            open_days: open.read(),
            late_arrival: late.value,
          };
          for (const [key, input] of numbers) value[key] = Number(input.value);
          return value;
        },
      };
    },
  });

  /** The server's refusal of a change that strands bookings, in the page's words. */
  function stranded(err) {
    if (err?.code !== 'bookings_stranded') return false;
    const m =
      /^(\d+) booking\(s\) on (\d{4}-\d{2}-\d{2}) at (.+?) would lose their day or window(?: \(and (\d+) more on later days\))?:/.exec(
        err.message ?? '',
      );
    card.error.textContent = m
      ? [
          t('calendar.stranded', { count: m[1], day: dayText(m[2]), times: m[3] }),
          m[4] ? t('calendar.stranded.more', { more: m[4] }) : '',
        ]
          .filter(Boolean)
          .join(' ')
      : t('err.bookings_stranded');
    return true;
  }

  root.append(card.el);
  return {
    open: () => card.load(true),
    relabel: () => card.relabel(),
  };
}
