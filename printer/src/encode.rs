//! From a ticket to the exact ESC/POS bytes, through the `escpos` crate's command builder with an
//! in-memory driver: the bytes are only produced here, and sending them is the transport's job.
//!
//! Every ticket is `ESC @` (a clean printer state whatever the last job left), `ESC a 1`
//! (centred), the content, a short feed, and a partial cut (`GS V A 1`, which also feeds the
//! paper up to the cutter, so the footer is never cut off).

use crate::error::PrintError;
use crate::font::Fonts;
use crate::raster::{self, Item, QR_QUIET_MODULES, Sheet};
use crate::slip::{
    PairingSlip, SLIP_HEADING, SLIP_HEADING_EN, SLIP_QR_CAPTION, SLIP_STEP, SLIP_STEP_EN,
};
use crate::text::{ascii_fold, encode_cp1258, wrap_balanced};
use crate::ticket::{NUMBER_HEADING, QR_CAPTION};
use crate::{Layout, Paper, TextMode, TicketPrint};
use escpos::driver::Driver;
use escpos::printer::Printer;
use escpos::utils::{JustifyMode, Protocol, QRCodeCorrectionLevel, QRCodeModel, QRCodeOption};
use std::cell::RefCell;
use std::rc::Rc;

/// Most rows sent in one `GS v 0` block: printers with small receive buffers (some 58 mm models
/// have 4 KB) cope, and 256 rows of 72 bytes is at most 18 KB.
const MAX_BLOCK_ROWS: u32 = 256;

/// Lines fed after the last line before the cut: a little white under the footer.
const TAIL_FEED_LINES: u8 = 2;

/// The exact ESC/POS byte stream of a ticket.
///
/// With the default [`Layout`] (raster text, raster QR code) the stream uses only `ESC @`,
/// `ESC a`, `GS v 0`, `ESC J`, `ESC d` and `GS V`: commands every ESC/POS printer has had for
/// twenty years. An 80 mm ticket is about 20 KB.
///
/// # Errors
/// [`PrintError::InvalidTicket`] for an empty ticket code or status URL, [`PrintError::Qr`] or
/// [`PrintError::QrTooWide`] for a status URL too long for a QR code on the paper.
pub fn encode(ticket: &TicketPrint, layout: &Layout) -> Result<Vec<u8>, PrintError> {
    let ticket = ticket.normalized();
    for (field, value) in [("code", &ticket.code), ("url", &ticket.url)] {
        if value.is_empty() {
            return Err(PrintError::InvalidTicket {
                field,
                reason: "it is empty".to_owned(),
            });
        }
    }
    on_paper(layout, |printer| match layout.text {
        TextMode::Raster => {
            let fonts = Fonts::load().map_err(PrintError::Font)?;
            let sheet = raster::compose(&ticket, layout.paper, layout.qr, &fonts)?;
            put_sheet(printer, &sheet, &ticket.url)
        }
        TextMode::CodePage { .. } | TextMode::Ascii => text_ticket(printer, &ticket, layout),
    })
}

/// The exact ESC/POS byte stream of a print agent's pairing slip, in the same layouts and
/// with the same start and end as a ticket.
///
/// # Errors
/// [`PrintError::InvalidTicket`] for an empty code or address, [`PrintError::Qr`] or
/// [`PrintError::QrTooWide`] for an address too long for a QR code on the paper.
pub fn encode_slip(slip: &PairingSlip, layout: &Layout) -> Result<Vec<u8>, PrintError> {
    let slip = slip.normalized();
    for (field, value) in [("code", &slip.code), ("url", &slip.url)] {
        if value.is_empty() {
            return Err(PrintError::InvalidTicket {
                field,
                reason: "it is empty".to_owned(),
            });
        }
    }
    on_paper(layout, |printer| match layout.text {
        TextMode::Raster => {
            let fonts = Fonts::load().map_err(PrintError::Font)?;
            let sheet = raster::compose_slip(&slip, layout.paper, layout.qr, &fonts)?;
            put_sheet(printer, &sheet, &slip.url)
        }
        TextMode::CodePage { .. } | TextMode::Ascii => text_slip(printer, &slip, layout),
    })
}

/// `ESC @` (a clean printer state whatever the last job left), the code page if the text
/// needs one, `ESC a 1` (centred), what `content` writes, a short feed and a partial cut.
fn on_paper(
    layout: &Layout,
    content: impl FnOnce(&mut Printer<Spool>) -> Result<(), PrintError>,
) -> Result<Vec<u8>, PrintError> {
    let spool = Spool::default();
    let mut printer = Printer::new(spool.clone(), Protocol::default(), None);
    printer.init()?;
    if let TextMode::CodePage { page } = layout.text {
        // The page number is the hall's setting, not escpos's table: vendors number CP1258
        // differently.
        printer.custom(&[ESC, b't', page])?;
    }
    printer.justify(JustifyMode::CENTER)?;
    content(&mut printer)?;
    printer.feeds(TAIL_FEED_LINES)?.partial_cut()?.print()?;
    spool.take()
}

