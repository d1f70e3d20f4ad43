//! Reading an ESC/POS byte stream back into the picture a printer would print.
//!
//! This is a small printer in software: it keeps the state a real printer keeps (justification,
//! emphasis, character size, code page, line spacing, the QR symbol store) and draws raster
//! blocks, QR codes and text onto a strip of paper as wide as the roll. It understands what
//! [`encode`](crate::encode) sends and the common commands around it; anything else stops with
//! a [`DecodeError`] naming the byte offset, because a preview that silently skips a command
//! would hide exactly the bug it exists to show.
//!
//! Text printed in the printer's own font is drawn with the bundled font squeezed into the
//! printer's fixed cells (Font A: 12×24 dots, Font B: 9×17), one character per cell. A CP1258
//! combining tone mark gets a cell of its own, as it does on the printers the field has, so the
//! preview shows the broken spacing that raster mode exists to avoid. After `ESC t` selects any
//! page other than 0, bytes from 0x80 up are read as Windows-1258, the only page
//! [`encode`](crate::encode) selects; on page 0 (PC437) they are drawn as "?".

mod draw;

use crate::Paper;
use crate::error::DecodeError;
use crate::font::Fonts;
use image::GrayImage;
use qrcode::{Color, EcLevel, QrCode};

/// Longest printout accepted: 5 m of paper. A ticket is 10-20 cm; more is a runaway stream.
const MAX_DOTS: u32 = 40_000;
/// Line spacing after `ESC @` and `ESC 2`: 30 dots (3.75 mm), the usual default at 203 dpi.
const DEFAULT_LINE_SPACING: u32 = 30;
/// QR module size before any `GS ( k` size command (Epson's default).
const DEFAULT_QR_MODULE: u32 = 3;

const ESC: u8 = 0x1B;
const GS: u8 = 0x1D;
const DLE: u8 = 0x10;

