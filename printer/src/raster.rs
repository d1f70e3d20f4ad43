//! The raster ticket (and the agent's pairing slip): every line drawn with the bundled font,
//! placed on a sheet of paper, top to bottom. The sheet is a list of pictures at known heights rather than one tall bitmap, because
//! a full-width bitmap of an 80 mm ticket is 60-70 KB, most of it white: each picture is cropped
//! to its ink and centred by the printer (`ESC a 1`), and the white between pictures is a paper
//! feed of a few bytes. That keeps an 80 mm ticket under 24 KB, which a USB or network printer
//! takes in well under its own print time.

use crate::bitmap::Bitmap;
use crate::error::PrintError;
use crate::font::{Fonts, Pen, Weight};
use crate::slip::{
    PairingSlip, SLIP_HEADING, SLIP_HEADING_EN, SLIP_QR_CAPTION, SLIP_STEP, SLIP_STEP_EN,
};
use crate::text::wrap_balanced;
use crate::ticket::{NUMBER_HEADING, QR_CAPTION};
use crate::{Paper, QrMode, TicketPrint};
use qrcode::{Color, EcLevel, QrCode};

/// Physical width aimed at for the QR code: 27 mm, which an ordinary phone camera reads at arm's
/// length; the module size is rounded from this.
const QR_TARGET_DOTS: u32 = 27 * 8;
/// QR quiet zone, in modules, that the standard asks for on every side.
pub(crate) const QR_QUIET_MODULES: u32 = 4;

/// One thing printed on the sheet.
pub(crate) enum Item {
    /// A picture sent with `GS v 0`. With `scale` 2 each bit prints as 2×2 dots (`GS v 0`'s
    /// quadruple mode): used for the big number and the QR code, whose features are far larger
    /// than a dot, to send a quarter of the bytes.
    Raster { bits: Bitmap, scale: u32 },
    /// The printer's own QR code (`GS ( k`), `side` dots square.
    NativeQr { module: u8, side: u32 },
}

impl Item {
    pub(crate) fn height(&self) -> u32 {
        match self {
            Item::Raster { bits, scale } => bits.height() * scale,
            Item::NativeQr { side, .. } => *side,
        }
    }

    /// Dots across the paper the printer gives the item and centres: a raster's whole bytes,
    /// white padding included.
    pub(crate) fn width(&self) -> u32 {
        match self {
            Item::Raster { bits, scale } => bits.stride() as u32 * 8 * scale,
            Item::NativeQr { side, .. } => *side,
        }
    }
}

/// An item and the dot row its top is printed at.
pub(crate) struct Placed {
    pub(crate) top: u32,
    pub(crate) item: Item,
}

/// The ticket as pictures at fixed heights, ready to be sent top to bottom.
pub(crate) struct Sheet {
    pub(crate) items: Vec<Placed>,
    /// Where the next line box starts.
    cursor: u32,
    /// The lowest dot printed so far; nothing may be placed above it, since paper only moves on.
    bottom: u32,
}

/// Type sizes (em, in dots) and spacing per paper width. 58 mm is not simply 80 mm scaled down:
/// small text must stay readable, so it shrinks less than the big number. The width everything
/// fits in is [`Paper::content_dots`], which says why.
struct Sizes {
    hall: f32,
    heading: f32,
    code_ink: f32,
    field: f32,
    priority: f32,
    info: f32,
    caption: f32,
    footer: f32,
    gap: u32,
}

fn sizes(paper: Paper) -> Sizes {
    match paper {
        Paper::Mm80 => Sizes {
            hall: 22.0,
            heading: 30.0,
            code_ink: 168.0,
            field: 36.0,
            priority: 28.0,
            info: 26.0,
            caption: 22.0,
            footer: 22.0,
            gap: 18,
        },
        Paper::Mm58 => Sizes {
            hall: 21.0,
            heading: 26.0,
            code_ink: 120.0,
            field: 27.0,
            priority: 24.0,
            info: 22.0,
            caption: 19.0,
            footer: 19.0,
            gap: 14,
        },
    }
}

