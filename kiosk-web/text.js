// Every word the kiosk says, in Vietnamese (default) and English.
// Each entry is [vi, en]; an entry may be a function of its arguments.

const T = {
  unpaired_title: ['Máy chưa được ghép nối', 'This kiosk is not paired'],
  unpaired_citizen: ['Xin vui lòng hỏi cán bộ để được lấy số.', 'Please ask a member of staff for a number.'],
  unpaired_revoked: [
    'Mã ghép nối của máy này không còn hiệu lực.',
    'This kiosk’s pairing token is no longer valid.',
  ],
  unpaired_step1: [
    'Cán bộ quản trị tạo mã cho máy này trên máy chủ:',
    'An administrator creates a token for this kiosk on the server:',
  ],
  unpaired_step2: ['rồi mở trên máy này địa chỉ:', 'then opens this address on this kiosk:'],
  unpaired_token: ['<mã vừa tạo>', '<the token>'],

  reconnecting: ['Đang kết nối lại…', 'Reconnecting…'],
  reconnecting_sub: ['Vui lòng chờ trong giây lát.', 'Please wait a moment.'],

  start_title: ['Mời chọn lĩnh vực', 'Please choose a service'],
  hall_closed: ['Bộ phận một cửa chưa mở cửa', 'The hall is not open yet'],
  hall_break: ['Bộ phận một cửa đang tạm nghỉ', 'The hall is on a short break'],
  hall_closed_sub: ['Xin vui lòng chờ hoặc hỏi cán bộ hướng dẫn.', 'Please wait or ask a member of staff.'],
  waiting: [(n) => `${n} người đang chờ`, (n) => `${n} waiting`],
  no_counter: ['Hiện chưa có quầy phục vụ lĩnh vực này', 'No counter is serving this field right now'],
  field_break: ['Tạm nghỉ', 'On a break'],
  printer_down: [
    (why) =>
      `Máy in tạm thời không in được phiếu${why ? ` (${why})` : ''}. Số của bạn sẽ hiện trên màn hình.`,
    (why) =>
      `The ticket printer is not working right now${why ? ` (${why})` : ''}. Your number will be shown on the screen.`,
  ],
  no_printer: [
    'Máy lấy số này không in phiếu: hãy chụp ảnh số của bạn hoặc quét mã QR trên màn hình.',
    'This kiosk does not print tickets: please take a photo of your number or scan the QR code on the screen.',
  ],

  priority_title: ['Bạn có thuộc diện ưu tiên không?', 'Do you qualify for priority service?'],
  priority_sub: [
    'Người thuộc diện ưu tiên được gọi trước, theo thứ tự đến. Chọn diện của bạn, rồi xác nhận.',
    'Priority visitors are called first, in the order they arrive. Choose yours, then confirm.',
  ],
  // The answer "no" takes the number at once: a regular ticket is two taps (field, this).
  no: ['Không: lấy số thường', 'No: get a regular number'],
  no_sub: ['Bấm để nhận số ngay', 'Tap to get your number now'],
  back: ['Quay lại', 'Back'],

  confirm_title: ['Vui lòng kiểm tra lại', 'Please check your choice'],
  confirm_field: ['Lĩnh vực', 'Service'],
  confirm_priority: ['Ưu tiên', 'Priority'],
  no_priority: ['Không ưu tiên', 'No priority'],
  get_number: ['Lấy số', 'Get my number'],
  getting: ['Đang lấy số…', 'Getting your number…'],
  try_again: ['Xin thử lại', 'Please try again'],
  try_again_sub: [
    'Chưa lấy được số. Vui lòng bấm nút lần nữa.',
    'We could not get your number. Please press the button again.',
  ],
  exhausted: ['Lĩnh vực này đã hết số hôm nay', 'No more numbers for this service today'],
  exhausted_sub: ['Vui lòng hỏi cán bộ hướng dẫn.', 'Please ask a member of staff.'],
  too_fast: ['Máy đang cấp quá nhiều số cùng lúc', 'This kiosk is issuing too many numbers at once'],
  too_fast_sub: [
    (n) => `Vui lòng chờ ${n} giây rồi bấm lại, hoặc hỏi cán bộ hướng dẫn.`,
    (n) => `Please wait ${n} seconds and press again, or ask a member of staff.`,
  ],

  your_number: ['Số thứ tự của bạn', 'Your number'],
  ahead: [(n) => `Số người được gọi trước bạn: ${n}`, (n) => `People called before you: ${n}`],
  eta: [(n) => `Thời gian chờ dự kiến: khoảng ${n} phút`, (n) => `Estimated wait: about ${n} minutes`],
  eta_soon: ['Sắp đến lượt', 'Your turn is coming soon'],
  qr_hint: [
    'Quét mã để theo dõi lượt của bạn trên điện thoại',
    'Scan the code to follow your turn on your phone',
  ],
  printing: ['Đang in phiếu…', 'Printing your ticket…'],
  printed: ['Mời nhận phiếu bên dưới', 'Please take your ticket below'],
  print_waiting: [
    (why) =>
      `Đang chờ máy in${why ? `: ${why}` : ''}… Phiếu vẫn có hiệu lực: hãy chụp ảnh màn hình hoặc quét mã QR.`,
    (why) =>
      `Waiting for the printer${why ? `: ${why}` : ''}… Your number is valid: take a photo of the screen or scan the QR code.`,
  ],
  print_failed: [
    (why) =>
      `Chưa in được phiếu (${why}). Số của bạn vẫn có hiệu lực: vui lòng chụp ảnh màn hình này hoặc ghi lại số.`,
    (why) =>
      `The ticket could not be printed (${why}). Your number is valid: please take a photo of this screen or write it down.`,
  ],
  ok: ['OK', 'OK'],
  have_number: ['Tôi đã ghi lại số', 'I have my number'],
  closes_in: [
    (n) => `Để giữ kín số của bạn, màn hình sẽ tự đóng sau ${n} giây.`,
    (n) => `To keep your number private, this screen closes in ${n} seconds.`,
  ],

  // A timed step about to go back to the start (WCAG 2.2.1: warn, and offer more time).
  more_time_q: ['Bạn cần thêm thời gian?', 'Do you need more time?'],
  more_time_left: [
    (n) => `Màn hình sẽ trở về trang đầu sau ${n} giây.`,
    (n) => `The screen goes back to the start in ${n} seconds.`,
  ],
  more_time: ['Cho tôi thêm thời gian', 'Give me more time'],

  // Why a ticket has not printed (yet): one text for every code of the printer crate's
  // `Reason::ALL` (printer/src/reason.rs), in its order; tests/tests/print_reasons.rs holds
  // this list, the README's and the code together.
  why_no_printer: ['máy lấy số này không có máy in', 'this kiosk has no printer'],
  why_printer_away: ['máy in đang mất kết nối', 'the printer is not connected'],
  why_paper_out: ['hết giấy', 'out of paper'],
  why_cover_open: ['nắp máy in đang mở', 'the cover is open'],
  why_printer_error: ['máy in báo lỗi', 'the printer reports an error'],
  why_printer_offline: ['máy in không sẵn sàng', 'the printer is offline'],
  why_printer_timeout: ['máy in không phản hồi', 'the printer is not responding'],
  why_printer_unreachable: ['không kết nối được máy in', 'the printer cannot be reached'],
  why_printer_io_error: ['đường truyền tới máy in bị ngắt', 'the link to the printer broke'],
  why_bad_printer_address: ['địa chỉ máy in bị cài sai', 'the printer’s address is set wrong'],
  why_render_failed: ['không tạo được phiếu để in', 'the ticket could not be prepared for printing'],
  why_print_uncertain: ['không rõ phiếu đã in hay chưa', 'it is not known whether the ticket printed'],
  why_expired: ['quá thời gian chờ in', 'printing took too long'],
  // A code this page does not know (a newer server): said plainly, never as the raw code.
  why_other: ['lỗi máy in', 'printer error'],

  // Priority kinds, with who qualifies.
  prio_elderly: ['Người cao tuổi', 'Elderly person'],
  prio_elderly_why: ['Từ 60 tuổi trở lên', 'Aged 60 or over'],
  prio_disabled: ['Người khuyết tật', 'Person with a disability'],
  prio_disabled_why: [
    'Khó khăn khi đi lại, nhìn, nghe hoặc nói',
    'Difficulty walking, seeing, hearing or speaking',
  ],
  prio_pregnant: ['Phụ nữ mang thai', 'Pregnant woman'],
  prio_pregnant_why: ['Đang mang thai', 'Expecting a baby'],
  prio_war_invalid: ['Thương binh', 'War invalid'],
  prio_war_invalid_why: ['Người có thẻ thương binh', 'Holder of a war invalid card'],
  prio_meritorious: ['Người có công với cách mạng', 'Person with meritorious service'],
  prio_meritorious_why: [
    'Thân nhân liệt sĩ, Bà mẹ Việt Nam anh hùng, người hoạt động kháng chiến…',
    'Families of martyrs, Heroic Mothers, resistance veterans…',
  ],

  weekday: [
    ['Chủ nhật', 'Thứ Hai', 'Thứ Ba', 'Thứ Tư', 'Thứ Năm', 'Thứ Sáu', 'Thứ Bảy'],
    ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'],
  ],
};

let lang = 'vi';

export function setLang(l) {
  lang = l === 'en' ? 'en' : 'vi';
  document.documentElement.lang = lang;
}

export function getLang() {
  return lang;
}

function pick(key, which, args) {
  const entry = T[key];
  if (!entry) return '';
  const v = entry[which];
  return typeof v === 'function' ? v(...args) : v;
}

/** The text in the language chosen now. */
export function t(key, ...args) {
  return pick(key, lang === 'vi' ? 0 : 1, args);
}

/** The same text in the other language (shown small beneath). */
export function t2(key, ...args) {
  return pick(key, lang === 'vi' ? 1 : 0, args);
}

export function has(key) {
  return key in T;
}

/** A reason code from the server, in words ("hết giấy"). */
export function reasonKey(reason) {
  const key = `why_${reason}`;
  return has(key) ? key : 'why_other';
}

/** A field's (or anything's) name from the server: [primary, secondary]. */
export function names(vi, en) {
  const a = (vi || en || '').normalize('NFC');
  const b = (en || '').normalize('NFC');
  return lang === 'vi' ? [a, b] : [b || a, a];
}
