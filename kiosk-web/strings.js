// Every word the kiosk says, in Vietnamese (the default) and English, for the kit's
// makeI18n: `{n}` and `{why}` are filled in when the text is used. The kiosk shows the other
// language small under the one chosen (t.other).

// Why a ticket has not printed (yet): one text for every code of the printer crate's
// `Reason::ALL` (printer/src/reason.rs), in its order; tests/tests/print_reasons.rs holds
// this list, the README's and the code together. They become the keys `why_<code>`.
const printReasons = {
  vi: {
    no_printer: 'máy lấy số này không có máy in',
    printer_away: 'máy in đang mất kết nối',
    paper_out: 'hết giấy',
    cover_open: 'nắp máy in đang mở',
    printer_error: 'máy in báo lỗi',
    printer_offline: 'máy in không sẵn sàng',
    printer_timeout: 'máy in không phản hồi',
    printer_unreachable: 'không kết nối được máy in',
    printer_io_error: 'đường truyền tới máy in bị ngắt',
    bad_printer_address: 'địa chỉ máy in bị cài sai',
    render_failed: 'không tạo được phiếu để in',
    print_uncertain: 'không rõ phiếu đã in hay chưa',
    expired: 'quá thời gian chờ in',
  },
  en: {
    no_printer: 'this kiosk has no printer',
    printer_away: 'the printer is not connected',
    paper_out: 'out of paper',
    cover_open: 'the cover is open',
    printer_error: 'the printer reports an error',
    printer_offline: 'the printer is offline',
    printer_timeout: 'the printer is not responding',
    printer_unreachable: 'the printer cannot be reached',
    printer_io_error: 'the link to the printer broke',
    bad_printer_address: 'the printer’s address is set wrong',
    render_failed: 'the ticket could not be prepared for printing',
    print_uncertain: 'it is not known whether the ticket printed',
    expired: 'printing took too long',
  },
};

