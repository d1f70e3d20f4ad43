//! Where each ESC/POS command ends, for the fake printer: a stream cut into paper bytes,
//! real-time status queries and cuts.
//!
//! A printer answers `DLE EOT n` only where a command starts: inside the data of a raster
//! block (`GS v 0`), a bit image (`ESC *`), a 2D code (`GS ( k`) or a barcode, the bytes
//! 0x10 0x04 are ink, not a question. So the fake reads commands by their lengths, as a
//! printer's parser does. The set covers what [`encode`](fn@crate::encode) sends and the
//! common commands around it (what the decoder in `render` knows, and the usual others);
//! an unknown command is taken as its first byte alone, which is what a printer that ignores
//! it would do, so the stream is never lost track of for longer than that byte.

const ESC: u8 = 0x1B;
const GS: u8 = 0x1D;
const FS: u8 = 0x1C;
const DLE: u8 = 0x10;
const EOT: u8 = 0x04;
const NUL: u8 = 0x00;

/// One piece of a stream, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Piece {
    /// Bytes that go to the paper (commands and their data, text).
    Paper(Vec<u8>),
    /// `DLE EOT n`: answer at once with one status byte.
    Query(u8),
    /// The cut command whose bytes were the last `Paper` piece is complete.
    Cut,
}

/// What the bytes of a command seen so far tell of its length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Length {
    /// More bytes are needed to know.
    More,
    /// `DLE EOT n` with n = 1-4, all of it.
    Query(u8),
    /// The command is `total` bytes long, data included; `cut` if it cuts the paper.
    Command { total: usize, cut: bool },
}

fn command(total: usize) -> Length {
    Length::Command { total, cut: false }
}

fn le16(lo: u8, hi: u8) -> usize {
    usize::from(u16::from_le_bytes([lo, hi]))
}

/// The length of the command whose first bytes are `head` (at least one byte).
fn length(head: &[u8]) -> Length {
    match head {
        [] | [ESC | GS | FS | DLE] => Length::More,
        [DLE, op, rest @ ..] => dle(*op, rest),
        [ESC, op, rest @ ..] => esc(*op, rest),
        [GS, op, rest @ ..] => gs(*op, rest),
        [FS, op, rest @ ..] => fs(*op, rest),
        // Text, LF, CR, HT, CAN and every other single byte.
        _ => command(1),
    }
}

/// `need` bytes after the two of the command's name before its length is known.
fn after(rest: &[u8], need: usize, then: impl FnOnce(&[u8]) -> Length) -> Length {
    if rest.len() < need {
        Length::More
    } else {
        then(rest)
    }
}

fn dle(op: u8, rest: &[u8]) -> Length {
    match op {
        EOT => after(rest, 1, |r| match r {
            [n @ 1..=4, ..] => Length::Query(*n),
            // DLE EOT 7 a and DLE EOT 8 a (ink, maintenance counters) take one byte more.
            [7 | 8, ..] => command(4),
            _ => command(3),
        }),
        // DLE ENQ n: a real-time request without an answer.
        0x05 => command(3),
        // DLE DC4 fn a b: real-time functions (pulse, power off, clear the buffer).
        0x14 => command(5),
        _ => command(1),
    }
}

fn esc(op: u8, rest: &[u8]) -> Length {
    match op {
        // ESC i, ESC m: the older partial and full cut commands.
        b'i' | b'm' => Length::Command {
            total: 2,
            cut: true,
        },
        b'@' | b'2' | b'<' | b'S' | b'L' | 0x0C => command(2),
        b'a' | b'E' | b'G' | b'-' | b'!' | b'M' | b't' | b'R' | b'd' | b'J' | b'3' | b'='
        | b' ' | b'%' | b'?' | b'U' | b'{' | b'V' | b'r' | b'K' | b'e' | b'T' | b'I' => command(3),
        b'$' | b'\\' => command(4),
        b'c' | b'u' => command(4),
        b'p' => command(5),
        // ESC W xL xH yL yH dxL dxH dyL dyH: the print area in page mode.
        b'W' => command(10),
        // ESC * m nL nH d1...dk: a bit image, 3 bytes a column in the 24-dot modes.
        b'*' => after(rest, 3, |r| match r {
            [m, lo, hi, ..] => {
                let columns = le16(*lo, *hi);
                let per_column = if matches!(m, 32 | 33) { 3 } else { 1 };
                command(5 + columns * per_column)
            }
            _ => command(2),
        }),
        // ESC D n1...nk NUL: tab positions, at most 32.
        b'D' => match rest.iter().position(|&b| b == NUL) {
            Some(i) => command(2 + i + 1),
            None if rest.len() >= 33 => command(2 + rest.len()),
            None => Length::More,
        },
        // ESC ( A pL pH ... and the like: a parameter length.
        b'(' => after(rest, 3, |r| match r {
            [_, lo, hi, ..] => command(5 + le16(*lo, *hi)),
            _ => command(2),
        }),
        _ => command(2),
    }
}

