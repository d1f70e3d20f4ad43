// What a USB 2D scanner types at the kiosk, and what the kiosk makes of it.
//
// The scanner is a "keyboard wedge": it types what it read as quick key presses and ends
// with Enter. The kiosk has no other keyboard, so a run of printable keys ended by Enter,
// with no text field focused, is a scan (`listen`). Nothing here waits on a timer to decide:
// a pause of a second only starts the next run afresh, so a stray key never joins a scan.
//
// What a scan is (`readScan`), in this order:
//  1. A booking's address, `…/book/#K7M2QX9P` (the QR of the booking page and its printout):
//     the booking code is what follows `#`.
//  2. A booking code on its own: 8 characters of 23456789ABCDEFGHJKLMNPQRSTUVWXYZ, in either
//     case, with dashes or spaces anywhere ("K7M2-QX9P").
//  3. The QR on the back of the chip ID card (CCCD): pipe-separated text, `ID|old ID|full
//     name|date of birth|sex|address|issue date`, whose first field is the 12-digit ID number.
//     Only that number is kept; everything after the first `|` is dropped here, at once, and
//     never stored, logged, shown or sent (Decree 13/2023: the server keeps only a keyed hash
//     of the number itself).
//  4. A dossier's receipt (/shared/receipt.js has its forms): only the dossier's code and the
//     procedure's are kept; the applicant's identifier and name are dropped at once.
//  5. Anything else (a ticket's own QR, a product's barcode): not ours.

/** The booking code's alphabet: no 0, 1, I or O, which people mistake for one another. */
export const CODE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
export const CODE_LENGTH = 8;

import { readReceipt } from '/shared/receipt.js';

const CODE = new RegExp(`^[${CODE_ALPHABET}]{${CODE_LENGTH}}$`);
const BOOKING_URL = /^https?:\/\/[^\s#]+\/book\/?#([^#]*)$/i;
const CCCD_ID = /^\d{12}$/;

/** "k7m2-qx9p" → "K7M2QX9P", or null when it is not a booking code. */
export function bookingCode(text) {
  const code = String(text ?? '')
    .toUpperCase()
    .replace(/[\s-]/g, '');
  return CODE.test(code) ? code : null;
}

/** "K7M2QX9P" → "K7M2-QX9P", as the booking page and the printout show it. */
export function showCode(code) {
  return code.length > 4 ? `${code.slice(0, 4)}-${code.slice(4)}` : code;
}

/**
 * What a scan says: `{kind: 'booking', code}`, `{kind: 'person', id}` (the 12-digit CCCD
 * number, and nothing else of the card), `{kind: 'receipt', dossier, procedure}` (a dossier's
 * receipt: its code, and its procedure's or null) or `{kind: 'unknown'}`.
 */
export function readScan(text) {
  const scanned = String(text ?? '').trim();
  const pipe = scanned.indexOf('|');
  if (pipe >= 0) {
    // The ID card: its first field, and not one character more.
    const id = scanned.slice(0, pipe).trim();
    if (CCCD_ID.test(id)) return { kind: 'person', id };
    return receipt(scanned);
  }
  const url = BOOKING_URL.exec(scanned);
  if (url) {
    const code = bookingCode(url[1]);
    return code ? { kind: 'booking', code } : { kind: 'unknown' };
  }
  const code = bookingCode(scanned);
  return code ? { kind: 'booking', code } : receipt(scanned);
}

/** A dossier's receipt, or unknown: nothing but its two codes comes out. */
function receipt(text) {
  const read = readReceipt(text);
  return read ? { kind: 'receipt', dossier: read.dossier, procedure: read.procedure } : { kind: 'unknown' };
}

/** A focused field that takes typing itself (the kiosk has none; a page reusing this may). */
function typingInto(el) {
  if (!el || el === document.body) return false;
  if (el.isContentEditable) return true;
  if (el.tagName === 'TEXTAREA' || el.tagName === 'SELECT') return true;
  if (el.tagName !== 'INPUT') return false;
  return !['button', 'checkbox', 'radio', 'submit', 'reset', 'range', 'color', 'file'].includes(el.type);
}

/** A new run starts after this long without a key: a scanner types far faster. */
const PAUSE_MS = 1000;
/**
 * A run starting this soon after the last one's Enter is that scan's next line (a receipt whose
 * QR holds lines: the scanner types Enter for each): the first line was the scan, the rest is
 * dropped as it comes, and never read.
 */
const TAIL_MS = 100;
/** Longer than any QR we read (a CCCD's text is under 200 characters). */
const MAX_LENGTH = 512;

/**
 * Listen for the scanner on the whole page: `onScan(what)` gets what `readScan` made of each
 * run of keys ended by Enter. The run's raw text lives only until it is read: the buffer is
 * emptied before `onScan` is called, and nothing of it is kept.
 */
export function listen(onScan) {
  let buffer = '';
  let last = Number.NEGATIVE_INFINITY;
  let ended = Number.NEGATIVE_INFINITY; // the last scan's Enter
  let tail = false; // the keys are a scan's further lines: dropped
  document.addEventListener(
    'keydown',
    (e) => {
      if (e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
      if (typingInto(e.target)) return;
      const now = performance.now();
      if (now - last > PAUSE_MS) {
        buffer = '';
        tail = false;
      }
      if (!buffer && !tail && now - ended < TAIL_MS) tail = true;
      last = now;
      if (tail) {
        if (e.key === 'Enter' || [...e.key].length === 1) e.preventDefault();
        if (e.key === 'Enter') ended = now;
        return;
      }
      if (e.key === 'Enter') {
        // Enter with nothing before it is a person's Enter on a button: leave it be.
        if (!buffer) return;
        e.preventDefault();
        const text = buffer;
        buffer = '';
        ended = now;
        onScan(readScan(text));
        return;
      }
      // Shift, Tab, the arrows…: not characters. A space with nothing before it is a press
      // on a focused button.
      if ([...e.key].length !== 1 || (!buffer && e.key === ' ')) return;
      e.preventDefault();
      // A button left focused by a tap must not take the scan's spaces or its Enter.
      if (!buffer && document.activeElement && document.activeElement !== document.body) {
        document.activeElement.blur();
      }
      if (buffer.length < MAX_LENGTH) buffer += e.key;
    },
    true,
  );
}
