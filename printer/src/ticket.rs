//! What goes on a ticket and how a hall's printer wants it: the inputs of [`encode`](crate::encode).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use unicode_normalization::UnicodeNormalization;

/// What is printed on a ticket.
///
/// Serialisable because it travels as JSON inside print jobs, from the hall server to the print
/// agent. Every string is shown as given (after NFC normalisation); formatting of times and URLs
/// is the server's business, so the agent needs no clock and no locale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketPrint {
    /// The hall's name, e.g. "UBND phường Hoàn Kiếm – Bộ phận Một cửa". A `\n` forces a line break.
    pub hall: String,
    /// The field of procedures (*lĩnh vực*) the citizen queues for.
    pub service: String,
    /// The queue number as called out, e.g. "A012".
    pub code: String,
    /// The priority label (e.g. "Người cao tuổi"), or `None` for the normal queue.
    pub priority: Option<String>,
    /// The issue time, already formatted in local time, e.g. "08:05 25/11/2026".
    pub issued_at: String,
    /// How many people will be called before this ticket at the counters serving its
    /// field, as estimated when it is issued.
    pub ahead: u32,
    /// The estimated wait in minutes; 0 prints "sắp đến lượt" (your turn is next) instead.
    pub eta_minutes: u32,
    /// The counters that serve the ticket's field, in order ("Quầy phục vụ: 1, 3"): where
    /// to go. Empty prints no line (and is what a job from an older hall carries).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub counters: Vec<u16>,
    /// The ticket's live status page; it goes into the QR code.
    pub url: String,
    /// The hall's footer line from its configuration. A `\n` forces a line break.
    pub footer: String,
}

impl TicketPrint {
    /// A realistic ticket: a busy ward's labour and social affairs desk, elderly priority, the
    /// longest field name in common use. Used by previews, goldens and benchmarks.
    pub fn sample() -> TicketPrint {
        TicketPrint {
            hall: "UBND phường Hoàn Kiếm – Bộ phận Một cửa".to_owned(),
            service: "Lao động – Thương binh và Xã hội".to_owned(),
            code: "A012".to_owned(),
            priority: Some("Người cao tuổi".to_owned()),
            issued_at: "08:05 25/11/2026".to_owned(),
            ahead: 7,
            eta_minutes: 25,
            counters: vec![1, 3],
            url: "https://motcua.example.vn/t/20261125-A012-k7f3a9c2e".to_owned(),
            footer: "Xin cảm ơn ông/bà! Vui lòng giữ phiếu đến khi được gọi.".to_owned(),
        }
    }

    /// The same ticket with every string in NFC, the form the font's precomposed Vietnamese
    /// letters and the CP1258 table are keyed on; text from a macOS keyboard or a pasted PDF is
    /// often decomposed.
    pub(crate) fn normalized(&self) -> TicketPrint {
        fn nfc(s: &str) -> String {
            s.nfc().collect()
        }
        TicketPrint {
            hall: nfc(&self.hall),
            service: nfc(&self.service),
            code: nfc(self.code.trim()),
            priority: self
                .priority
                .as_deref()
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(nfc),
            issued_at: nfc(&self.issued_at),
            ahead: self.ahead,
            eta_minutes: self.eta_minutes,
            counters: self.counters.clone(),
            url: self.url.trim().to_owned(),
            footer: nfc(&self.footer),
        }
    }

    /// "Số người được gọi trước bạn: N": everyone called before this ticket at the
    /// counters serving its field, other fields' tickets at shared counters included.
    pub(crate) fn ahead_line(&self) -> String {
        format!("Số người được gọi trước bạn: {}", self.ahead)
    }

    /// "Thời gian chờ dự kiến: khoảng N phút", or "sắp đến lượt" when nobody is expected to be
    /// ahead for long: "khoảng 0 phút" reads like a mistake.
    pub(crate) fn eta_line(&self) -> String {
        if self.eta_minutes == 0 {
            "Thời gian chờ dự kiến: sắp đến lượt".to_owned()
        } else {
            format!("Thời gian chờ dự kiến: khoảng {} phút", self.eta_minutes)
        }
    }