fn gs(op: u8, rest: &[u8]) -> Length {
    match op {
        b'!' | b'B' | b'b' | b'H' | b'f' | b'h' | b'w' | b'a' | b'r' | b'I' | b'/' | b'E'
        | b'j' => command(3),
        b'P' | b'L' | b'W' | b'$' | b'\\' => command(4),
        // GS V m [n]: the cut; functions B, C and D feed n first.
        b'V' => after(rest, 1, |r| {
            let total = match r {
                [65 | 66 | 97 | 98 | 103 | 104, ..] => 4,
                _ => 3,
            };
            Length::Command { total, cut: true }
        }),
        // GS v 0 m xL xH yL yH d1...dk: a raster block, xL xH bytes a row, yL yH rows.
        b'v' => after(rest, 6, |r| match r {
            [b'0', _, xl, xh, yl, yh, ..] => command(8 + le16(*xl, *xh) * le16(*yl, *yh)),
            _ => command(2),
        }),
        // GS ( k pL pH ...: 2D codes and the other functions with a parameter length.
        b'(' => after(rest, 3, |r| match r {
            [_, lo, hi, ..] => command(5 + le16(*lo, *hi)),
            _ => command(2),
        }),
        // GS 8 L p1 p2 p3 p4 ...: graphics with a 32-bit length.
        b'8' => after(rest, 5, |r| match r {
            [_, p1, p2, p3, p4, ..] => {
                let len = u32::from_le_bytes([*p1, *p2, *p3, *p4]);
                command(7usize.saturating_add(usize::try_from(len).unwrap_or(usize::MAX)))
            }
            _ => command(2),
        }),
        // GS * x y d1...d(x*y*8): a downloaded bit image.
        b'*' => after(rest, 2, |r| match r {
            [x, y, ..] => command(4 + usize::from(*x) * usize::from(*y) * 8),
            _ => command(2),
        }),
        // GS k m ...: a barcode, NUL-terminated (m = 0-6) or with its length (m = 65-79).
        b'k' => after(rest, 1, |r| match r {
            [0..=6, data @ ..] => match data.iter().position(|&b| b == NUL) {
                Some(i) => command(3 + i + 1),
                // Barcodes hold at most 255 characters.
                None if data.len() >= 256 => command(3 + data.len()),
                None => Length::More,
            },
            [65..=79, n, ..] => command(4 + usize::from(*n)),
            [65..=79] => Length::More,
            _ => command(3),
        }),
        _ => command(2),
    }
}

fn fs(op: u8, rest: &[u8]) -> Length {
    match op {
        b'.' | b'&' => command(2),
        b'!' | b'C' | b'-' | b'W' | b'S' => command(3),
        b'p' => command(4),
        b'(' => after(rest, 3, |r| match r {
            [_, lo, hi, ..] => command(5 + le16(*lo, *hi)),
            _ => command(2),
        }),
        _ => command(2),
    }
}

/// Cuts a stream that arrives in chunks of any size into [`Piece`]s.
#[derive(Debug, Default)]
pub(crate) struct Scanner {
    /// The first bytes of a command whose length is not known yet.
    head: Vec<u8>,
    /// Data bytes of the current command still to come.
    data_left: usize,
    /// The current command is a cut: report it once its last byte is in.
    cut_pending: bool,
}