/// A raster sheet's pictures, top to bottom, with the white between them fed.
fn put_sheet(printer: &mut Printer<Spool>, sheet: &Sheet, url: &str) -> Result<(), PrintError> {
    let mut at = 0;
    for placed in &sheet.items {
        feed_dots(printer, placed.top - at)?;
        put_item(printer, &placed.item, url)?;
        at = placed.top + placed.item.height();
    }
    feed_dots(printer, sheet.end() - at)
}

const ESC: u8 = 0x1B;
const GS: u8 = 0x1D;

/// Feeds paper by `dots` dots (`ESC J`, at most 255 per command).
fn feed_dots(printer: &mut Printer<Spool>, mut dots: u32) -> Result<(), PrintError> {
    while dots > 0 {
        let n = dots.min(255);
        printer.custom(&[ESC, b'J', n as u8])?;
        dots -= n;
    }
    Ok(())
}

fn put_item(printer: &mut Printer<Spool>, item: &Item, url: &str) -> Result<(), PrintError> {
    match item {
        Item::Raster { bits, scale } => {
            // GS v 0 m: 0 = normal, 3 = quadruple (each bit printed as 2×2 dots).
            let m = if *scale == 2 { 3 } else { 0 };
            let width_bytes = u16::try_from(bits.stride())
                .unwrap_or(u16::MAX)
                .to_le_bytes();
            let mut row = 0;
            while row < bits.height() {
                let rows = (bits.height() - row).min(MAX_BLOCK_ROWS);
                let data = bits.rows(row, row + rows);
                let height = u16::try_from(rows).unwrap_or(u16::MAX).to_le_bytes();
                let mut cmd = Vec::with_capacity(8 + data.len());
                cmd.extend([
                    GS,
                    b'v',
                    b'0',
                    m,
                    width_bytes[0],
                    width_bytes[1],
                    height[0],
                    height[1],
                ]);
                cmd.extend_from_slice(data);
                printer.custom(&cmd)?;
                row += rows;
            }
        }
        Item::NativeQr { module, .. } => {
            printer.qrcode_option(
                url,
                QRCodeOption::new(QRCodeModel::Model2, *module, QRCodeCorrectionLevel::M),
            )?;
        }
    }
    Ok(())
}

/// Lines in the printer's own font (12×24-dot cells): code page or ASCII.
struct OwnFont {
    layout: Layout,
    /// Lines as wide as the ticket's content, not the head: the printer centres each line, so
    /// the margins stay white as in raster mode, and a narrower head does not wrap them.
    columns: u32,
}

impl OwnFont {
    fn of(layout: &Layout) -> OwnFont {
        OwnFont {
            layout: *layout,
            columns: layout.paper.content_dots() / 12,
        }
    }

    fn bytes(&self, s: &str) -> Vec<u8> {
        match self.layout.text {
            TextMode::CodePage { .. } => encode_cp1258(s),
            _ => ascii_fold(s).into_bytes(),
        }
    }

    /// `s` wrapped to the paper (cells `magnify` times as wide), a line feed after each line.
    /// Wrapped by printed cells: in CP1258 a combining tone mark takes a cell of its own.
    fn say(&self, printer: &mut Printer<Spool>, s: &str, magnify: u32) -> Result<(), PrintError> {
        let max = (self.columns / magnify.max(1)) as f32;
        for line in wrap_balanced(s, max, &|l: &str| self.bytes(l).len() as f32) {
            printer.custom(&self.bytes(&line))?.feed()?;
        }
        Ok(())
    }

    /// `code` in the largest size that fits, up to `most` times the cell: ×6 on 80 mm, ×4 on
    /// 58 mm for a 4-character ticket code.
    fn big(&self, printer: &mut Printer<Spool>, code: &str, most: u32) -> Result<(), PrintError> {
        let code = ascii_fold(code);
        let len = code.chars().count().max(1) as u32;
        let magnify = (self.columns / len).clamp(1, most) as u8;
        printer
            .size(magnify, magnify)?
            .custom(code.as_bytes())?
            .feed()?
            .reset_size()?;
        Ok(())
    }