/// Draws a byte stream as the printer would print it on `paper`: black ink (0) on white
/// paper (255), as wide as the printable area, as long as the paper the stream feeds.
///
/// # Errors
/// A [`DecodeError`] naming the byte offset for an unknown command, a command cut short, a
/// parameter out of range, or a printout longer than 5 m. Never panics, whatever the bytes.
pub fn render(bytes: &[u8], paper: Paper) -> Result<GrayImage, DecodeError> {
    let fonts = Fonts::load().map_err(DecodeError::Font)?;
    let mut printer = SoftPrinter::new(bytes, paper, &fonts);
    printer.run()?;
    Ok(printer.into_image())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Justify {
    Left,
    Center,
    Right,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Style {
    bold: bool,
    underline: u8,
    reverse: bool,
    font_b: bool,
    width: u8,
    height: u8,
}

impl Default for Style {
    fn default() -> Self {
        Style {
            bold: false,
            underline: 0,
            reverse: false,
            font_b: false,
            width: 1,
            height: 1,
        }
    }
}

impl Style {
    fn cell(&self) -> (u32, u32) {
        let (w, h) = if self.font_b { (9, 17) } else { (12, 24) };
        (w * u32::from(self.width), h * u32::from(self.height))
    }
}

struct Cell {
    ch: char,
    style: Style,
}

struct QrStore {
    data: Vec<u8>,
    module: u32,
    level: EcLevel,
    model: u8,
}

struct SoftPrinter<'a> {
    bytes: &'a [u8],
    pos: usize,
    width: u32,
    fonts: &'a Fonts,
    // Printer state, as ESC @ leaves it.
    justify: Justify,
    style: Style,
    page: u8,
    line_spacing: u32,
    qr: QrStore,
    // The line being collected, printed at LF / ESC d / ESC J or when it is full.
    line: Vec<Cell>,
    line_width: u32,
    // The paper.
    y: u32,
    paper: Vec<u8>,
    /// Windows-1258 upper half, for text after `ESC t` selected a page.
    high_half: [char; 128],
}

impl<'a> SoftPrinter<'a> {
    fn new(bytes: &'a [u8], paper: Paper, fonts: &'a Fonts) -> Self {
        let mut high_half = ['?'; 128];
        for (i, slot) in high_half.iter_mut().enumerate() {
            let byte = [0x80 + i as u8];
            let (text, _) = encoding_rs::WINDOWS_1258.decode_without_bom_handling(&byte);
            *slot = text.chars().next().unwrap_or('?');
        }
        SoftPrinter {
            bytes,
            pos: 0,
            width: paper.dots(),
            fonts,
            justify: Justify::Left,
            style: Style::default(),
            page: 0,
            line_spacing: DEFAULT_LINE_SPACING,
            qr: QrStore {
                data: Vec::new(),
                module: DEFAULT_QR_MODULE,
                level: EcLevel::L,
                model: 2,
            },
            line: Vec::new(),
            line_width: 0,
            y: 0,
            paper: Vec::new(),
            high_half,
        }
    }

    fn into_image(self) -> GrayImage {
        let height = (self.paper.len() / self.width as usize).max(1) as u32;
        let mut image = GrayImage::from_pixel(self.width, height, image::Luma([255]));
        for (dst, src) in image.iter_mut().zip(self.paper) {
            *dst = src;
        }
        image
    }

    fn run(&mut self) -> Result<(), DecodeError> {
        while let Some(&b) = self.bytes.get(self.pos) {
            let start = self.pos;
            match b {
                ESC => self.esc(start)?,
                GS => self.gs(start)?,
                DLE => self.dle(start)?,
                b'\n' => {
                    self.pos += 1;
                    self.print_line(Feed::Lines(1), start)?;
                }
                // CR is ignored by printers set to auto line feed off, which is the default.
                b'\r' | 0x00 => self.pos += 1,
                b'\t' => {
                    self.pos += 1;
                    self.put_char(' ', start)?;
                }
                // CAN: clear the line not yet printed.
                0x18 => {
                    self.pos += 1;
                    self.line.clear();
                    self.line_width = 0;
                }
                0x00..=0x1F | 0x7F => {
                    return Err(DecodeError::UnknownCommand {
                        offset: start,
                        command: format!("0x{b:02x}"),
                    });
                }
                0x20..=0x7E => {
                    self.pos += 1;
                    self.put_char(char::from(b), start)?;
                }
                0x80..=0xFF => {
                    self.pos += 1;
                    let c = match self.page {
                        0 => '?',
                        _ => self
                            .high_half
                            .get(usize::from(b - 0x80))
                            .copied()
                            .unwrap_or('?'),
                    };
                    self.put_char(c, start)?;
                }
            }
        }
        self.print_line(Feed::None, self.bytes.len())
    }

    /// The `n` bytes of the command at `start`, or `Truncated`.
    fn take(
        &mut self,
        start: usize,
        n: usize,
        command: &'static str,
    ) -> Result<&'a [u8], DecodeError> {
        let bytes = self.bytes;
        let cmd = start
            .checked_add(n)
            .and_then(|end| bytes.get(start..end))
            .ok_or(DecodeError::Truncated {
                offset: start,
                command,
                needed: n,
            })?;
        self.pos = start + n;
        Ok(cmd)
    }

    fn unknown(&self, start: usize, prefix: &str, len: usize) -> DecodeError {
        let shown: Vec<String> = self
            .bytes
            .iter()
            .skip(start + 1)
            .take(len)
            .map(|b| {
                if b.is_ascii_graphic() {
                    format!("{}", char::from(*b))
                } else {
                    format!("0x{b:02x}")
                }
            })
            .collect();
        DecodeError::UnknownCommand {
            offset: start,
            command: format!("{prefix} {}", shown.join(" "))
                .trim_end()
                .to_owned(),
        }
    }

    fn esc(&mut self, start: usize) -> Result<(), DecodeError> {
        let Some(&op) = self.bytes.get(start + 1) else {
            return Err(DecodeError::Truncated {
                offset: start,
                command: "ESC",
                needed: 2,
            });
        };
        match op {
            b'@' => {
                self.take(start, 2, "ESC @")?;
                self.line.clear();
                self.line_width = 0;
                self.justify = Justify::Left;
                self.style = Style::default();
                self.page = 0;
                self.line_spacing = DEFAULT_LINE_SPACING;
            }
            b'2' => {
                self.take(start, 2, "ESC 2")?;
                self.line_spacing = DEFAULT_LINE_SPACING;
            }
            b'a' | b'E' | b'G' | b'-' | b'!' | b'M' | b't' | b'R' | b'd' | b'J' | b'3' | b'=' => {
                let cmd = self.take(start, 3, esc_name(op))?;
                let n = cmd.get(2).copied().unwrap_or(0);
                match op {
                    b'a' => {
                        self.justify = match n {
                            0 | 48 => Justify::Left,
                            1 | 49 => Justify::Center,
                            2 | 50 => Justify::Right,
                            _ => {
                                return Err(bad(
                                    start,
                                    "ESC a",
                                    format!("justification {n} is not 0, 1 or 2"),
                                ));
                            }
                        }
                    }
                    b'E' | b'G' => self.style.bold = n & 1 == 1,
                    b'-' => self.style.underline = n % 48 % 3,
                    b'!' => {
                        self.style.font_b = n & 0x01 != 0;
                        self.style.bold = n & 0x08 != 0;
                        self.style.height = if n & 0x10 != 0 { 2 } else { 1 };
                        self.style.width = if n & 0x20 != 0 { 2 } else { 1 };
                        self.style.underline = u8::from(n & 0x80 != 0);
                    }
                    b'M' => self.style.font_b = n % 48 == 1,
                    b't' => self.page = n,
                    b'd' => self.print_line(Feed::Lines(u32::from(n)), start)?,
                    b'J' => self.print_line(Feed::Dots(u32::from(n)), start)?,
                    b'3' => self.line_spacing = u32::from(n),
                    // ESC R (international characters), ESC = (peripheral): nothing to draw.
                    _ => {}
                }
            }
            // ESC p m t1 t2: open the cash drawer. Nothing to draw.
            b'p' => {
                self.take(start, 5, "ESC p")?;
            }
            _ => return Err(self.unknown(start, "ESC", 1)),
        }
        Ok(())
    }

    fn gs(&mut self, start: usize) -> Result<(), DecodeError> {
        let Some(&op) = self.bytes.get(start + 1) else {
            return Err(DecodeError::Truncated {
                offset: start,
                command: "GS",
                needed: 2,
            });
        };
        match op {
            b'!' => {
                let cmd = self.take(start, 3, "GS !")?;
                let n = cmd.get(2).copied().unwrap_or(0);
                let (w, h) = ((n >> 4) + 1, (n & 0x0F) + 1);
                if w > 8 || h > 8 {
                    return Err(bad(
                        start,
                        "GS !",
                        format!("character size {w}×{h} is beyond 8×8"),
                    ));
                }
                self.style.width = w;
                self.style.height = h;
            }
            b'B' => {
                let cmd = self.take(start, 3, "GS B")?;
                self.style.reverse = cmd.get(2).is_some_and(|n| n & 1 == 1);
            }
            // GS b: smoothing. Nothing to draw.
            b'b' => {
                self.take(start, 3, "GS b")?;
            }
            // GS P: motion units. This decoder counts in dots throughout.
            b'P' => {
                self.take(start, 4, "GS P")?;
            }
            b'V' => self.cut(start)?,
            b'v' => self.raster(start)?,
            b'(' => self.gs_paren(start)?,
            _ => return Err(self.unknown(start, "GS", 1)),
        }
        Ok(())
    }

    fn dle(&mut self, start: usize) -> Result<(), DecodeError> {
        // DLE EOT n: a real-time status request; the printer answers, the paper is untouched.
        match (self.bytes.get(start + 1), self.bytes.get(start + 2)) {
            (Some(0x04), Some(1..=4)) => {
                self.pos = start + 3;
                Ok(())
            }
            (Some(0x04), None) | (None, _) => Err(DecodeError::Truncated {
                offset: start,
                command: "DLE EOT",
                needed: 3,
            }),
            _ => Err(self.unknown(start, "DLE", 2)),
        }
    }

    fn cut(&mut self, start: usize) -> Result<(), DecodeError> {
        let m = self.bytes.get(start + 2).copied();
        match m {
            Some(0 | 1 | 48 | 49) => {
                self.take(start, 3, "GS V")?;
                self.print_line(Feed::None, start)
            }
            // Function B/C/D: feed n, then cut. The cutter sits above the head, so the feed
            // to reach it is the printer's own and is not drawn.
            Some(65 | 66 | 97 | 98 | 103 | 104) => {
                let cmd = self.take(start, 4, "GS V")?;
                let n = cmd.get(3).copied().unwrap_or(0);
                self.print_line(Feed::Dots(u32::from(n)), start)
            }
            Some(m) => Err(bad(start, "GS V", format!("cut mode {m} is unknown"))),
            None => Err(DecodeError::Truncated {
                offset: start,
                command: "GS V",
                needed: 3,
            }),
        }
    }

    /// `GS v 0 m xL xH yL yH d1...dk`: a raster block.
    fn raster(&mut self, start: usize) -> Result<(), DecodeError> {
        let header = self.take(start, 8, "GS v 0")?;
        let &[_, _, zero, m, xl, xh, yl, yh] = header else {
            return Err(DecodeError::Truncated {
                offset: start,
                command: "GS v 0",
                needed: 8,
            });
        };
        if zero != b'0' {
            return Err(self.unknown(start, "GS v", 1));
        }
        let (sx, sy) = match m {
            0 | 48 => (1, 1),
            1 | 49 => (2, 1),
            2 | 50 => (1, 2),
            3 | 51 => (2, 2),
            _ => return Err(bad(start, "GS v 0", format!("mode {m} is not 0-3"))),
        };
        let stride = usize::from(u16::from_le_bytes([xl, xh]));
        let rows = usize::from(u16::from_le_bytes([yl, yh]));
        if stride == 0 || rows == 0 {
            return Err(bad(start, "GS v 0", "an empty image".to_owned()));
        }
        let data = self
            .take(start, 8 + stride * rows, "GS v 0")?
            .get(8..)
            .unwrap_or(&[]);
        // A raster block prints from the start of a line.
        self.print_line(Feed::None, start)?;
        let w = stride as u32 * 8 * sx;
        let h = rows as u32 * sy;
        let x0 = self.aligned(w);
        let top = self.y;
        self.grow(top + h, start)?;
        for (r, row) in data.chunks(stride).enumerate() {
            for (i, &byte) in row.iter().enumerate() {
                if byte == 0 {
                    continue;
                }
                for bit in 0..8u32 {
                    if byte & (0x80 >> bit) != 0 {
                        let x = x0 + (i as u32 * 8 + bit) * sx;
                        self.fill(x, top + r as u32 * sy, sx, sy, 0);
                    }
                }
            }
        }
        self.y = top + h;
        Ok(())
    }

    /// `GS ( k pL pH cn fn ...`: 2D codes. Only QR codes (cn = 49) are understood.
    fn gs_paren(&mut self, start: usize) -> Result<(), DecodeError> {
        let head = self.take(start, 5, "GS ( k")?;
        if head.get(2) != Some(&b'k') {
            return Err(self.unknown(start, "GS (", 1));
        }
        let len = usize::from(u16::from_le_bytes([
            head.get(3).copied().unwrap_or(0),
            head.get(4).copied().unwrap_or(0),
        ]));
        if len < 2 {
            return Err(bad(start, "GS ( k", format!("a parameter length of {len}")));
        }
        let cmd = self.take(start, 5 + len, "GS ( k")?;
        let (cn, func, args) = (
            cmd.get(5).copied(),
            cmd.get(6).copied(),
            cmd.get(7..).unwrap_or(&[]),
        );
        if cn != Some(49) {
            return Err(DecodeError::UnknownCommand {
                offset: start,
                command: format!("GS ( k cn={} (a 2D code other than QR)", cn.unwrap_or(0)),
            });
        }
        match (func, args) {
            (Some(65), [n1, ..]) => self.qr.model = n1.wrapping_sub(48),
            (Some(67), [n, ..]) => {
                if !(1..=16).contains(n) {
                    return Err(bad(
                        start,
                        "GS ( k QR size",
                        format!("module size {n} is not 1-16"),
                    ));
                }
                self.qr.module = u32::from(*n);
            }
            (Some(69), [n, ..]) => {
                self.qr.level = match n {
                    48 => EcLevel::L,
                    49 => EcLevel::M,
                    50 => EcLevel::Q,
                    51 => EcLevel::H,
                    _ => {
                        return Err(bad(
                            start,
                            "GS ( k QR error correction",
                            format!("level {n} is not 48-51"),
                        ));
                    }
                }
            }
            (Some(80), [48, data @ ..]) => self.qr.data = data.to_vec(),
            (Some(81), [48, ..]) => self.print_qr(start)?,
            // Function 182: transmit the symbol size. Nothing to draw.
            (Some(82), _) => {}
            _ => {
                return Err(DecodeError::UnknownCommand {
                    offset: start,
                    command: format!("GS ( k QR function {}", func.unwrap_or(0)),
                });
            }
        }
        Ok(())
    }

    fn print_qr(&mut self, start: usize) -> Result<(), DecodeError> {
        if self.qr.model != 2 {
            return Err(bad(
                start,
                "GS ( k QR print",
                format!("QR model {} (only model 2 is drawn)", self.qr.model),
            ));
        }
        if self.qr.data.is_empty() {
            return Err(bad(
                start,
                "GS ( k QR print",
                "no symbol data was stored".to_owned(),
            ));
        }
        let code = QrCode::with_error_correction_level(&self.qr.data, self.qr.level)
            .map_err(|e| bad(start, "GS ( k QR print", e.to_string()))?;
        self.print_line(Feed::None, start)?;
        let modules = code.width() as u32;
        let m = self.qr.module;
        let side = modules * m;
        let x0 = self.aligned(side);
        let top = self.y;
        self.grow(top + side, start)?;
        for (i, color) in code.to_colors().into_iter().enumerate() {
            if color == Color::Dark {
                let (mx, my) = (i as u32 % modules, i as u32 / modules);
                self.fill(x0 + mx * m, top + my * m, m, m, 0);
            }
        }
        self.y = top + side;
        Ok(())
    }
}

