//! Vietnamese text for printers that print text themselves, and line wrapping for all modes.
//!
//! Two ways out of Unicode: Windows-1258 for printers with a working Vietnamese code page, and
//! ASCII without diacritics for the rest. CP1258 holds only some precomposed letters (à, á, â,
//! ă, ê, ô, ơ, ư, đ, ...) plus five combining tone marks, so a letter like "ộ" must be written as
//! "ô" + combining dot below; `encoding_rs` maps character by character and does not do that.

use unicode_normalization::char::{compose, decompose_canonical};

/// The five Vietnamese tone marks, which CP1258 has as combining characters.
const TONE_MARKS: [char; 5] = ['\u{300}', '\u{301}', '\u{303}', '\u{309}', '\u{323}'];

/// Text in Windows-1258 the way a printer's CP1258 page needs it.
///
/// Each character is written precomposed where CP1258 has it, otherwise as its base letter
/// (with circumflex, breve or horn, which CP1258 has precomposed) followed by the combining tone
/// mark. Characters CP1258 cannot write at all fall back to [`ascii_fold`], so a stray symbol
/// never stops a ticket.
///
/// ```
/// // "ộ" = "ô" (0xF4) + combining dot below (0xF2); "đ" is 0xF0.
/// assert_eq!(motcua_printer::encode_cp1258("độ"), vec![0xF0, 0xF4, 0xF2]);
/// ```
pub fn encode_cp1258(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        if let Some(b) = cp1258_byte(c) {
            out.push(b);
            continue;
        }
        match split_tone(c).and_then(|(base, tone)| Some((cp1258_byte(base)?, cp1258_byte(tone)?)))
        {
            Some((base, tone)) => out.extend([base, tone]),
            None => out.extend(ascii_fold(&c.to_string()).bytes()),
        }
    }
    out
}

/// The single Windows-1258 byte for `c`, if there is one.
fn cp1258_byte(c: char) -> Option<u8> {
    if c.is_ascii() {
        return u8::try_from(c).ok();
    }
    let mut buf = [0u8; 4];
    let (bytes, _, had_errors) = encoding_rs::WINDOWS_1258.encode(c.encode_utf8(&mut buf));
    match (had_errors, bytes.as_ref()) {
        (false, [b]) => Some(*b),
        _ => None,
    }
}

/// Splits a precomposed letter into (letter without its tone, tone mark): "ộ" -> ('ô', U+0323).
fn split_tone(c: char) -> Option<(char, char)> {
    let mut parts = Vec::with_capacity(4);
    decompose_canonical(c, |d| parts.push(d));
    let (&first, marks) = parts.split_first()?;
    let mut tone = None;
    let mut base = first;
    for &m in marks {
        if TONE_MARKS.contains(&m) {
            if tone.replace(m).is_some() {
                return None;
            }
        } else {
            base = compose(base, m)?;
        }
    }
    Some((base, tone?))
}

/// Text without diacritics, in plain ASCII, for printers with no usable Vietnamese code page:
/// every Vietnamese letter loses its marks ("ộ" -> "o", "Đ" -> "D"), common typographic
/// punctuation becomes its ASCII look-alike ("–" -> "-"), anything else becomes "?".
///
/// ```
/// assert_eq!(
///     motcua_printer::ascii_fold("Lao động – Thương binh và Xã hội"),
///     "Lao dong - Thuong binh va Xa hoi"
/// );
/// ```
pub fn ascii_fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            'đ' => out.push('d'),
            'Đ' => out.push('D'),
            '\u{2010}'..='\u{2015}' | '\u{2212}' => out.push('-'),
            '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{2032}' => out.push('\''),
            '\u{201C}' | '\u{201D}' | '\u{201E}' | '«' | '»' => out.push('"'),
            '\u{2026}' => out.push_str("..."),
            '\u{A0}' | '\u{2007}' | '\u{202F}' => out.push(' '),
            '•' | '·' => out.push('*'),
            '‹' => out.push('<'),
            '›' => out.push('>'),
            '×' => out.push('x'),
            '№' => out.push_str("No"),
            c if c.is_ascii() => out.push(c),
            c => {
                let mut base = None;
                decompose_canonical(c, |d| {
                    if base.is_none() {
                        base = Some(d);
                    }
                });
                match base {
                    Some(b) if b.is_ascii() => out.push(b),
                    // A lone combining mark (decomposed input) simply disappears.
                    _ if is_combining_mark(c) => {}
                    _ => out.push('?'),
                }
            }
        }
    }
    out
}

