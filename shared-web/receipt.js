// The QR on a dossier's receipt (Circular 01/2023/TT-VPCP: "Giấy tiếp nhận hồ sơ và hẹn trả
// kết quả"), read in the browser: the kiosk (a citizen collecting a result) and the clerk's
// console (a dossier attached to the ticket being served) share it.
//
// Provinces' procedure systems print different things in that QR: the dossier code alone, the
// address of their look-up page with the code in its query, a JSON object, or a list of fields
// separated by `|` or new lines whose first is the code. The receipt also carries the
// applicant's identifier and name and the appointment date: those are dropped here, at once.
// Only the dossier's code, and its procedure's code when the QR has one, ever leave this
// module; nothing of the rest is kept, shown or sent.

/** The longest dossier code the server takes (`motcua_domain::DOSSIER_CODE_MAX`). */
export const DOSSIER_CODE_MAX = 40;

const CODE_CHARS = /^[A-Z0-9._/-]+$/;
/**
 * A national procedure code, as the public-service portal numbers them (`1.004227`), or a
 * province's code of it (`2.000815.000.00.00.H55`), of which the national part is kept.
 */
const PROCEDURE = /^(\d\.\d{6})(?:\.[0-9A-Z.]+)?$/i;

/** Names a receipt's QR gives the dossier's code (compared without case, `_` or `-`). */
const DOSSIER_KEYS = new Set([
  'mahoso',
  'mahs',
  'sohoso',
  'hoso',
  'masohoso',
  'code',
  'id',
  'dossier',
  'dossiercode',
  'dossierid',
  'recordcode',
  'nationalcode',
]);
/** Names it gives the procedure's code. */
const PROCEDURE_KEYS = new Set([
  'mathutuc',
  'matthc',
  'mattc',
  'thutuc',
  'procedure',
  'procedurecode',
  'maquytrinh',
]);

const keyOf = (name) => String(name).toLowerCase().replace(/[_-]/g, '');

/**
 * A dossier code as the server takes it (`motcua_domain::dossier::normalise`): trimmed, upper
 * case, 1 to 40 of `A-Z 0-9 . - _ /`, with a digit somewhere; else null.
 */
export function dossierCode(text) {
  const code = String(text ?? '')
    .trim()
    .toUpperCase();
  if (!code || code.length > DOSSIER_CODE_MAX || !CODE_CHARS.test(code) || !/\d/.test(code)) return null;
  return code;
}

/** A national procedure code, or null. */
function procedureCode(text) {
  return PROCEDURE.exec(String(text ?? '').trim())?.[1] ?? null;
}

/**
 * A code standing on its own in a QR (not named by a key): it must also look like one, with a
 * separator (`H26.39-250101-0001`), so that a product's barcode, a phone or ID number, a
 * mistyped booking code or a procedure's code (`1.004227`, a receipt's second line) is never
 * taken for a dossier.
 */
function bareCode(text) {
  const code = dossierCode(text);
  if (!code || code.length < 6 || PROCEDURE.test(code)) return null;
  return /[A-Z0-9][._/-][A-Z0-9]/.test(code) ? code : null;
}

/** What a set of named values says: `{dossier, procedure}` or null. */
function fromNamed(entries) {
  let dossier = null;
  let procedure = null;
  for (const [name, value] of entries) {
    const key = keyOf(name);
    if (!dossier && DOSSIER_KEYS.has(key) && typeof value !== 'object') dossier = dossierCode(value);
    if (!procedure && PROCEDURE_KEYS.has(key) && typeof value !== 'object') procedure = procedureCode(value);
  }
  return dossier ? { dossier, procedure } : null;
}

/** A JSON object (or one nested one level down, as `{"data": {...}}`). */
function fromJson(text) {
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
  const found = fromNamed(Object.entries(value));
  if (found) return found;
  for (const inner of Object.values(value)) {
    if (inner && typeof inner === 'object' && !Array.isArray(inner)) {
      const deeper = fromNamed(Object.entries(inner));
      if (deeper) return deeper;
    }
  }
  return null;
}

/** An address whose query (or fragment's query) names the code. */
function fromUrl(text) {
  let url;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (!['http:', 'https:'].includes(url.protocol)) return null;
  const named = [...url.searchParams.entries()];
  const hash = url.hash.slice(1);
  const query = hash.indexOf('?');
  if (query >= 0) named.push(...new URLSearchParams(hash.slice(query + 1)).entries());
  else if (hash.includes('=')) named.push(...new URLSearchParams(hash).entries());
  return fromNamed(named);
}

/**
 * `code|procedure|…` or the same on lines: the first field is the code (shaped like one: an ID
 * card's QR starts with the 12-digit number, which is no dossier).
 */
function fromList(text) {
  const fields = text.split(/[|\r\n]/).map((f) => f.trim());
  const dossier = bareCode(fields[0]);
  if (!dossier) return null;
  const procedure = fields.slice(1).map(procedureCode).find(Boolean) ?? null;
  return { dossier, procedure };
}

/**
 * What a receipt's QR says: `{dossier, procedure}` (procedure null when it names none), or null
 * when `text` is not a receipt we can read. Nothing else of the text is answered.
 */
export function readReceipt(text) {
  const scanned = String(text ?? '').trim();
  if (!scanned || scanned.length > 2000) return null;
  if (scanned.startsWith('{')) return fromJson(scanned);
  if (/^https?:\/\//i.test(scanned)) return fromUrl(scanned);
  if (/[|\r\n]/.test(scanned)) return fromList(scanned);
  const dossier = bareCode(scanned);
  return dossier ? { dossier, procedure: null } : null;
}