    /// A QR code of `url` with its quiet zone above and below.
    fn qr(&self, printer: &mut Printer<Spool>, url: &str) -> Result<(), PrintError> {
        let qr = raster::qr_code(url, self.layout.paper, self.layout.qr)?;
        let quiet = QR_QUIET_MODULES * qr.module;
        feed_dots(printer, quiet)?;
        put_item(printer, &qr.item, url)?;
        feed_dots(printer, quiet)
    }
}

/// The ticket in the printer's own font: code page or ASCII.
fn text_ticket(
    printer: &mut Printer<Spool>,
    ticket: &TicketPrint,
    layout: &Layout,
) -> Result<(), PrintError> {
    let font = OwnFont::of(layout);
    font.say(printer, &ticket.hall, 1)?;
    printer
        .custom(&"-".repeat(font.columns as usize * 2 / 3).into_bytes())?
        .feed()?;
    printer.bold(true)?;
    font.say(printer, NUMBER_HEADING, 1)?;
    font.big(
        printer,
        &ticket.code,
        if layout.paper == Paper::Mm80 { 6 } else { 4 },
    )?;
    printer.size(1, 2)?;
    font.say(printer, &ticket.service, 1)?;
    printer.reset_size()?;
    if let Some(label) = &ticket.priority {
        printer.reverse(true)?;
        font.say(printer, &format!(" {label} "), 1)?;
        printer.reverse(false)?;
    }
    printer.bold(false)?.feed()?;
    font.say(printer, &ticket.issued_line(), 1)?;
    font.say(printer, &ticket.ahead_line(), 1)?;
    font.say(printer, &ticket.eta_line(), 1)?;
    if let Some(line) = ticket.counters_line() {
        font.say(printer, &line, 1)?;
    }
    font.qr(printer, &ticket.url)?;
    font.say(printer, QR_CAPTION, 1)?;
    font.say(printer, &ticket.footer, 1)?;
    Ok(())
}

/// The pairing slip in the printer's own font: code page or ASCII.
fn text_slip(
    printer: &mut Printer<Spool>,
    slip: &PairingSlip,
    layout: &Layout,
) -> Result<(), PrintError> {
    let font = OwnFont::of(layout);
    printer.bold(true)?;
    font.say(printer, SLIP_HEADING, 1)?;
    printer.bold(false)?;
    font.say(printer, SLIP_HEADING_EN, 1)?;
    printer.feed()?.bold(true)?;
    font.big(printer, &slip.spaced_code(), 3)?;
    printer.feed()?;
    font.say(printer, SLIP_STEP, 1)?;
    printer.bold(false)?;
    font.say(printer, SLIP_STEP_EN, 1)?;
    if let Some(line) = slip.valid_line() {
        font.say(printer, &line, 1)?;
    }
    font.qr(printer, &slip.url)?;
    font.say(printer, SLIP_QR_CAPTION, 1)?;
    font.say(printer, &slip.server_line(), 1)?;
    Ok(())
}

/// escpos's `Driver` that keeps the bytes instead of sending them. The driver API takes `&self`,
/// hence the shared cell; it never leaves this module's single thread.
#[derive(Clone, Default)]
struct Spool(Rc<RefCell<Vec<u8>>>);

impl Spool {
    fn take(&self) -> Result<Vec<u8>, PrintError> {
        let mut bytes = self
            .0
            .try_borrow_mut()
            .map_err(escpos::errors::PrinterError::from)?;
        Ok(std::mem::take(&mut *bytes))
    }
}

impl Driver for Spool {
    fn name(&self) -> String {
        "memory".to_owned()
    }

    fn write(&self, data: &[u8]) -> escpos::errors::Result<()> {
        self.0.try_borrow_mut()?.extend_from_slice(data);
        Ok(())
    }

    fn read(&self, _buf: &mut [u8]) -> escpos::errors::Result<usize> {
        Ok(0)
    }

    fn flush(&self) -> escpos::errors::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_ticket_starts_with_init_and_ends_with_feed_and_partial_cut() {
        for text in [
            TextMode::Raster,
            TextMode::Ascii,
            TextMode::CodePage { page: 52 },
        ] {
            let bytes = encode(
                &TicketPrint::sample(),
                &Layout {
                    text,
                    ..Layout::default()
                },
            )
            .expect("encode");
            assert!(bytes.starts_with(&[ESC, b'@']), "{text:?}");
            assert!(
                bytes.ends_with(&[ESC, b'd', TAIL_FEED_LINES, GS, b'V', b'A', 1]),
                "{text:?}"
            );
        }
    }

    #[test]
    fn an_empty_ticket_code_is_refused() {
        let mut t = TicketPrint::sample();
        t.code = " ".to_owned();
        assert!(matches!(
            encode(&t, &Layout::default()),
            Err(PrintError::InvalidTicket { field: "code", .. })
        ));
    }
}
