// Simple line icons, drawn for the kiosk (no icon font, nothing fetched). Each is the inside
// of a 64x64 SVG drawn with the current text colour, parsed once as SVG (XML, never as HTML)
// and cloned for every use.

const SVG_OPEN =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" aria-hidden="true" focusable="false" ' +
  'fill="none" stroke="currentColor" stroke-width="3.5" stroke-linecap="round" stroke-linejoin="round">';

const ICONS = {
  // Civil status: a family.
  family:
    '<circle cx="22" cy="14" r="7"/><path d="M8 56V41a14 14 0 0 1 28 0v15"/>' +
    '<circle cx="46" cy="28" r="5.5"/><path d="M36 56v-8a10 10 0 0 1 20 0v8"/>',
  // Land and construction: a house on its plot.
  house:
    '<path d="M6 30 32 9l26 21"/><path d="M14 24v30h36V24"/><path d="M27 54V41h10v13"/>' +
    '<path d="M4 56h56"/>',
  // Labour and social affairs: a heart held in a hand.
  care:
    '<path d="M32 36c-9-6-13-11-13-16a7 7 0 0 1 13-3.5A7 7 0 0 1 45 20c0 5-4 10-13 16Z"/>' +
    '<path d="M5 44h9l9 5h10a3.5 3.5 0 0 1 0 7H22"/><path d="M33 56l17-7a4 4 0 0 1 5 6L38 62H5"/>',
  // Certification of copies: a stamp.
  stamp:
    '<circle cx="32" cy="12" r="7"/><path d="M28 19v10h8V19"/><rect x="12" y="29" width="40" height="11" rx="2"/>' +
    '<path d="M16 40v5h32v-5"/><path d="M10 55h44"/>',
  // Economy and infrastructure: a bridge.
  bridge:
    '<path d="M4 38h56"/><path d="M8 38c6-16 14-22 24-22s18 6 24 22"/><path d="M16 38v18M48 38v18"/>' +
    '<path d="M22 38V24M32 38V17M42 38V24"/><path d="M4 56h56"/>',
  // Business: a shop with an awning.
  shop:
    '<path d="M8 24 12 8h40l4 16"/><path d="M8 24c0 4 3 6 6 6s6-2 6-6c0 4 3 6 6 6s6-2 6-6c0 4 3 6 6 6s6-2 6-6c0 4 3 6 6 6s6-2 6-6"/>' +
    '<path d="M12 30v26h40V30"/><path d="M26 56V42h12v14"/>',
  // Anything else: a dossier.
  document: '<path d="M16 6h22l12 12v40H16Z"/><path d="M38 6v12h12"/><path d="M23 30h20M23 38h20M23 46h13"/>',

  // Priority kinds.
  person: '<circle cx="32" cy="13" r="7"/><path d="M19 58V36a13 13 0 0 1 26 0v22"/>',
  elderly:
    '<circle cx="27" cy="11" r="6"/><path d="M25 19c-4 6-5 13-3 19l-4 18"/><path d="M22 38l7 18"/>' +
    '<path d="M24 25l12 6"/><path d="M40 31v25"/><path d="M40 31c0-3 4-3 4 0"/>',
  disabled:
    '<circle cx="27" cy="9" r="5"/><path d="M27 16v16h14l5 14h6"/><path d="M27 23h11"/>' +
    '<path d="M19 30a13 13 0 1 0 18 18"/>',
  pregnant:
    '<circle cx="30" cy="10" r="6"/><path d="M29 18c-3 4-4 9-4 15"/><path d="M29 20c8 3 14 9 13 17-1 6-6 9-13 9"/>' +
    '<path d="M26 33l-2 25M31 46l2 12"/>',
  war_invalid:
    '<path d="M22 4l10 16 10-16"/><circle cx="32" cy="40" r="16"/>' +
    '<path d="M32 30l3 6.5 7 .8-5.2 4.8 1.4 7L32 45.6l-6.2 3.5 1.4-7L22 37.3l7-.8Z"/>',
  meritorious:
    '<path d="M32 5l7.6 15.4 17 2.5-12.3 12 2.9 16.9L32 43.8 16.8 51.8l2.9-16.9-12.3-12 17-2.5Z"/>' +
    '<path d="M20 58h24"/>',

  // Other marks.
  arrow_down: '<path d="M32 8v44"/><path d="M14 36l18 18 18-18"/>',
  warning:
    '<path d="M32 6 60 56H4Z"/><path d="M32 24v14"/><circle cx="32" cy="47" r="1.5" fill="currentColor"/>',
  printer:
    '<path d="M16 24V6h32v18"/><rect x="6" y="24" width="52" height="22" rx="3"/><path d="M16 38h32v20H16Z"/>' +
    '<path d="M22 46h20M22 52h14"/>',
  back: '<path d="M40 12 20 32l20 20"/>',
  clock: '<circle cx="32" cy="32" r="26"/><path d="M32 16v16l11 7"/>',
  link: '<path d="M26 38l12-12"/><path d="M22 30l-6 6a8.5 8.5 0 0 0 12 12l6-6"/><path d="M42 34l6-6a8.5 8.5 0 0 0-12-12l-6 6"/>',
  // A booking: a calendar page with a tick.
  booking:
    '<rect x="6" y="12" width="52" height="46" rx="4"/><path d="M6 26h52"/><path d="M19 6v12M45 6v12"/>' +
    '<path d="M21 42l8 8 15-16"/>',
  // The scanner's window and a QR code in front of it.
  scan:
    '<path d="M6 18V6h12M46 6h12v12M58 46v12H46M18 58H6V46"/><rect x="17" y="17" width="11" height="11"/>' +
    '<rect x="36" y="17" width="11" height="11"/><rect x="17" y="36" width="11" height="11"/>' +
    '<path d="M36 36h4v4M47 36v11h-7M36 46v1"/>',
  // Delete the last character: a key with a cross.
  erase: '<path d="M22 12h34v40H22L6 32Z"/><path d="M30 24l16 16M46 24 30 40"/>',
  hall:
    '<path d="M6 22 32 8l26 14"/><path d="M10 22h44"/><path d="M14 26v22M24 26v22M40 26v22M50 26v22"/>' +
    '<path d="M8 52h48M4 58h56"/>',
};