fn is_combining_mark(c: char) -> bool {
    matches!(c, '\u{300}'..='\u{36F}')
}

/// Breaks text into lines no wider than `max` by `measure`, at spaces.
///
/// A `\n` always breaks. A dash standing between words stays at the end of its line, never at
/// the start of the next ("Lao động –" / "Thương binh ..."), as a typesetter would break it.
/// A word wider than `max` on its own is cut between letters, as a last resort.
pub(crate) fn wrap(text: &str, max: f32, measure: &dyn Fn(&str) -> f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in words(paragraph) {
            let candidate = if line.is_empty() {
                word.clone()
            } else {
                format!("{line} {word}")
            };
            if measure(&candidate) <= max {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            if measure(&word) <= max {
                line = word;
            } else {
                // Cut the over-long word between letters; the last piece starts the next line.
                for c in word.chars() {
                    let mut candidate = line.clone();
                    candidate.push(c);
                    if measure(&candidate) > max && !line.is_empty() {
                        lines.push(std::mem::take(&mut line));
                    }
                    line.push(c);
                }
            }
        }
        if !line.is_empty() {
            lines.push(line);
        }
    }
    lines
}

/// Like [`wrap`], but breaking where a reader would: after punctuation first, then evenly.
///
/// Vietnamese words are several syllables separated by spaces ("Thương binh", "Hoàn Kiếm"), so
/// a break at an arbitrary space can split a word. A break after a dash, comma or colon never
/// does: "Lao động –" / "Thương binh và Xã hội" rather than "Lao động – Thương" / "binh và Xã
/// hội". Where punctuation does not help, lines are evened out (the narrowest width that needs
/// no more lines), which keeps a lone syllable off the last line of a centred heading.
pub(crate) fn wrap_balanced(text: &str, max: f32, measure: &dyn Fn(&str) -> f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let greedy = wrap(paragraph, max, measure);
        if greedy.len() < 2 {
            lines.extend(greedy);
            continue;
        }
        let by_phrase = wrap_phrases(paragraph, max, measure);
        if by_phrase.len() <= greedy.len() {
            lines.extend(by_phrase);
        } else {
            lines.extend(wrap_even(paragraph, max, greedy.len(), measure));
        }
    }
    lines
}

