//! The bundled Noto Sans (SIL Open Font License, `fonts/OFL.txt`), which has every precomposed
//! Vietnamese letter, and the one thing done with it: drawing a line of text into a 1-bit bitmap.
//!
//! No shaping engine is needed: input is NFC, and Noto Sans has a glyph for each precomposed
//! Vietnamese letter, so one character is one glyph and tone marks never collide.

use crate::bitmap::Bitmap;
use ab_glyph::{Font, FontRef, GlyphId, PxScale, ScaleFont, point};

static REGULAR: &[u8] = include_bytes!("../fonts/NotoSans-Regular.ttf");
static BOLD: &[u8] = include_bytes!("../fonts/NotoSans-Bold.ttf");

/// Coverage above which a dot is printed. Thermal dots are on or off; half covered is the
/// threshold that keeps stroke widths true.
const INK_THRESHOLD: f32 = 0.5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Weight {
    Regular,
    Bold,
}

/// Both weights of the bundled font, parsed (parsing reads only the table directory: cheap).
pub(crate) struct Fonts {
    regular: FontRef<'static>,
    bold: FontRef<'static>,
}

impl Fonts {
    pub(crate) fn load() -> Result<Fonts, String> {
        let parse = |bytes: &'static [u8], name: &str| {
            FontRef::try_from_slice(bytes).map_err(|e| format!("{name}: {e}"))
        };
        Ok(Fonts {
            regular: parse(REGULAR, "NotoSans-Regular.ttf")?,
            bold: parse(BOLD, "NotoSans-Bold.ttf")?,
        })
    }

    pub(crate) fn face(&self, weight: Weight) -> &FontRef<'static> {
        match weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        }
    }
}

/// A line of text at a size, ready to measure or draw.
///
/// Sizes are em sizes in dots (the CSS meaning of font size), not ab_glyph's `PxScale`, which
/// is the ascent-to-descent height.
pub(crate) struct Pen<'f> {
    font: &'f FontRef<'static>,
    scale: PxScale,
    em: f32,
}

/// A drawn line: the ink, and where the ink's top-left corner sits relative to the start of the
/// baseline.
pub(crate) struct Ink {
    pub(crate) bits: Bitmap,
    /// Dots from the baseline up to the top of the ink (negative: above the baseline).
    pub(crate) top: i32,
}

impl<'f> Pen<'f> {
    pub(crate) fn new(fonts: &'f Fonts, weight: Weight, em: f32) -> Pen<'f> {
        Pen::stretched(fonts.face(weight), em, em)
    }

    /// A pen whose glyphs are `em_x` wide and `em_y` tall, for squeezing glyphs into the fixed
    /// cells of a printer's own font.
    pub(crate) fn stretched(font: &'f FontRef<'static>, em_x: f32, em_y: f32) -> Pen<'f> {
        let units = font.units_per_em().unwrap_or(1000.0);
        let height = (font.ascent_unscaled() - font.descent_unscaled()) / units;
        Pen {
            font,
            scale: PxScale {
                x: em_x * height,
                y: em_y * height,
            },
            em: em_y,
        }
    }

    pub(crate) fn em(&self) -> f32 {
        self.em
    }

    /// The glyph printed for `c`: its own, or for a character the font lacks (an emoji in a
    /// hall name) its ASCII fold, or "?". Never the empty .notdef box.
    fn glyph_id(&self, c: char) -> GlyphId {
        let id = self.font.glyph_id(c);
        if id.0 != 0 {
            return id;
        }
        let fallback = crate::text::ascii_fold(&c.to_string())
            .chars()
            .next()
            .unwrap_or('?');
        match self.font.glyph_id(fallback) {
            GlyphId(0) => self.font.glyph_id('?'),
            id => id,
        }
    }

    /// Horizontal advance of the whole line, in dots.
    pub(crate) fn width(&self, text: &str) -> f32 {
        let scaled = self.font.as_scaled(self.scale);
        text.chars()
            .filter(|c| !c.is_control())
            .map(|c| scaled.h_advance(self.glyph_id(c)))
            .sum()
    }

    #[cfg(feature = "render")]
    /// Horizontal advance of one character, in dots.
    pub(crate) fn advance(&self, c: char) -> f32 {
        self.font.as_scaled(self.scale).h_advance(self.glyph_id(c))
    }

    /// Draws the line, cropped to its ink (plus the rounding of the width to whole bytes, split
    /// evenly on both sides so centring stays true). `None` if the line has no ink.
    pub(crate) fn draw(&self, text: &str) -> Option<Ink> {
        let scaled = self.font.as_scaled(self.scale);
        let mut x = 0.0;
        let mut outlines = Vec::with_capacity(text.len());
        for c in text.chars().filter(|c| !c.is_control()) {
            let id = self.glyph_id(c);
            let glyph = id.with_scale_and_position(self.scale, point(x, 0.0));
            x += scaled.h_advance(id);
            if let Some(outline) = self.font.outline_glyph(glyph) {
                outlines.push(outline);
            }
        }
        let mut bounds = outlines.first()?.px_bounds();
        for o in &outlines {
            let b = o.px_bounds();
            bounds.min.x = bounds.min.x.min(b.min.x);
            bounds.min.y = bounds.min.y.min(b.min.y);
            bounds.max.x = bounds.max.x.max(b.max.x);
            bounds.max.y = bounds.max.y.max(b.max.y);
        }
        let ink_w = (bounds.max.x - bounds.min.x).ceil().max(1.0) as u32;
        let ink_h = (bounds.max.y - bounds.min.y).ceil().max(1.0) as u32;
        let byte_width = ink_w.div_ceil(8) * 8;
        let pad = (byte_width - ink_w) / 2;
        let mut bits = Bitmap::new(byte_width, ink_h);
        for o in &outlines {
            let b = o.px_bounds();
            let ox = (b.min.x - bounds.min.x) as i64 + i64::from(pad);
            let oy = (b.min.y - bounds.min.y) as i64;
            o.draw(|gx, gy, coverage| {
                if coverage >= INK_THRESHOLD {
                    bits.set(ox + i64::from(gx), oy + i64::from(gy));
                }
            });
        }
        Some(Ink {
            bits,
            top: bounds.min.y as i32,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stacked_vietnamese_capitals_are_drawn_above_plain_capitals() {
        let fonts = Fonts::load().expect("bundled fonts");
        let pen = Pen::new(&fonts, Weight::Bold, 40.0);
        let plain = pen.draw("E").expect("ink");
        let stacked = pen.draw("Ế").expect("ink");
        assert!(
            stacked.top < plain.top - 8,
            "{} vs {}",
            stacked.top,
            plain.top
        );
    }

    #[test]
    fn a_character_the_font_lacks_prints_as_its_fallback_not_a_box() {
        let fonts = Fonts::load().expect("bundled fonts");
        let pen = Pen::new(&fonts, Weight::Regular, 24.0);
        assert_eq!(pen.width("\u{1F600}"), pen.width("?"));
    }

    #[test]
    fn a_line_of_spaces_has_no_ink() {
        let fonts = Fonts::load().expect("bundled fonts");
        assert!(
            Pen::new(&fonts, Weight::Regular, 24.0)
                .draw("   ")
                .is_none()
        );
    }
}