impl Scanner {
    /// Appends the pieces of `input` to `out`, adjacent paper bytes merged.
    pub(crate) fn push(&mut self, mut input: &[u8], out: &mut Vec<Piece>) {
        while !input.is_empty() {
            if self.data_left > 0 {
                let (data, rest) = input.split_at(self.data_left.min(input.len()));
                self.data_left -= data.len();
                input = rest;
                paper(out, data);
                if self.data_left == 0 && std::mem::take(&mut self.cut_pending) {
                    out.push(Piece::Cut);
                }
                continue;
            }
            let Some((&byte, rest)) = input.split_first() else {
                break;
            };
            input = rest;
            self.head.push(byte);
            match length(&self.head) {
                Length::More => {}
                Length::Query(n) => {
                    self.head.clear();
                    out.push(Piece::Query(n));
                }
                Length::Command { total, cut } => {
                    let mut head = std::mem::take(&mut self.head);
                    // An unknown command is its first bytes alone: the rest starts anew.
                    let again = if total < head.len() {
                        head.split_off(total)
                    } else {
                        Vec::new()
                    };
                    paper(out, &head);
                    self.data_left = total.saturating_sub(head.len());
                    if self.data_left == 0 {
                        if cut {
                            out.push(Piece::Cut);
                        }
                    } else {
                        self.cut_pending = cut;
                    }
                    if !again.is_empty() {
                        self.push(&again, out);
                    }
                }
            }
        }
    }
}

fn paper(out: &mut Vec<Piece>, bytes: &[u8]) {
    if bytes.is_empty() {
        return;
    }
    if let Some(Piece::Paper(last)) = out.last_mut() {
        last.extend_from_slice(bytes);
    } else {
        out.push(Piece::Paper(bytes.to_vec()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(chunks: &[&[u8]]) -> Vec<Piece> {
        let mut scanner = Scanner::default();
        let mut out = Vec::new();
        for chunk in chunks {
            scanner.push(chunk, &mut out);
        }
        out
    }

    #[test]
    fn a_query_inside_raster_data_is_ink_and_one_after_it_is_a_query() {
        // Two bytes a row, two rows, and the data holds DLE EOT 1.
        let raster = [GS, b'v', b'0', 0, 2, 0, 2, 0, DLE, EOT, 1, 0xFF];
        let mut stream = raster.to_vec();
        stream.extend([DLE, EOT, 4, GS, b'V', b'A', 3]);
        let expected = vec![
            Piece::Paper(raster.to_vec()),
            Piece::Query(4),
            Piece::Paper(vec![GS, b'V', b'A', 3]),
            Piece::Cut,
        ];
        assert_eq!(pieces(&[&stream]), expected);
        // Byte by byte, the same.
        let bytes: Vec<&[u8]> = stream.chunks(1).collect();
        assert_eq!(pieces(&bytes), expected);
    }

    #[test]
    fn qr_data_and_bit_images_are_skipped_by_their_lengths() {
        let qr = [GS, b'(', b'k', 6, 0, 49, 80, 48, DLE, EOT, 2];
        let image = [ESC, b'*', 33, 1, 0, DLE, EOT, 1];
        let mut stream = qr.to_vec();
        stream.extend(image);
        stream.extend([DLE, EOT, 2]);
        let mut all = qr.to_vec();
        all.extend(image);
        assert_eq!(pieces(&[&stream]), vec![Piece::Paper(all), Piece::Query(2)]);
    }

    #[test]
    fn an_unknown_command_does_not_swallow_the_next() {
        assert_eq!(
            pieces(&[&[DLE, ESC, b'@', DLE, EOT, 1]]),
            vec![Piece::Paper(vec![DLE, ESC, b'@']), Piece::Query(1)]
        );
    }

    #[test]
    fn the_old_cut_commands_are_cuts_too() {
        assert_eq!(
            pieces(&[b"A\n", &[GS, b'V', 0], &[ESC, b'i']]),
            vec![
                Piece::Paper(vec![b'A', b'\n', GS, b'V', 0]),
                Piece::Cut,
                Piece::Paper(vec![ESC, b'i']),
                Piece::Cut
            ]
        );
    }

    #[test]
    fn every_ticket_encode_sends_is_paper_to_its_cut_and_the_query_after_it_is_one() {
        use crate::{Layout, Paper, QrMode, TextMode, TicketPrint};
        let mut ticket = TicketPrint::sample();
        ticket.priority = Some("Người cao tuổi".to_owned());
        for paper in [Paper::Mm80, Paper::Mm58] {
            for text in [
                TextMode::Raster,
                TextMode::CodePage { page: 52 },
                TextMode::Ascii,
            ] {
                for qr in [QrMode::Raster, QrMode::Native] {
                    let layout = Layout { paper, text, qr };
                    let bytes = crate::encode(&ticket, &layout).expect("encode");
                    let mut stream = bytes.clone();
                    stream.extend([DLE, EOT, 4]);
                    assert_eq!(
                        pieces(&[&stream]),
                        vec![Piece::Paper(bytes), Piece::Cut, Piece::Query(4)],
                        "{layout:?}"
                    );
                }
            }
        }
    }
}