/// Packs whole phrases (runs of words ending in punctuation) into lines; a phrase too long for
/// one line is wrapped evenly on its own lines.
fn wrap_phrases(paragraph: &str, max: f32, measure: &dyn Fn(&str) -> f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for phrase in phrases(paragraph) {
        let candidate = if line.is_empty() {
            phrase.clone()
        } else {
            format!("{line} {phrase}")
        };
        if measure(&candidate) <= max {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if measure(&phrase) <= max {
            line = phrase;
        } else {
            let count = wrap(&phrase, max, measure).len();
            lines.extend(wrap_even(&phrase, max, count, measure));
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// The narrowest greedy wrap that still needs at most `count` lines.
fn wrap_even(
    paragraph: &str,
    max: f32,
    count: usize,
    measure: &dyn Fn(&str) -> f32,
) -> Vec<String> {
    let (mut lo, mut hi) = (0.0_f32, max);
    let mut best = wrap(paragraph, max, measure);
    for _ in 0..12 {
        let mid = (lo + hi) / 2.0;
        let attempt = wrap(paragraph, mid, measure);
        if attempt.len() <= count && attempt.iter().all(|l| measure(l) <= mid) {
            hi = mid;
            best = attempt;
        } else {
            lo = mid;
        }
    }
    best
}

/// A paragraph cut after each word that ends in punctuation.
fn phrases(paragraph: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut phrase = String::new();
    for word in words(paragraph) {
        if !phrase.is_empty() {
            phrase.push(' ');
        }
        phrase.push_str(&word);
        if word.ends_with([',', ';', ':', '.', '!', '?', '–', '—', '-']) {
            out.push(std::mem::take(&mut phrase));
        }
    }
    if !phrase.is_empty() {
        out.push(phrase);
    }
    out
}

/// Words of a paragraph, with a free-standing dash glued to the word before it.
fn words(paragraph: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for w in paragraph.split_whitespace() {
        let is_dash = matches!(w, "-" | "–" | "—");
        match out.last_mut() {
            Some(prev) if is_dash => {
                prev.push(' ');
                prev.push_str(w);
            }
            _ => out.push(w.to_owned()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> f32 {
        s.chars().count() as f32
    }

    #[test]
    fn every_vietnamese_letter_folds_to_a_plain_ascii_letter() {
        let lower = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ";
        let folded = ascii_fold(lower);
        assert_eq!(
            folded,
            "aaaaaaaaaaaaaaaaaaeeeeeeeeeeeeiiiiiioooooooooooooooooouuuuuuuuuuuuyyyyyyd"
        );
        let upper = lower.to_uppercase();
        assert_eq!(ascii_fold(&upper), folded.to_uppercase());
    }

    #[test]
    fn decomposed_input_folds_like_precomposed_input() {
        assert_eq!(ascii_fold("o\u{302}\u{323}"), "o");
    }

    #[test]
    fn cp1258_keeps_the_letters_it_has_precomposed() {
        // à á â ă ê ô ơ ư đ are single bytes in CP1258.
        assert_eq!(
            encode_cp1258("àáâăêôơưđ"),
            vec![0xE0, 0xE1, 0xE2, 0xE3, 0xEA, 0xF4, 0xF5, 0xFD, 0xF0]
        );
    }

    #[test]
    fn cp1258_writes_other_toned_letters_as_base_and_combining_mark() {
        // ộ = ô + dot below, ữ = ư + tilde, ả = a + hook above, Ế = Ê + acute.
        assert_eq!(encode_cp1258("ộ"), vec![0xF4, 0xF2]);
        assert_eq!(encode_cp1258("ữ"), vec![0xFD, 0xDE]);
        assert_eq!(encode_cp1258("ả"), vec![0x61, 0xD2]);
        assert_eq!(encode_cp1258("Ế"), vec![0xCA, 0xEC]);
    }

    #[test]
    fn cp1258_round_trips_through_a_decoder_to_the_same_text() {
        let text = "Lao động – Thương binh và Xã hội; Người cao tuổi; SỐ THỨ TỰ";
        let bytes = encode_cp1258(text);
        let (decoded, _, errors) = encoding_rs::WINDOWS_1258.decode(&bytes);
        assert!(!errors);
        let recomposed: String =
            unicode_normalization::UnicodeNormalization::nfc(decoded.as_ref()).collect();
        assert_eq!(recomposed, text);
    }

    #[test]
    fn a_dash_never_starts_a_wrapped_line() {
        let lines = wrap("Lao động – Thương binh và Xã hội", 10.0, &chars);
        assert_eq!(lines, ["Lao động –", "Thương", "binh và Xã", "hội"]);
    }

    #[test]
    fn balanced_wrapping_breaks_after_the_dash_rather_than_inside_a_word() {
        let text = "Lao động – Thương binh và Xã hội";
        assert_eq!(
            wrap(text, 24.0, &chars),
            ["Lao động – Thương binh", "và Xã hội"]
        );
        assert_eq!(
            wrap_balanced(text, 24.0, &chars),
            ["Lao động –", "Thương binh và Xã hội"]
        );
    }

    #[test]
    fn balanced_wrapping_keeps_a_number_with_its_unit() {
        let text = "Thời gian chờ dự kiến: khoảng 25 phút";
        assert_eq!(
            wrap(text, 34.0, &chars),
            ["Thời gian chờ dự kiến: khoảng 25", "phút"]
        );
        assert_eq!(
            wrap_balanced(text, 34.0, &chars),
            ["Thời gian chờ dự kiến:", "khoảng 25 phút"]
        );
    }

    #[test]
    fn without_punctuation_balanced_lines_come_out_even() {
        let text = "một hai ba bốn năm sáu bảy tám";
        assert_eq!(
            wrap(text, 20.0, &chars),
            ["một hai ba bốn năm", "sáu bảy tám"]
        );
        assert_eq!(
            wrap_balanced(text, 20.0, &chars),
            ["một hai ba bốn", "năm sáu bảy tám"]
        );
    }

    #[test]
    fn balanced_wrapping_never_joins_paragraphs() {
        assert_eq!(wrap_balanced("a b\nc", 40.0, &chars), ["a b", "c"]);
    }

    #[test]
    fn an_overlong_word_is_cut_between_letters() {
        assert_eq!(wrap("abcdefghij", 4.0, &chars), ["abcd", "efgh", "ij"]);
    }

    #[test]
    fn a_newline_always_breaks() {
        assert_eq!(wrap("a b\nc", 40.0, &chars), ["a b", "c"]);
    }
}