const vi = {
  page_title: 'Máy lấy số thứ tự',

  unpaired_title: 'Máy chưa được ghép nối',
  unpaired_citizen: 'Xin vui lòng hỏi cán bộ để được lấy số.',
  unpaired_revoked: 'Mã ghép nối của máy này không còn hiệu lực.',

  reconnecting: 'Đang kết nối lại…',
  reconnecting_sub: 'Vui lòng chờ trong giây lát.',

  start_title: 'Mời chọn lĩnh vực',
  hall_closed: 'Bộ phận một cửa chưa mở cửa',
  hall_break: 'Bộ phận một cửa đang tạm nghỉ',
  hall_closed_sub: 'Xin vui lòng chờ hoặc hỏi cán bộ hướng dẫn.',
  waiting: '{n} người đang chờ',
  no_counter: 'Hiện chưa có quầy phục vụ lĩnh vực này',
  field_break: 'Tạm nghỉ',
  printer_down: 'Máy in tạm thời không in được phiếu ({why}). Số của bạn sẽ hiện trên màn hình.',
  no_printer: 'Máy lấy số này không in phiếu: hãy chụp ảnh số của bạn hoặc quét mã QR trên màn hình.',

  priority_title: 'Bạn có thuộc diện ưu tiên không?',
  priority_sub: 'Người thuộc diện ưu tiên được gọi trước, theo thứ tự đến. Chọn diện của bạn, rồi xác nhận.',
  prios_label: 'Diện ưu tiên',
  // The answer "no" takes the number at once: a regular ticket is two taps (field, this).
  no: 'Không: lấy số thường',
  no_sub: 'Bấm để nhận số ngay',
  back: 'Quay lại',

  confirm_title: 'Vui lòng kiểm tra lại',
  confirm_field: 'Lĩnh vực',
  confirm_priority: 'Ưu tiên',
  no_priority: 'Không ưu tiên',
  get_number: 'Lấy số',
  getting: 'Đang lấy số…',
  try_again: 'Xin thử lại',
  try_again_sub: 'Chưa lấy được số. Vui lòng bấm nút lần nữa.',
  exhausted: 'Lĩnh vực này đã hết số hôm nay',
  exhausted_sub: 'Vui lòng hỏi cán bộ hướng dẫn.',
  too_fast: 'Máy đang cấp quá nhiều số cùng lúc',
  too_fast_sub: 'Vui lòng chờ {n} giây rồi bấm lại, hoặc hỏi cán bộ hướng dẫn.',

  your_number: 'Số thứ tự của bạn',
  ahead: 'Số người được gọi trước bạn: {n}',
  eta: 'Thời gian chờ dự kiến: khoảng {n} phút',
  eta_soon: 'Sắp đến lượt',
  qr_alt: 'Mã QR để theo dõi số {code}',
  qr_hint: 'Quét mã để theo dõi lượt của bạn trên điện thoại',
  printing: 'Đang in phiếu…',
  printed: 'Mời nhận phiếu bên dưới',
  print_waiting: 'Đang chờ máy in… Phiếu vẫn có hiệu lực: hãy chụp ảnh màn hình hoặc quét mã QR.',
  print_waiting_why: 'Đang chờ máy in: {why}… Phiếu vẫn có hiệu lực: hãy chụp ảnh màn hình hoặc quét mã QR.',
  print_failed:
    'Chưa in được phiếu ({why}). Số của bạn vẫn có hiệu lực: vui lòng chụp ảnh màn hình này hoặc ghi lại số.',
  ok: 'OK',
  have_number: 'Tôi đã ghi lại số',
  closes_in: 'Để giữ kín số của bạn, màn hình sẽ tự đóng sau {n} giây.',

  // A timed step about to go back to the start (WCAG 2.2.1: warn, and offer more time).
  more_time_q: 'Bạn cần thêm thời gian?',
  more_time_left: 'Màn hình sẽ trở về trang đầu sau {n} giây.',
  more_time: 'Cho tôi thêm thời gian',

  // A printer code this page does not know (a newer server): said plainly, never as the code.
  why_other: 'lỗi máy in',

  // Bookings: the check-in (the keypad, the scanner) and the online-only day.
  booking_button: 'Tôi đã đặt lịch hẹn',
  booking_button_sub: 'Quét mã QR hoặc nhập mã lịch hẹn',
  only_title: 'Mời xác nhận lịch hẹn',
  only_why:
    'Hôm nay bộ phận một cửa chỉ tiếp nhận công dân đã đặt lịch; số trực tiếp chỉ dành cho đối tượng ưu tiên',
  only_fields: 'Đối tượng ưu tiên: mời chọn lĩnh vực',
  only_priority_title: 'Mời chọn diện ưu tiên của bạn',
  priority_only: 'Hôm nay không cấp số thường',
  checkin_title: 'Tôi đã đặt lịch hẹn',
  checkin_how:
    'Đưa mã QR của lịch hẹn, hoặc mã QR ở mặt sau thẻ căn cước gắn chip, vào máy quét. Hoặc nhập mã lịch hẹn (8 ký tự) bên dưới.',
  code_label: 'Mã lịch hẹn',
  keypad_label: 'Bàn phím nhập mã lịch hẹn',
  key_erase: 'Xóa',
  checkin_go: 'Xác nhận lịch hẹn',
  checking: 'Đang kiểm tra…',
  card_read: 'Đã đọc thẻ căn cước',
  ci_too_early: 'Chưa đến giờ xác nhận lịch hẹn',
  ci_too_early_from: 'Lịch hẹn của bạn lúc {at}. Mời quay lại từ {time}.',
  ci_too_early_sub: 'Mời quay lại gần giờ hẹn hơn.',
  ci_come_back_from: 'Mời quay lại từ {time}.',
  ci_not_today: 'Lịch hẹn này không phải hôm nay',
  ci_not_today_on: 'Lịch hẹn của bạn vào ngày {day}, lúc {time}. Mời quay lại đúng ngày hẹn.',
  ci_not_today_sub: 'Mời quay lại đúng ngày hẹn.',
  ci_not_found: 'Không tìm thấy lịch hẹn',
  ci_not_found_sub: 'Hãy kiểm tra lại mã: 8 ký tự, như trên điện thoại hoặc giấy hẹn của bạn.',
  ci_no_booking_card: 'Không có lịch hẹn hôm nay',
  ci_no_booking_card_sub:
    'Không tìm thấy lịch hẹn hôm nay theo thẻ căn cước này. Nếu bạn đặt lịch bằng số điện thoại, hãy quét mã QR của lịch hẹn hoặc nhập mã.',
  ci_late: 'Lịch hẹn đã quá giờ',
  ci_late_sub:
    'Bạn đến muộn hơn thời gian cho phép nên lịch hẹn không còn hiệu lực. Mời lấy số thường hoặc hỏi cán bộ hướng dẫn.',
  ci_late_sub_only:
    'Bạn đến muộn hơn thời gian cho phép nên lịch hẹn không còn hiệu lực. Vui lòng hỏi cán bộ hướng dẫn.',
  ci_cancelled: 'Lịch hẹn này đã bị hủy',
  ci_cancelled_sub: 'Nếu bạn vẫn cần làm thủ tục, vui lòng đặt lịch mới hoặc hỏi cán bộ hướng dẫn.',
  ci_bad_code: 'Mã lịch hẹn không hợp lệ',
  ci_bad_code_sub: 'Mã gồm 8 ký tự, chỉ có các chữ và số trên bàn phím.',
  ci_bad_person: 'Không đọc được số căn cước',
  ci_bad_person_sub: 'Hãy quét lại mặt sau thẻ căn cước, hoặc nhập mã lịch hẹn.',
  ci_too_fast: 'Máy đang nhận quá nhiều yêu cầu cùng lúc',
  ci_try_again_sub: 'Chưa xác nhận được lịch hẹn. Vui lòng thử lại.',
  booked_line: 'Số hẹn — được gọi theo giờ hẹn {time}',
  booked_walk_in: 'Lịch hẹn đã quá giờ — đây là số thường',
  print_again: 'Lịch hẹn này đã được xác nhận trước đó: đây vẫn là số của bạn, phiếu không in lại.',
  scan_unreadable: 'Không đọc được mã',
  scan_unreadable_sub:
    'Hãy quét mã QR của lịch hẹn, giấy hẹn trả kết quả hoặc mặt sau thẻ căn cước gắn chip.',

  // Collecting a dossier's result with the receipt's QR.
  result_button: 'Nhận kết quả',
  result_button_sub: 'Quét mã QR trên giấy hẹn trả kết quả',
  result_title: 'Nhận kết quả hồ sơ',
  result_how:
    'Đưa mã QR trên giấy tiếp nhận hồ sơ và hẹn trả kết quả vào máy quét. Máy sẽ cấp số thứ tự để bạn đến quầy nhận kết quả.',
  result_hint: 'Không có giấy hẹn? Vui lòng hỏi cán bộ hướng dẫn.',
  result_read: 'Đã đọc giấy hẹn',
  result_getting: 'Đang lấy số…',
  result_choose_title: 'Hồ sơ của bạn thuộc lĩnh vực nào?',
  result_choose_sub: 'Mời chọn lĩnh vực ghi trên giấy hẹn trả kết quả.',
  result_bad: 'Không đọc được mã hồ sơ',
  result_bad_sub: 'Hãy quét lại mã QR trên giấy hẹn trả kết quả, hoặc hỏi cán bộ hướng dẫn.',
  result_try_again_sub: 'Chưa lấy được số. Vui lòng quét lại giấy hẹn.',
  result_line: 'Nhận kết quả',

  // Priority kinds, with who qualifies.
  prio_elderly: 'Người cao tuổi',
  prio_elderly_why: 'Từ 60 tuổi trở lên',
  prio_disabled: 'Người khuyết tật',
  prio_disabled_why: 'Khó khăn khi đi lại, nhìn, nghe hoặc nói',
  prio_pregnant: 'Phụ nữ mang thai',
  prio_pregnant_why: 'Đang mang thai',
  prio_war_invalid: 'Thương binh',
  prio_war_invalid_why: 'Người có thẻ thương binh',
  prio_meritorious: 'Người có công với cách mạng',
  prio_meritorious_why: 'Thân nhân liệt sĩ, Bà mẹ Việt Nam anh hùng, người hoạt động kháng chiến…',

  weekday_0: 'Chủ nhật',
  weekday_1: 'Thứ Hai',
  weekday_2: 'Thứ Ba',
  weekday_3: 'Thứ Tư',
  weekday_4: 'Thứ Năm',
  weekday_5: 'Thứ Sáu',
  weekday_6: 'Thứ Bảy',

  // The day's rules: when numbers stop, and a field's daily quota.
  issuing_until: 'Cấp số đến {time}',
  stopped_day_over: 'Đã ngừng cấp số lúc {time}',
  stopped_break: 'Tạm ngừng cấp số từ {time}',
  stopped_not_yet: 'Chưa đến giờ cấp số',
  stopped_closed: 'Hôm nay bộ phận một cửa nghỉ',
  come_back: 'Mời quay lại {time}',
  quota_full: 'Đã hết số hôm nay',
  quota_left: 'Còn {n} số hôm nay',
};

