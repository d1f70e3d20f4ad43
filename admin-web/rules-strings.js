// The texts of the admin page's "Quy tắc trong ngày" area (rules.js).
export const strings = {
  vi: {
    'rules.tab': 'Quy tắc trong ngày',
    'rules.title': 'Quy tắc trong ngày',
    'rules.hint':
      'Giờ cấp số, gọi lại, tự ghi vắng mặt và tạm gác. Lưu là áp dụng ngay, không cần khởi động lại; mỗi lần lưu được ghi vào nhật ký.',
    'rules.hours.title': 'Giờ cấp số',
    'rules.hours.hint':
      'Lịch của bộ phận (giờ làm việc, ngày làm việc, ngày lễ, ngày nghỉ riêng) sửa ở mục «Lịch & đặt lịch»; đặt lịch hẹn, hạn phản ánh và cấp số cùng dùng lịch đó.',
    'rules.hours.follow_calendar': 'Chỉ cấp số trong giờ làm việc',
    'rules.hours.follow_calendar.hint':
      'Ngoài giờ, máy lấy số báo đã ngừng cấp số và khi nào cấp lại. Tắt: cấp số mọi lúc.',
    'rules.hours.stop_before_close_minutes': 'Ngừng cấp số trước khi hết buổi (phút)',
    'rules.hours.stop_before_close_minutes.hint': 'Áp dụng cho cả buổi sáng và buổi chiều. Từ 0 đến 240.',
    'rules.hours.last_issue': 'Giờ cấp số cuối cùng trong ngày',
    'rules.hours.last_issue.hint': 'Để trống nếu không có.',
    'rules.hours.weekdays': 'Ngày có giờ làm việc riêng',
    'rules.hours.weekdays.hint':
      'Ví dụ thứ Bảy chỉ làm buổi sáng: 07:30-11:30. Nhiều buổi cách nhau bằng dấu phẩy. Để trống: theo giờ làm việc chung.',
    'rules.hours.weekdays.placeholder': 'theo giờ chung',
    'rules.weekday.monday': 'Thứ Hai',
    'rules.weekday.tuesday': 'Thứ Ba',
    'rules.weekday.wednesday': 'Thứ Tư',
    'rules.weekday.thursday': 'Thứ Năm',
    'rules.weekday.friday': 'Thứ Sáu',
    'rules.weekday.saturday': 'Thứ Bảy',
    'rules.weekday.sunday': 'Chủ nhật',
    'rules.queue.title': 'Gọi số, vắng mặt và tạm gác',
    'rules.queue.hint': 'Các quy tắc khác của hàng chờ giữ nguyên.',
    'rules.queue.recall_gap_minutes': 'Gọi lại cách lần gọi trước ít nhất (phút)',
    'rules.queue.recall_gap_minutes.hint': '0: gọi lại ngay được. Berlin (ZMS) dùng 5 phút. Từ 0 đến 60.',
    'rules.queue.absent_after_calls': 'Tự ghi vắng mặt sau số lần gọi',
    'rules.queue.absent_after_calls.hint':
      'Sau chừng ấy lần gọi và thêm số phút trên mà không ai đến, hệ thống tự ghi vắng mặt. 0: không bao giờ. ZMS dùng 3.',
    'rules.queue.holds_per_counter': 'Số phiếu mỗi quầy được tạm gác',
    'rules.queue.holds_per_counter.hint':
      'Công dân đi bổ sung hồ sơ rồi được gọi lại, giữ nguyên lượt; hết hiệu lực cuối ngày. 0: không dùng tạm gác.',
    'rules.quota.where':
      'Số thứ tự tối đa mỗi ngày của từng lĩnh vực đặt trong mục Lĩnh vực (cột «Số tối đa mỗi ngày»).',
    'rules.invalid.range': '«{label}» phải là số nguyên từ {min} đến {max}.',
    'rules.refused': 'Máy chủ không nhận: {why}',
  },
  en: {
    'rules.tab': 'Day’s rules',
    'rules.title': 'The day’s rules',
    'rules.hint':
      'Issuing hours, recalls, the hall’s own absences and holds. Saving applies at once, with no restart; each save is in the audit log.',
    'rules.hours.title': 'Issuing hours',
    'rules.hours.hint':
      'The hall’s calendar (opening hours, working days, holidays, its own closed days) is set under “Calendar & bookings”; bookings, complaints’ due times and issuing all read it.',
    'rules.hours.follow_calendar': 'Give numbers only in opening hours',
    'rules.hours.follow_calendar.hint':
      'Outside them the kiosk says numbers have stopped and when they start again. Off: numbers at any hour.',
    'rules.hours.stop_before_close_minutes': 'Stop numbers before each span ends (minutes)',
    'rules.hours.stop_before_close_minutes.hint': 'Morning and afternoon alike. 0 to 240.',
    'rules.hours.last_issue': 'The day’s last issuing time',
    'rules.hours.last_issue.hint': 'Empty: none.',
    'rules.hours.weekdays': 'Weekdays with their own hours',
    'rules.hours.weekdays.hint':
      'For example Saturday mornings only: 07:30-11:30. Several spans separated by commas. Empty: the usual hours.',
    'rules.hours.weekdays.placeholder': 'usual hours',
    'rules.weekday.monday': 'Monday',
    'rules.weekday.tuesday': 'Tuesday',
    'rules.weekday.wednesday': 'Wednesday',
    'rules.weekday.thursday': 'Thursday',
    'rules.weekday.friday': 'Friday',
    'rules.weekday.saturday': 'Saturday',
    'rules.weekday.sunday': 'Sunday',
    'rules.queue.title': 'Calls, absences and holds',
    'rules.queue.hint': 'The queue’s other rules are kept as they are.',
    'rules.queue.recall_gap_minutes': 'Recall at least this long after the last call (minutes)',
    'rules.queue.recall_gap_minutes.hint': '0: at once. Berlin’s ZMS uses 5 minutes. 0 to 60.',
    'rules.queue.absent_after_calls': 'Mark absent after this many calls',
    'rules.queue.absent_after_calls.hint':
      'After this many calls and the minutes above with nobody coming, the hall marks the ticket absent itself. 0: never. ZMS uses 3.',
    'rules.queue.holds_per_counter': 'Tickets a counter may hold aside',
    'rules.queue.holds_per_counter.hint':
      'The citizen completes the dossier and is called back, keeping their turn; holds lapse at the day’s end. 0: no holds.',
    'rules.quota.where':
      'Each field’s daily quota of numbers is set in the Fields area (the “Numbers a day at most” column).',
    'rules.invalid.range': '“{label}” must be a whole number from {min} to {max}.',
    'rules.refused': 'The server refused it: {why}',
  },
};