    /// "Quầy phục vụ: 1, 3": the counters that serve the field, or `None` when the hall
    /// named none.
    pub(crate) fn counters_line(&self) -> Option<String> {
        if self.counters.is_empty() {
            return None;
        }
        let list: Vec<String> = self.counters.iter().map(u16::to_string).collect();
        Some(format!("Quầy phục vụ: {}", list.join(", ")))
    }

    /// "Giờ lấy số: 08:05 25/11/2026".
    pub(crate) fn issued_line(&self) -> String {
        format!("Giờ lấy số: {}", self.issued_at)
    }
}

/// The heading above the big number.
pub(crate) const NUMBER_HEADING: &str = "SỐ THỨ TỰ";
/// The line under the QR code.
pub(crate) const QR_CAPTION: &str = "Quét mã để theo dõi lượt của bạn";

/// The paper roll, which fixes the printable width.
///
/// Serialised as `"80"` or `"58"`, the way halls name their printers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Paper {
    /// 80 mm roll: 576 printable dots at 203 dpi (72 mm).
    #[default]
    #[serde(rename = "80")]
    Mm80,
    /// 58 mm roll: 384 printable dots at 203 dpi (48 mm).
    #[serde(rename = "58")]
    Mm58,
}

impl Paper {
    /// Printable width in dots at 203 dpi (8 dots per millimetre).
    pub fn dots(self) -> u32 {
        match self {
            Paper::Mm80 => 576,
            Paper::Mm58 => 384,
        }
    }

    /// Width the ticket is laid out in, in dots: every line, the big number and the QR code
    /// with its quiet zone fit in it, and the printer centres each of them (`ESC a 1`), so
    /// [`margin_dots`](Paper::margin_dots) stay white on either side.
    ///
    /// These are the numbers that keep a ticket whole on the narrowest printers halls buy, not
    /// only on the head widths above:
    /// - 80 mm: 512 dots (64 mm). Heads are 576 dots (72 mm) on Epson TM-T20, TM-T82, TM-T88V
    ///   and later and on Xprinter XP-80-class clones, but 512 on 180 dpi Epsons (TM-T81,
    ///   TM-T88IV) and on printers set to TM-T88 compatibility, which many 80 mm clones ship
    ///   with. 4 mm stays white on each side of a 576-dot head.
    /// - 58 mm: 336 dots (42 mm). Most clones (Xprinter XP-58, Zijiang ZJ-58, GOOJPRT) have a
    ///   384-dot (48 mm) head, but 180 dpi printers at 58-60 mm (older Epsons, Bixolon
    ///   SRP-350plus) print 360 dots, and some clones are sold with 42 mm of printable width.
    ///   A printer drops what is wider than its head, it does not shrink it. 3 mm stays white
    ///   on each side of a 384-dot head.
    pub fn content_dots(self) -> u32 {
        match self {
            Paper::Mm80 => 512,
            Paper::Mm58 => 336,
        }
    }

    /// White on each side of the ticket, in dots, on a head of [`dots`](Paper::dots).
    pub fn margin_dots(self) -> u32 {
        (self.dots() - self.content_dots()) / 2
    }

    /// Roll width in millimetres.
    pub fn mm(self) -> u32 {
        match self {
            Paper::Mm80 => 80,
            Paper::Mm58 => 58,
        }
    }
}

impl fmt::Display for Paper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.mm())
    }
}

/// The paper name was neither 80 nor 58.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown paper width `{0}`: expected 80 or 58")]
pub struct UnknownPaper(pub String);

impl FromStr for Paper {
    type Err = UnknownPaper;