const en = {
  page_title: 'Queue ticket kiosk',

  unpaired_title: 'This kiosk is not paired',
  unpaired_citizen: 'Please ask a member of staff for a number.',
  unpaired_revoked: 'This kiosk’s pairing token is no longer valid.',

  reconnecting: 'Reconnecting…',
  reconnecting_sub: 'Please wait a moment.',

  start_title: 'Please choose a service',
  hall_closed: 'The hall is not open yet',
  hall_break: 'The hall is on a short break',
  hall_closed_sub: 'Please wait or ask a member of staff.',
  waiting: '{n} waiting',
  no_counter: 'No counter is serving this field right now',
  field_break: 'On a break',
  printer_down:
    'The ticket printer is not working right now ({why}). Your number will be shown on the screen.',
  no_printer:
    'This kiosk does not print tickets: please take a photo of your number or scan the QR code on the screen.',

  priority_title: 'Do you qualify for priority service?',
  priority_sub: 'Priority visitors are called first, in the order they arrive. Choose yours, then confirm.',
  prios_label: 'Priority kinds',
  no: 'No: get a regular number',
  no_sub: 'Tap to get your number now',
  back: 'Back',

  confirm_title: 'Please check your choice',
  confirm_field: 'Service',
  confirm_priority: 'Priority',
  no_priority: 'No priority',
  get_number: 'Get my number',
  getting: 'Getting your number…',
  try_again: 'Please try again',
  try_again_sub: 'We could not get your number. Please press the button again.',
  exhausted: 'No more numbers for this service today',
  exhausted_sub: 'Please ask a member of staff.',
  too_fast: 'This kiosk is issuing too many numbers at once',
  too_fast_sub: 'Please wait {n} seconds and press again, or ask a member of staff.',

  your_number: 'Your number',
  ahead: 'People called before you: {n}',
  eta: 'Estimated wait: about {n} minutes',
  eta_soon: 'Your turn is coming soon',
  qr_alt: 'QR code to follow number {code}',
  qr_hint: 'Scan the code to follow your turn on your phone',
  printing: 'Printing your ticket…',
  printed: 'Please take your ticket below',
  print_waiting:
    'Waiting for the printer… Your number is valid: take a photo of the screen or scan the QR code.',
  print_waiting_why:
    'Waiting for the printer: {why}… Your number is valid: take a photo of the screen or scan the QR code.',
  print_failed:
    'The ticket could not be printed ({why}). Your number is valid: please take a photo of this screen or write it down.',
  ok: 'OK',
  have_number: 'I have my number',
  closes_in: 'To keep your number private, this screen closes in {n} seconds.',

  more_time_q: 'Do you need more time?',
  more_time_left: 'The screen goes back to the start in {n} seconds.',
  more_time: 'Give me more time',

  why_other: 'printer error',

  booking_button: 'I have a booking',
  booking_button_sub: 'Scan the QR code or type the booking code',
  only_title: 'Please check in your booking',
  only_why:
    'Today the hall serves only citizens with a booking; walk-in numbers are for priority visitors only',
  only_fields: 'Priority visitors: please choose a service',
  only_priority_title: 'Please choose your priority',
  priority_only: 'No ordinary numbers today',
  checkin_title: 'I have a booking',
  checkin_how:
    'Hold the QR code of your booking, or the QR code on the back of your chip ID card, to the scanner. Or type the booking code (8 characters) below.',
  code_label: 'Booking code',
  keypad_label: 'Keypad for the booking code',
  key_erase: 'Delete',
  checkin_go: 'Check in',
  checking: 'Checking…',
  card_read: 'ID card read',
  ci_too_early: 'Too early to check in',
  ci_too_early_from: 'Your booking is at {at}. Please come back from {time}.',
  ci_too_early_sub: 'Please come back closer to your booked time.',
  ci_come_back_from: 'Please come back from {time}.',
  ci_not_today: 'This booking is not for today',
  ci_not_today_on: 'Your booking is on {day} at {time}. Please come back on that day.',
  ci_not_today_sub: 'Please come back on the day of your booking.',
  ci_not_found: 'Booking not found',
  ci_not_found_sub: 'Please check the code: 8 characters, as on your phone or your booking slip.',
  ci_no_booking_card: 'No booking today',
  ci_no_booking_card_sub:
    'There is no booking today for this ID card. If you booked with a phone number, scan the booking’s QR code or type its code.',
  ci_late: 'Your booking has expired',
  ci_late_sub:
    'You came later than the booking allows, so it is no longer valid. Please take an ordinary number or ask a member of staff.',
  ci_late_sub_only:
    'You came later than the booking allows, so it is no longer valid. Please ask a member of staff.',
  ci_cancelled: 'This booking was cancelled',
  ci_cancelled_sub: 'If you still need the service, please book again or ask a member of staff.',
  ci_bad_code: 'Not a valid booking code',
  ci_bad_code_sub: 'The code has 8 characters, only the letters and digits on the keypad.',
  ci_bad_person: 'The ID number could not be read',
  ci_bad_person_sub: 'Please scan the back of your ID card again, or type the booking code.',
  ci_too_fast: 'This kiosk is receiving too many requests at once',
  ci_try_again_sub: 'Your booking was not checked in. Please try again.',
  booked_line: 'Booked number — called at its booked time {time}',
  booked_walk_in: 'You came after your booking — this is an ordinary number',
  print_again:
    'This booking was checked in before: this is still your number; the ticket is not printed again.',
  scan_unreadable: 'Could not read this code',
  scan_unreadable_sub:
    'Please scan your booking’s QR code, your appointment slip or the back of your chip ID card.',

  result_button: 'Collect a result',
  result_button_sub: 'Scan the QR code on your appointment slip',
  result_title: 'Collect your dossier’s result',
  result_how:
    'Hold the QR code on your dossier receipt and appointment slip to the scanner. You will get a number to collect the result at a counter.',
  result_hint: 'No slip? Please ask a member of staff.',
  result_read: 'Slip read',
  result_getting: 'Getting your number…',
  result_choose_title: 'Which service is your dossier for?',
  result_choose_sub: 'Please choose the service named on your appointment slip.',
  result_bad: 'The dossier code could not be read',
  result_bad_sub: 'Please scan the QR code on your appointment slip again, or ask a member of staff.',
  result_try_again_sub: 'We could not get your number. Please scan your slip again.',
  result_line: 'Collecting a result',

  prio_elderly: 'Elderly person',
  prio_elderly_why: 'Aged 60 or over',
  prio_disabled: 'Person with a disability',
  prio_disabled_why: 'Difficulty walking, seeing, hearing or speaking',
  prio_pregnant: 'Pregnant woman',
  prio_pregnant_why: 'Expecting a baby',
  prio_war_invalid: 'War invalid',
  prio_war_invalid_why: 'Holder of a war invalid card',
  prio_meritorious: 'Person with meritorious service',
  prio_meritorious_why: 'Families of martyrs, Heroic Mothers, resistance veterans…',

  weekday_0: 'Sunday',
  weekday_1: 'Monday',
  weekday_2: 'Tuesday',
  weekday_3: 'Wednesday',
  weekday_4: 'Thursday',
  weekday_5: 'Friday',
  weekday_6: 'Saturday',

  issuing_until: 'Numbers are given until {time}',
  stopped_day_over: 'Numbers stopped at {time}',
  stopped_break: 'No numbers since {time} (break)',
  stopped_not_yet: 'Numbers are not given yet',
  stopped_closed: 'The hall is closed today',
  come_back: 'Please come back at {time}',
  quota_full: 'No numbers left today',
  quota_left: '{n} numbers left today',
};

for (const [code, text] of Object.entries(printReasons.vi)) vi[`why_${code}`] = text;
for (const [code, text] of Object.entries(printReasons.en)) en[`why_${code}`] = text;

export const kioskStrings = { vi, en };