/// Dots kept back from the content width when wrapping text: a line's ink may overhang its
/// advance by a dot or two, and its picture is rounded up to whole bytes.
const WRAP_SLACK: u32 = 8;

/// Height of a line box above the baseline, in ems. Stacked Vietnamese capitals (Ế, Ộ) reach
/// about 1 em above the baseline in Noto Sans; a box any lower lets their marks touch the line above.
const BOX_ASCENT: f32 = 1.0;
/// Depth of a line box below the baseline, in ems: room for g, y, and the dot under ạ, ị, ụ.
const BOX_DESCENT: f32 = 0.3;

impl Sheet {
    fn new() -> Sheet {
        Sheet {
            items: Vec::new(),
            cursor: 0,
            bottom: 0,
        }
    }

    pub(crate) fn end(&self) -> u32 {
        self.cursor.max(self.bottom)
    }

    fn gap(&mut self, dots: u32) {
        self.cursor += dots;
    }

    fn place(&mut self, top: i64, item: Item) {
        let top = u32::try_from(top).unwrap_or(0).max(self.bottom);
        self.bottom = top + item.height();
        self.items.push(Placed { top, item });
    }

    /// Lines of text, wrapped to the paper, each centred.
    fn text(&mut self, pen: &Pen<'_>, text: &str, max_width: u32) {
        for line in wrap_balanced(text, max_width as f32, &|s: &str| pen.width(s)) {
            let baseline = self.cursor + (BOX_ASCENT * pen.em()).round() as u32;
            if let Some(ink) = pen.draw(&line) {
                self.place(
                    i64::from(baseline) + i64::from(ink.top),
                    Item::Raster {
                        bits: ink.bits,
                        scale: 1,
                    },
                );
            }
            self.cursor = baseline + (BOX_DESCENT * pen.em()).round() as u32;
        }
    }

    /// A horizontal rule across the middle of the paper.
    fn rule(&mut self, width: u32, thickness: u32) {
        let mut bits = Bitmap::new(width, thickness);
        bits.invert_rect(0, 0, width, thickness);
        let top = i64::from(self.cursor);
        self.place(top, Item::Raster { bits, scale: 1 });
        self.cursor = self.bottom;
    }
}

/// Lays out the whole raster ticket. The ticket must be normalised (NFC) already.
pub(crate) fn compose(
    ticket: &TicketPrint,
    paper: Paper,
    qr: QrMode,
    fonts: &Fonts,
) -> Result<Sheet, PrintError> {
    let s = sizes(paper);
    let width = paper.content_dots();
    let text_width = width - WRAP_SLACK;
    let mut sheet = Sheet::new();

    sheet.text(
        &Pen::new(fonts, Weight::Regular, s.hall),
        &ticket.hall,
        text_width,
    );
    sheet.gap(s.gap / 2);
    sheet.rule(width * 3 / 5, 2);
    sheet.gap(s.gap);

    sheet.text(
        &Pen::new(fonts, Weight::Bold, s.heading),
        NUMBER_HEADING,
        text_width,
    );
    sheet.gap(s.gap);
    big_number(&mut sheet, &ticket.code, s.code_ink, width, fonts)?;
    sheet.gap(s.gap);

    sheet.text(
        &Pen::new(fonts, Weight::Bold, s.field),
        &ticket.service,
        text_width,
    );
    if let Some(label) = &ticket.priority {
        sheet.gap(s.gap / 2);
        priority_box(&mut sheet, label, s.priority, text_width, fonts);
    }
    sheet.gap(s.gap);

    let info = Pen::new(fonts, Weight::Regular, s.info);
    sheet.text(&info, &ticket.issued_line(), text_width);
    sheet.text(&info, &ticket.ahead_line(), text_width);
    sheet.text(&info, &ticket.eta_line(), text_width);
    if let Some(line) = ticket.counters_line() {
        sheet.text(&info, &line, text_width);
    }

    let code = qr_code(&ticket.url, paper, qr)?;
    let quiet = QR_QUIET_MODULES * code.module;
    sheet.gap(quiet.max(s.gap));
    let top = i64::from(sheet.cursor);
    sheet.place(top, code.item);
    sheet.cursor = sheet.bottom + quiet;

    sheet.text(
        &Pen::new(fonts, Weight::Regular, s.caption),
        QR_CAPTION,
        text_width,
    );
    sheet.gap(s.gap);
    sheet.text(
        &Pen::new(fonts, Weight::Regular, s.footer),
        &ticket.footer,
        text_width,
    );
    Ok(sheet)
}

