//! The two ways this crate fails: building a ticket ([`PrintError`]) and reading a byte stream
//! back ([`DecodeError`]). Both name what went wrong in words a person at a kiosk PC can act on.

/// Why a ticket could not be turned into ESC/POS bytes.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PrintError {
    /// A field of the ticket cannot be printed as given (for example an empty ticket code).
    #[error("ticket field `{field}` cannot be printed: {reason}")]
    InvalidTicket {
        /// The [`TicketPrint`](crate::TicketPrint) field at fault.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The status URL does not fit in a QR code (far longer than any URL the server makes).
    #[error("the status URL does not fit in a QR code: {0}")]
    Qr(#[from] qrcode::types::QrError),
    /// The QR code would be wider than the paper even at the smallest module size a phone reads.
    #[error("the status URL is too long for a QR code readable on {paper} mm paper")]
    QrTooWide {
        /// Paper width in millimetres.
        paper: u32,
    },
    /// The bundled font could not be read; the build is broken, not the ticket.
    #[error("the bundled font could not be read: {0}")]
    Font(String),
    /// The ESC/POS command builder refused a command.
    #[error("building the ESC/POS commands failed: {0}")]
    Escpos(#[from] escpos::errors::PrinterError),
}

/// Why a byte stream could not be read back into a picture.
///
/// Offsets are byte positions in the stream given to [`render`](crate::render), so a hex dump
/// shows at once where a stream went wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// A command this decoder does not know (or a control byte that is no command at all).
    #[error("unknown command {command} at byte {offset}")]
    UnknownCommand {
        /// Where the command starts.
        offset: usize,
        /// The command's bytes, spelled like the ESC/POS manuals (`ESC 0x7f`).
        command: String,
    },
    /// The stream ends in the middle of a command.
    #[error("{command} at byte {offset} is cut short: the stream ends before its {needed} bytes")]
    Truncated {
        /// Where the command starts.
        offset: usize,
        /// The command's name.
        command: &'static str,
        /// How many bytes the command needs in all.
        needed: usize,
    },
    /// A known command with a parameter outside its range.
    #[error("{command} at byte {offset}: {reason}")]
    BadParameter {
        /// Where the command starts.
        offset: usize,
        /// The command's name.
        command: &'static str,
        /// What is wrong with the parameter.
        reason: String,
    },
    /// The paper would come out longer than any ticket; a stream of garbage feeds, most likely.
    #[error("the printout would be longer than {max_dots} dots at byte {offset}")]
    TooLong {
        /// Where the limit was crossed.
        offset: usize,
        /// The limit.
        max_dots: u32,
    },
    /// The bundled font could not be read; the build is broken, not the stream.
    #[error("the bundled font could not be read: {0}")]
    Font(String),
}
