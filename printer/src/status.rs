//! Real-time printer status over a two-way link (network, serial, some USB): `DLE EOT n`.
//!
//! The agent sends [`queries`] before a job; the printer answers one byte per query at once,
//! even while busy or offline, which is what makes this the way to notice an empty roll before a
//! citizen waits for a ticket that never comes. Bit meanings follow Epson's ESC/POS reference:
//!
//! | query | bit | meaning when set |
//! |---|---|---|
//! | `DLE EOT 1` printer | 3 | offline |
//! | `DLE EOT 2` offline cause | 2 | cover open |
//! | | 3 | paper being fed by the feed button |
//! | | 5 | printing stopped: paper end |
//! | | 6 | an error occurred |
//! | `DLE EOT 4` roll paper sensor | 2, 3 | paper near end (both set by Epson; either is taken) |
//! | | 5, 6 | paper end: no paper (both set by Epson; either is taken) |
//!
//! In every answer bits 1 and 4 are 1 and bits 0 and 7 are 0; a byte that breaks this pattern is
//! not a status answer (an echo, line noise, a printer in another mode).

use crate::reason::Reason;
use serde::{Deserialize, Serialize};

const DLE: u8 = 0x10;
const EOT: u8 = 0x04;
/// The bits every status answer has: 0b0001_0010.
const FIXED_ONES: u8 = 0x12;
const FIXED_MASK: u8 = 0x93;

/// What a hall needs to know about its printer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PrinterStatus {
    /// The printer accepts and prints data.
    pub online: bool,
    /// The cover is open; nothing prints until it is closed.
    pub cover_open: bool,
    /// The roll is nearly used up; change it soon.
    pub paper_near_end: bool,
    /// No paper: nothing prints.
    pub paper_out: bool,
    /// The printer reports an error (cutter jam, head too hot, ...).
    pub error: bool,
}

impl PrinterStatus {
    /// Online, paper in, nothing wrong.
    pub fn ready() -> PrinterStatus {
        PrinterStatus {
            online: true,
            ..PrinterStatus::default()
        }
    }

    /// The roll ran out: the printer goes offline.
    pub fn paper_out() -> PrinterStatus {
        PrinterStatus {
            online: false,
            paper_near_end: true,
            paper_out: true,
            ..PrinterStatus::default()
        }
    }

    /// The roll is low but still prints.
    pub fn paper_near_end() -> PrinterStatus {
        PrinterStatus {
            paper_near_end: true,
            ..PrinterStatus::ready()
        }
    }

    /// Someone opened the cover: the printer goes offline.
    pub fn cover_open() -> PrinterStatus {
        PrinterStatus {
            online: false,
            cover_open: true,
            ..PrinterStatus::default()
        }
    }

    /// An error (cutter, head temperature): the printer goes offline.
    pub fn error() -> PrinterStatus {
        PrinterStatus {
            online: false,
            error: true,
            ..PrinterStatus::default()
        }
    }

    /// Why a ticket cannot be printed now, or `None` if it can.
    pub fn blocking_reason(&self) -> Option<Reason> {
        if self.paper_out {
            Some(Reason::PaperOut)
        } else if self.cover_open {
            Some(Reason::CoverOpen)
        } else if self.error {
            Some(Reason::PrinterError)
        } else if !self.online {
            Some(Reason::PrinterOffline)
        } else {
            None
        }
    }

    /// A ticket sent now would be printed.
    pub fn can_print(&self) -> bool {
        self.blocking_reason().is_none()
    }
}

/// What a print agent tells the hall server of its printer: the status when the printer
/// answered, or why it could not be asked. The same JSON on both sides of `/ws/printer`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub online: bool,
    #[serde(default)]
    pub cover_open: bool,
    #[serde(default)]
    pub paper_near_end: bool,
    #[serde(default)]
    pub paper_out: bool,
    /// `printer_error`, or why the printer could not be reached (`printer_timeout`, ...).
    #[serde(default)]
    pub error: Option<String>,
}

impl Report {
    /// What the printer said.
    pub fn of(status: &PrinterStatus) -> Report {
        Report {
            online: status.online,
            cover_open: status.cover_open,
            paper_near_end: status.paper_near_end,
            paper_out: status.paper_out,
            error: status.error.then(|| "printer_error".to_owned()),
        }
    }

    /// A one-way link (a USB device file) opened: that is all it can say.
    pub fn one_way() -> Report {
        Report {
            online: true,
            ..Report::default()
        }
    }

    /// The printer could not be asked.
    pub fn unreachable(reason: Reason) -> Report {
        Report {
            error: Some(reason.as_str().to_owned()),
            ..Report::default()
        }
    }

    /// Why a ticket cannot be printed now, if it cannot (as [`PrinterStatus::blocking_reason`];
    /// a printer that could not be asked gives the reason it could not).
    pub fn blocking_reason(&self) -> Option<Reason> {
        if let Some(reason) = self.error.as_deref().and_then(Reason::parse) {
            return Some(reason);
        }
        PrinterStatus {
            online: self.online,
            cover_open: self.cover_open,
            paper_near_end: self.paper_near_end,
            paper_out: self.paper_out,
            error: self.error.is_some(),
        }
        .blocking_reason()
    }
}