/// Lays out a pairing slip: the heading, the code large (but smaller than a ticket's number:
/// a slip is read once, up close), where to type it, until when, and the QR code of the
/// admin page's pairing. The slip must be normalised (NFC) already.
pub(crate) fn compose_slip(
    slip: &PairingSlip,
    paper: Paper,
    qr: QrMode,
    fonts: &Fonts,
) -> Result<Sheet, PrintError> {
    let s = sizes(paper);
    let width = paper.content_dots();
    let text_width = width - WRAP_SLACK;
    let mut sheet = Sheet::new();
    let info = Pen::new(fonts, Weight::Regular, s.info);

    sheet.text(
        &Pen::new(fonts, Weight::Bold, s.heading),
        SLIP_HEADING,
        text_width,
    );
    sheet.text(&info, SLIP_HEADING_EN, text_width);
    sheet.gap(s.gap);
    big_number(
        &mut sheet,
        &slip.spaced_code(),
        s.code_ink * 0.6,
        width,
        fonts,
    )?;
    sheet.gap(s.gap);
    sheet.text(
        &Pen::new(fonts, Weight::Bold, s.info),
        SLIP_STEP,
        text_width,
    );
    sheet.text(&info, SLIP_STEP_EN, text_width);
    if let Some(line) = slip.valid_line() {
        sheet.gap(s.gap / 2);
        sheet.text(&info, &line, text_width);
    }

    let code = qr_code(&slip.url, paper, qr)?;
    let quiet = QR_QUIET_MODULES * code.module;
    sheet.gap(quiet.max(s.gap));
    let top = i64::from(sheet.cursor);
    sheet.place(top, code.item);
    sheet.cursor = sheet.bottom + quiet;
    let small = Pen::new(fonts, Weight::Regular, s.caption);
    sheet.text(&small, SLIP_QR_CAPTION, text_width);
    sheet.gap(s.gap / 2);
    sheet.text(&small, &slip.server_line(), text_width);
    Ok(sheet)
}

/// The ticket code as big as the paper allows, up to `ink_height` dots tall and at most
/// `max_width` dots wide once printed, drawn at half resolution and printed at double size.
/// A long code ("WWWW99999") comes out smaller rather than running into the margins.
fn big_number(
    sheet: &mut Sheet,
    code: &str,
    ink_height: f32,
    max_width: u32,
    fonts: &Fonts,
) -> Result<(), PrintError> {
    const PROBE_EM: f32 = 100.0;
    let probe = Pen::new(fonts, Weight::Bold, PROBE_EM)
        .draw(code)
        .ok_or_else(|| PrintError::InvalidTicket {
            field: "code",
            reason: "it has nothing to print".to_owned(),
        })?;
    let (ink_top, ink_bottom) = probe.bits.ink_rows().unwrap_or((0, probe.bits.height()));
    let probe_h = (ink_bottom - ink_top).max(1) as f32;
    let probe_w = probe.bits.width().max(1) as f32;
    let mut em = (PROBE_EM * ink_height / probe_h).min(PROBE_EM * max_width as f32 / probe_w);
    // Half resolution, so the picture is printed at twice its width in whole bytes: the
    // rounding can add up to 16 dots to the ink, so shrink until the printed width fits.
    // Each try is 3% smaller; ten cover far more than the rounding.
    for _ in 0..10 {
        let Some(ink) = Pen::new(fonts, Weight::Bold, em / 2.0).draw(code) else {
            return Ok(());
        };
        let item = Item::Raster {
            bits: ink.bits,
            scale: 2,
        };
        if item.width() <= max_width {
            let top = i64::from(sheet.cursor);
            sheet.place(top, item);
            sheet.cursor = sheet.bottom;
            return Ok(());
        }
        em *= 0.97;
    }
    Err(PrintError::InvalidTicket {
        field: "code",
        reason: "it does not fit on the paper".to_owned(),
    })
}

