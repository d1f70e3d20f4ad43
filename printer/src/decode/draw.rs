//! The paper side of the software printer: characters laid into cells, lines printed, the
//! strip grown as the paper feeds, dots set.

use super::{Cell, Feed, Justify, MAX_DOTS, SoftPrinter};
use crate::error::DecodeError;
use crate::font::{Pen, Weight};

impl SoftPrinter<'_> {
    pub(super) fn put_char(&mut self, c: char, offset: usize) -> Result<(), DecodeError> {
        let (w, _) = self.style.cell();
        if self.line_width + w > self.width {
            // The printer wraps a full line by itself.
            self.print_line(Feed::Lines(1), offset)?;
        }
        self.line.push(Cell {
            ch: c,
            style: self.style,
        });
        self.line_width += w;
        Ok(())
    }

    /// Prints the collected line (if any) at the current position, then feeds.
    pub(super) fn print_line(&mut self, feed: Feed, offset: usize) -> Result<(), DecodeError> {
        let line = std::mem::take(&mut self.line);
        let line_width = std::mem::replace(&mut self.line_width, 0);
        let line_height = line.iter().map(|c| c.style.cell().1).max().unwrap_or(0);
        let advance = match feed {
            Feed::None => line_height,
            Feed::Dots(n) => n,
            Feed::Lines(0) => line_height,
            Feed::Lines(n) => line_height.max(self.line_spacing) + (n - 1) * self.line_spacing,
        };
        self.grow(self.y + advance.max(line_height), offset)?;
        let mut x = self.aligned(line_width);
        for cell in &line {
            let (cw, ch) = cell.style.cell();
            let top = self.y + line_height - ch;
            self.draw_cell(cell, x, top);
            x += cw;
        }
        self.y += advance;
        Ok(())
    }

    pub(super) fn draw_cell(&mut self, cell: &Cell, x: u32, top: u32) {
        let (cw, ch) = cell.style.cell();
        let (ink, paper) = if cell.style.reverse {
            (255, 0)
        } else {
            (0, 255)
        };
        if cell.style.reverse {
            self.fill(x, top, cw, ch, paper);
        }
        if cell.style.underline > 0 {
            self.fill(
                x,
                top + ch - u32::from(cell.style.underline),
                cw,
                u32::from(cell.style.underline),
                ink,
            );
        }
        let weight = if cell.style.bold {
            Weight::Bold
        } else {
            Weight::Regular
        };
        let face = self.fonts.face(weight);
        // The printer's font is about 0.8 of its cell tall, baseline three quarters down.
        let em_y = ch as f32 * 0.8;
        let em_x = {
            let wide = Pen::stretched(face, em_y, em_y).advance(cell.ch).max(1.0);
            let natural = em_y * cw as f32 / ch as f32 * 2.0;
            natural.min(em_y * cw as f32 / wide)
        };
        let pen = Pen::stretched(face, em_x, em_y);
        if let Some(glyph) = pen.draw(&cell.ch.to_string()) {
            let baseline = i64::from(top) + (ch as f32 * 0.76) as i64;
            let gx = i64::from(x) + (i64::from(cw) - i64::from(glyph.bits.width())) / 2;
            let gy = baseline + i64::from(glyph.top);
            for yy in 0..glyph.bits.height() {
                for xx in 0..glyph.bits.width() {
                    if glyph.bits.get(xx, yy) {
                        let (px, py) = (gx + i64::from(xx), gy + i64::from(yy));
                        if px >= 0 && py >= 0 {
                            self.fill(px as u32, py as u32, 1, 1, ink);
                        }
                    }
                }
            }
        }
    }

    /// Left edge of something `w` dots wide under the current justification.
    pub(super) fn aligned(&self, w: u32) -> u32 {
        match self.justify {
            Justify::Left => 0,
            Justify::Center => self.width.saturating_sub(w) / 2,
            Justify::Right => self.width.saturating_sub(w),
        }
    }

    /// Makes the paper at least `rows` long.
    pub(super) fn grow(&mut self, rows: u32, offset: usize) -> Result<(), DecodeError> {
        if rows > MAX_DOTS {
            return Err(DecodeError::TooLong {
                offset,
                max_dots: MAX_DOTS,
            });
        }
        let needed = rows as usize * self.width as usize;
        if self.paper.len() < needed {
            self.paper.resize(needed, 255);
        }
        Ok(())
    }

    /// Paints a rectangle, clipped to the paper (printers drop what falls off the edge).
    pub(super) fn fill(&mut self, x: u32, y: u32, w: u32, h: u32, value: u8) {
        let width = self.width as usize;
        let rows = self.paper.len() / width.max(1);
        for yy in y as usize..(y as usize + h as usize).min(rows) {
            let from = yy * width + (x as usize).min(width);
            let to = yy * width + (x as usize + w as usize).min(width);
            if let Some(span) = self.paper.get_mut(from..to) {
                span.fill(value);
            }
        }
    }
}