    /// Accepts "80", "80mm", "80 mm" (and the same for 58), as people write it in configs.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let digits = s.trim().trim_end_matches("mm").trim();
        match digits {
            "80" => Ok(Paper::Mm80),
            "58" => Ok(Paper::Mm58),
            _ => Err(UnknownPaper(s.to_owned())),
        }
    }
}

/// How the words on the ticket reach the paper.
///
/// Serialised with a `kind` tag: `{"kind": "raster"}`, `{"kind": "code_page", "page": 52}`,
/// `{"kind": "ascii"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TextMode {
    /// Every line drawn here with the bundled font and sent as a raster image (`GS v 0`). Works
    /// on every ESC/POS printer with every diacritic right; the default.
    #[default]
    Raster,
    /// The printer's own font: `ESC t page` then the text in Windows-1258. Only for printers whose
    /// CP1258 page is known to work; vendors number it differently (Epson 52; others 27, 46, 94),
    /// hence the setting. Letters CP1258 lacks go out as base letter + combining tone mark.
    CodePage {
        /// The value sent with `ESC t`.
        page: u8,
    },
    /// The printer's own font, plain ASCII with the diacritics stripped ("Lao dong - Thuong binh
    /// va Xa hoi"): readable on the cheapest printer, but a last resort.
    Ascii,
}

/// How the QR code reaches the paper.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QrMode {
    /// Drawn here (module for module) and sent as a raster image: the same on every printer.
    #[default]
    Raster,
    /// The printer's own QR code command (`GS ( k`, model 2, error correction M): fewer bytes,
    /// but only on printers that implement it.
    Native,
}

/// Everything about a hall's printer that changes the bytes of a ticket.
///
/// Defaults to 80 mm paper, raster text and a raster QR code: the combination that prints
/// correctly everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Layout {
    /// The paper roll.
    pub paper: Paper,
    /// How text is printed.
    pub text: TextMode,
    /// How the QR code is printed.
    pub qr: QrMode,
}

impl Layout {
    /// A layout from the words used in settings and on the command line: paper `80`|`58`,
    /// text `raster`|`codepage`|`ascii` (with the printer's number for Windows-1258),
    /// QR `raster`|`native`. On a bad word: which one, and why.
    pub fn from_words(
        paper: &str,
        text: &str,
        code_page: u8,
        qr: &str,
    ) -> Result<Layout, (&'static str, String)> {
        let paper = paper
            .parse::<Paper>()
            .map_err(|_| ("paper", format!("{paper:?} mm paper: use 80 or 58")))?;
        let text = match text {
            "raster" => TextMode::Raster,
            "codepage" => TextMode::CodePage { page: code_page },
            "ascii" => TextMode::Ascii,
            other => return Err(("text", format!("{other:?}: use raster, codepage or ascii"))),
        };
        let qr = match qr {
            "raster" => QrMode::Raster,
            "native" => QrMode::Native,
            other => return Err(("qr", format!("{other:?}: use raster or native"))),
        };
        Ok(Layout { paper, text, qr })
    }

    /// The default layout on the given paper.
    pub fn for_paper(paper: Paper) -> Layout {
        Layout {
            paper,
            ..Layout::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paper_reads_as_people_write_it() {
        assert_eq!("80".parse::<Paper>(), Ok(Paper::Mm80));
        assert_eq!("58mm".parse::<Paper>(), Ok(Paper::Mm58));
        assert_eq!(" 58 mm ".parse::<Paper>(), Ok(Paper::Mm58));
        assert!("76".parse::<Paper>().is_err());
    }

    #[test]
    fn a_decomposed_ticket_is_printed_in_nfc() {
        let mut t = TicketPrint::sample();
        t.service = "Lao đo\u{323}\u{302}ng".to_owned();
        assert_eq!(t.normalized().service, "Lao động");
    }

    #[test]
    fn a_blank_priority_label_means_the_normal_queue() {
        let mut t = TicketPrint::sample();
        t.priority = Some("  ".to_owned());
        assert_eq!(t.normalized().priority, None);
    }
}