/// The priority label as white text in a black box, so the clerk sees it from across the counter.
fn priority_box(sheet: &mut Sheet, label: &str, em: f32, max_width: u32, fonts: &Fonts) {
    let pen = Pen::new(fonts, Weight::Bold, em);
    let pad_x = (0.6 * em).round() as u32;
    let pad_y = (0.35 * em).round() as u32;
    for line in wrap_balanced(label, (max_width - 2 * pad_x) as f32, &|s| pen.width(s)) {
        let Some(ink) = pen.draw(&line) else { continue };
        // A box of a fixed height per size, so the label sits the same whatever its letters.
        let ascent = (BOX_ASCENT * em).round() as u32;
        let descent = (BOX_DESCENT * em).round() as u32;
        let w = ink.bits.width() + 2 * pad_x;
        let h = ascent + descent + 2 * pad_y;
        let mut bits = Bitmap::new(w, h);
        let baseline = i64::from(pad_y + ascent);
        bits.blit(&ink.bits, i64::from(pad_x), baseline + i64::from(ink.top));
        bits.invert_rect(0, 0, w, h);
        let top = i64::from(sheet.cursor);
        sheet.place(top, Item::Raster { bits, scale: 1 });
        sheet.cursor = sheet.bottom;
    }
}

/// A QR code ready to place, and its module size in dots.
pub(crate) struct Qr {
    pub(crate) item: Item,
    pub(crate) module: u32,
}