const parsed = new Map();

/** The icon `name` (a dossier for a name it does not know) as an <svg> element. */
export function icon(name) {
  const key = Object.hasOwn(ICONS, name) ? name : 'document';
  if (!parsed.has(key)) {
    const doc = new DOMParser().parseFromString(`${SVG_OPEN}${ICONS[key]}</svg>`, 'image/svg+xml');
    parsed.set(key, doc.documentElement);
  }
  return document.importNode(parsed.get(key), true);
}

// Which picture suits a field: the one the hall chose (`icon`), else from words in its names.
const FIELD_WORDS = [
  ['family', /hộ tịch|tư pháp|civil|justice/],
  ['house', /đất|xây dựng|nhà ở|land|construction|housing/],
  ['care', /lao động|xã hội|thương binh|labour|labor|social/],
  ['stamp', /chứng thực|công chứng|certif/],
  ['shop', /kinh doanh|doanh nghiệp|business/],
  ['bridge', /kinh tế|hạ tầng|giao thông|econom|infrastructure|transport/],
];

export function fieldIcon(service) {
  // The hall chose one on the admin page.
  if (service.icon && Object.hasOwn(ICONS, service.icon)) return icon(service.icon);
  const words = `${service.name_vi || ''} ${service.name_en || ''}`.normalize('NFC').toLowerCase();
  const found = FIELD_WORDS.find(([, re]) => re.test(words));
  return icon(found ? found[0] : 'document');
}