/// Which answer broke the status pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "the answer to DLE EOT {query} is 0x{byte:02x}, which is not a status byte (0xx1xx10 expected)"
)]
pub struct StatusError {
    /// The query (`n` of `DLE EOT n`) whose answer is wrong.
    pub query: u8,
    /// The byte received.
    pub byte: u8,
}

/// The three queries, in order: printer status (`DLE EOT 1`), offline cause (`DLE EOT 2`), roll
/// paper sensor (`DLE EOT 4`). Send each and read its one-byte answer before the next: a
/// printer answers at once, even while busy or offline.
pub fn queries() -> [[u8; 3]; 3] {
    [[DLE, EOT, 1], [DLE, EOT, 2], [DLE, EOT, 4]]
}

/// Reads the three answers to [`queries`], in order.
///
/// An answer without the fixed bits of a status byte (an echo, line noise, a printer in
/// another mode) reads as "offline, error": whatever answered cannot be trusted to print. Use
/// [`try_parse`] to tell that case apart.
pub fn parse(responses: [u8; 3]) -> PrinterStatus {
    try_parse(responses).unwrap_or(PrinterStatus {
        online: false,
        error: true,
        ..PrinterStatus::default()
    })
}

/// Reads the three answers to [`queries`], in order, refusing anything that is not a status byte.
///
/// # Errors
/// [`StatusError`] naming the first answer without the fixed bits of a status byte.
pub fn try_parse(responses: [u8; 3]) -> Result<PrinterStatus, StatusError> {
    for (byte, query) in responses.into_iter().zip([1, 2, 4]) {
        if byte & FIXED_MASK != FIXED_ONES {
            return Err(StatusError { query, byte });
        }
    }
    let [printer, offline, paper] = responses;
    let bit = |b: u8, n: u8| b & (1 << n) != 0;
    Ok(PrinterStatus {
        online: !bit(printer, 3),
        cover_open: bit(offline, 2),
        paper_near_end: bit(paper, 2) || bit(paper, 3),
        paper_out: bit(paper, 5) || bit(paper, 6) || bit(offline, 5),
        error: bit(offline, 6),
    })
}

/// The byte a printer in `status` answers to `DLE EOT query`, with the bits set as an Epson
/// printer sets them. For fake printers in tests. Queries this module does not ask (3, error
/// cause) are answered with nothing to report.
pub fn respond(query: u8, status: &PrinterStatus) -> u8 {
    let flag = |on: bool, bits: u8| if on { bits } else { 0 };
    FIXED_ONES
        | match query {
            1 => flag(!status.online, 1 << 3),
            2 => {
                flag(status.cover_open, 1 << 2)
                    | flag(status.paper_out, 1 << 5)
                    | flag(status.error, 1 << 6)
            }
            4 => flag(status.paper_near_end, 0b1100) | flag(status.paper_out, 0b110_0000),
            _ => 0,
        }
}

/// The answers to all of [`queries`], in order.
pub fn answers(status: &PrinterStatus) -> [u8; 3] {
    queries().map(|[_, _, n]| respond(n, status))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_condition_survives_respond_then_parse() {
        for status in [
            PrinterStatus::ready(),
            PrinterStatus::paper_out(),
            PrinterStatus::paper_near_end(),
            PrinterStatus::cover_open(),
            PrinterStatus::error(),
        ] {
            assert_eq!(try_parse(answers(&status)), Ok(status), "{status:?}");
            assert_eq!(parse(answers(&status)), status, "{status:?}");
        }
    }

    #[test]
    fn only_a_ready_printer_or_one_low_on_paper_can_print() {
        assert!(PrinterStatus::ready().can_print());
        assert!(PrinterStatus::paper_near_end().can_print());
        assert!(!PrinterStatus::paper_out().can_print());
        assert!(!PrinterStatus::cover_open().can_print());
        assert!(!PrinterStatus::error().can_print());
    }

    #[test]
    fn epson_answers_read_as_the_manual_says() {
        // TM-T20 with an empty roll: offline, "paper end" stop, both paper-end sensor bits.
        assert_eq!(
            try_parse([0x1E, 0x32, 0x7E]),
            Ok(PrinterStatus {
                online: false,
                cover_open: false,
                paper_near_end: true,
                paper_out: true,
                error: false
            })
        );
        // Idle and fine.
        assert_eq!(parse([0x12, 0x12, 0x12]), PrinterStatus::ready());
    }

    #[test]
    fn a_byte_without_the_fixed_bits_is_no_status_and_reads_as_an_error() {
        assert_eq!(
            try_parse([0x12, 0x00, 0x12]),
            Err(StatusError {
                query: 2,
                byte: 0x00
            })
        );
        assert_eq!(
            try_parse([0xFF, 0x12, 0x12]),
            Err(StatusError {
                query: 1,
                byte: 0xFF
            })
        );
        let garbled = parse([0x12, 0x00, 0x12]);
        assert!(!garbled.online && garbled.error && !garbled.can_print());
    }

    #[test]
    fn the_queries_are_dle_eot_1_2_and_4() {
        assert_eq!(
            queries(),
            [[0x10, 0x04, 1], [0x10, 0x04, 2], [0x10, 0x04, 4]]
        );
    }
}