/// The status URL as a QR code (error correction M) about 27 mm wide, with its quiet zone
/// inside the ticket's width (so the paper's margins add to it, never eat into it).
pub(crate) fn qr_code(url: &str, paper: Paper, mode: QrMode) -> Result<Qr, PrintError> {
    let code = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M)?;
    let modules = code.width() as u32;
    let fits = |module: u32| (modules + 2 * QR_QUIET_MODULES) * module <= paper.content_dots();
    match mode {
        QrMode::Native => {
            // GS ( k takes module sizes 1-16; escpos caps them at 15.
            let mut module = (QR_TARGET_DOTS as f32 / modules as f32)
                .round()
                .clamp(1.0, 15.0) as u32;
            while module > 1 && !fits(module) {
                module -= 1;
            }
            if !fits(module) {
                return Err(PrintError::QrTooWide { paper: paper.mm() });
            }
            Ok(Qr {
                item: Item::NativeQr {
                    module: u8::try_from(module).unwrap_or(16),
                    side: modules * module,
                },
                module,
            })
        }
        QrMode::Raster => {
            // An even module size, so the code can go at half resolution in quadruple mode.
            let mut half = (QR_TARGET_DOTS as f32 / modules as f32 / 2.0)
                .round()
                .max(1.0) as u32;
            while half > 1 && !fits(2 * half) {
                half -= 1;
            }
            if !fits(2 * half) {
                return Err(PrintError::QrTooWide { paper: paper.mm() });
            }
            let side = modules * half;
            let mut bits = Bitmap::new(side, side);
            for (i, color) in code.to_colors().into_iter().enumerate() {
                if color == Color::Dark {
                    let (mx, my) = (i as u32 % modules, i as u32 / modules);
                    bits.invert_rect(mx * half, my * half, half, half);
                }
            }
            Ok(Qr {
                item: Item::Raster { bits, scale: 2 },
                module: 2 * half,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_qr_code_is_about_27_mm_wide_on_both_papers() {
        let url = TicketPrint::sample().url;
        for paper in [Paper::Mm80, Paper::Mm58] {
            for mode in [QrMode::Raster, QrMode::Native] {
                let qr = qr_code(&url, paper, mode).expect("qr");
                let mm = qr.item.height() as f32 / 8.0;
                assert!((24.0..=31.0).contains(&mm), "{paper} mm {mode:?}: {mm} mm");
            }
        }
    }

    /// Sample tickets with the widest codes a hall can give out and a long field name.
    fn wide_tickets() -> Vec<TicketPrint> {
        ["A012", "WWWW99999", "MMMM88888", "LD-1234", "W"]
            .into_iter()
            .map(|code| TicketPrint {
                code: code.to_owned(),
                service: "Chứng thực bản sao, chữ ký – Hộ tịch – Đất đai và Xây dựng".to_owned(),
                priority: Some("Người khuyết tật, phụ nữ mang thai".to_owned()),
                ..TicketPrint::sample()
            })
            .collect()
    }

    #[test]
    fn nothing_on_the_sheet_overlaps() {
        let fonts = Fonts::load().expect("fonts");
        for ticket in wide_tickets() {
            for paper in [Paper::Mm80, Paper::Mm58] {
                let sheet =
                    compose(&ticket.normalized(), paper, QrMode::Raster, &fonts).expect("sheet");
                let mut bottom = 0;
                for p in &sheet.items {
                    assert!(p.top >= bottom, "{} on {paper} mm", ticket.code);
                    bottom = p.top + p.item.height();
                }
            }
        }
    }

    #[test]
    fn every_item_fits_the_narrowest_printer_of_its_paper() {
        // The printer centres each item, so an item no wider than the content width prints
        // whole on a head that narrow, with the margins white on a wider one.
        let fonts = Fonts::load().expect("fonts");
        for ticket in wide_tickets() {
            for paper in [Paper::Mm80, Paper::Mm58] {
                for qr in [QrMode::Raster, QrMode::Native] {
                    let sheet = compose(&ticket.normalized(), paper, qr, &fonts).expect("sheet");
                    for p in &sheet.items {
                        assert!(
                            p.item.width() <= paper.content_dots(),
                            "{} on {paper} mm, {qr:?}: an item {} dots wide at row {}",
                            ticket.code,
                            p.item.width(),
                            p.top
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn a_short_code_is_as_tall_as_the_paper_allows_and_a_long_one_shrinks_to_fit() {
        let fonts = Fonts::load().expect("fonts");
        let number = |code: &str, paper: Paper| {
            let ticket = TicketPrint {
                code: code.to_owned(),
                ..TicketPrint::sample()
            };
            let sheet = compose(&ticket, paper, QrMode::Raster, &fonts).expect("sheet");
            // The big number is the first item printed at double size (the QR code follows).
            sheet
                .items
                .iter()
                .find_map(|p| match &p.item {
                    Item::Raster { scale: 2, .. } => Some((p.item.width(), p.item.height())),
                    _ => None,
                })
                .expect("a big number")
        };
        for paper in [Paper::Mm80, Paper::Mm58] {
            let (short_w, short_h) = number("A1", paper);
            let (long_w, long_h) = number("WWWW99999", paper);
            assert!(
                short_h as f32 >= sizes(paper).code_ink * 0.9,
                "{paper} mm: {short_h}"
            );
            assert!(short_w < paper.content_dots() && long_w <= paper.content_dots());
            assert!(long_h * 2 < short_h, "{paper} mm: {long_h} vs {short_h}");
        }
    }
}
