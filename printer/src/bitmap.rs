//! A 1-bit picture laid out the way `GS v 0` sends it: rows of bytes, most significant bit
//! leftmost, 1 = a black dot. Drawing straight into this layout means encoding a raster block is
//! a copy, with no conversion pass over an 8-bit image.

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Bitmap {
    width: u32,
    height: u32,
    stride: usize,
    bits: Vec<u8>,
}

impl Bitmap {
    /// A white bitmap; the row length is rounded up to whole bytes.
    pub(crate) fn new(width: u32, height: u32) -> Bitmap {
        let stride = width.div_ceil(8) as usize;
        Bitmap {
            width,
            height,
            stride,
            bits: vec![0; stride * height as usize],
        }
    }

    pub(crate) fn width(&self) -> u32 {
        self.width
    }

    pub(crate) fn height(&self) -> u32 {
        self.height
    }

    /// Bytes per row.
    pub(crate) fn stride(&self) -> usize {
        self.stride
    }

    /// Makes the dot at (x, y) black; dots outside the bitmap are ignored, so glyphs that
    /// overhang by a rounding error need no special care.
    pub(crate) fn set(&mut self, x: i64, y: i64) {
        if x < 0 || y < 0 || x >= i64::from(self.width) || y >= i64::from(self.height) {
            return;
        }
        let (x, y) = (x as usize, y as usize);
        if let Some(b) = self.bits.get_mut(y * self.stride + x / 8) {
            *b |= 0x80 >> (x % 8);
        }
    }

    pub(crate) fn get(&self, x: u32, y: u32) -> bool {
        if x >= self.width || y >= self.height {
            return false;
        }
        let (x, y) = (x as usize, y as usize);
        self.bits
            .get(y * self.stride + x / 8)
            .is_some_and(|b| b & (0x80 >> (x % 8)) != 0)
    }

    /// Flips every dot of the rectangle: black text on white becomes white text on black.
    pub(crate) fn invert_rect(&mut self, x0: u32, y0: u32, w: u32, h: u32) {
        for y in y0..(y0 + h).min(self.height) {
            for x in x0..(x0 + w).min(self.width) {
                let (xu, yu) = (x as usize, y as usize);
                if let Some(b) = self.bits.get_mut(yu * self.stride + xu / 8) {
                    *b ^= 0x80 >> (xu % 8);
                }
            }
        }
    }

    /// Copies the black dots of `src` onto this bitmap with `src`'s top-left corner at (x, y).
    pub(crate) fn blit(&mut self, src: &Bitmap, x: i64, y: i64) {
        for sy in 0..src.height {
            for sx in 0..src.width {
                if src.get(sx, sy) {
                    self.set(x + i64::from(sx), y + i64::from(sy));
                }
            }
        }
    }

    /// Rows `from..to` as raw `GS v 0` data.
    pub(crate) fn rows(&self, from: u32, to: u32) -> &[u8] {
        let start = from as usize * self.stride;
        let end = (to.min(self.height) as usize) * self.stride;
        self.bits.get(start..end).unwrap_or(&[])
    }

    /// The first and one-past-last rows with any black dot, or `None` for a blank bitmap.
    pub(crate) fn ink_rows(&self) -> Option<(u32, u32)> {
        let blank = |y: &u32| self.rows(*y, *y + 1).iter().all(|&b| b == 0);
        let top = (0..self.height).find(|y| !blank(y))?;
        let bottom = (0..self.height).rev().find(|y| !blank(y))?;
        Some((top, bottom + 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dots_are_packed_most_significant_bit_first_as_gs_v_0_wants() {
        let mut b = Bitmap::new(10, 2);
        b.set(0, 0);
        b.set(9, 1);
        assert_eq!(b.stride(), 2);
        assert_eq!(b.rows(0, 2), [0x80, 0x00, 0x00, 0x40]);
        assert!(b.get(9, 1) && !b.get(8, 1));
    }

    #[test]
    fn ink_rows_skip_blank_margins() {
        let mut b = Bitmap::new(8, 10);
        b.set(3, 4);
        b.set(3, 6);
        assert_eq!(b.ink_rows(), Some((4, 7)));
        assert_eq!(Bitmap::new(8, 3).ink_rows(), None);
    }

    #[test]
    fn drawing_outside_the_bitmap_is_ignored() {
        let mut b = Bitmap::new(4, 4);
        b.set(-1, 0);
        b.set(4, 0);
        b.set(0, 99);
        assert_eq!(b.ink_rows(), None);
    }
}