/// How far the paper moves after a line is printed.
#[derive(Debug, Clone, Copy)]
enum Feed {
    /// Only past the line itself (nothing if the line is empty).
    None,
    /// `n` lines at the current line spacing (`LF`, `ESC d n`).
    Lines(u32),
    /// `n` dots (`ESC J n`).
    Dots(u32),
}

/// The manual's name of an `ESC x n` command, for error messages.
fn esc_name(op: u8) -> &'static str {
    match op {
        b'a' => "ESC a",
        b'E' => "ESC E",
        b'G' => "ESC G",
        b'-' => "ESC -",
        b'!' => "ESC !",
        b'M' => "ESC M",
        b't' => "ESC t",
        b'R' => "ESC R",
        b'd' => "ESC d",
        b'J' => "ESC J",
        b'3' => "ESC 3",
        _ => "ESC =",
    }
}

fn bad(offset: usize, command: &'static str, reason: String) -> DecodeError {
    DecodeError::BadParameter {
        offset,
        command,
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ink(image: &GrayImage) -> usize {
        image.pixels().filter(|p| p.0[0] < 128).count()
    }

    #[test]
    fn a_raster_block_is_drawn_bit_for_bit_and_centred() {
        // One byte wide, two rows: 0b1000_0001 then 0.
        let bytes = [ESC, b'a', 1, GS, b'v', b'0', 0, 1, 0, 2, 0, 0x81, 0x00];
        let img = render(&bytes, Paper::Mm58).expect("render");
        assert_eq!(img.height(), 2);
        let x0 = (384 - 8) / 2;
        assert_eq!(img.get_pixel(x0, 0).0[0], 0);
        assert_eq!(img.get_pixel(x0 + 7, 0).0[0], 0);
        assert_eq!(img.get_pixel(x0 + 1, 0).0[0], 255);
        assert_eq!(ink(&img), 2);
    }

    #[test]
    fn quadruple_mode_prints_each_bit_as_two_by_two_dots() {
        let bytes = [GS, b'v', b'0', 3, 1, 0, 1, 0, 0x80];
        let img = render(&bytes, Paper::Mm58).expect("render");
        assert_eq!(img.height(), 2);
        assert_eq!(ink(&img), 4);
    }

    #[test]
    fn esc_j_feeds_dots_and_esc_d_feeds_lines() {
        let img = render(&[ESC, b'J', 40, ESC, b'd', 2], Paper::Mm80).expect("render");
        assert_eq!(img.height(), 40 + 2 * DEFAULT_LINE_SPACING);
    }

    #[test]
    fn an_unknown_command_is_named_with_its_offset() {
        let err = render(&[ESC, b'@', ESC, 0x7F], Paper::Mm80).expect_err("unknown");
        assert_eq!(
            err,
            DecodeError::UnknownCommand {
                offset: 2,
                command: "ESC 0x7f".to_owned()
            }
        );
    }

    #[test]
    fn a_raster_block_cut_short_is_an_error_not_a_panic() {
        let err = render(
            &[GS, b'v', b'0', 0, 0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3],
            Paper::Mm80,
        )
        .expect_err("short");
        assert!(
            matches!(err, DecodeError::Truncated { offset: 0, .. }),
            "{err}"
        );
    }

    #[test]
    fn endless_feeding_stops_at_five_metres() {
        let bytes: Vec<u8> = std::iter::repeat_n([ESC, b'J', 255], 200)
            .flatten()
            .collect();
        assert!(matches!(
            render(&bytes, Paper::Mm80),
            Err(DecodeError::TooLong { .. })
        ));
    }

    #[test]
    fn plain_text_is_drawn_in_printer_cells() {
        let img = render(b"HELLO\n", Paper::Mm80).expect("render");
        assert_eq!(img.height(), DEFAULT_LINE_SPACING);
        let inked_columns = (0..img.width())
            .filter(|&x| (0..img.height()).any(|y| img.get_pixel(x, y).0[0] < 128))
            .count();
        assert!(inked_columns > 20, "{inked_columns}");
        // Nothing beyond the five cells.
        assert!(
            (5 * 12..img.width())
                .all(|x| (0..img.height()).all(|y| img.get_pixel(x, y).0[0] == 255))
        );
    }
}
