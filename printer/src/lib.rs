//! Printed tickets: a ticket in, the ESC/POS byte stream out, and back again.
//!
//! A citizen's ticket (*phiếu*) goes to an 80 mm or 58 mm thermal printer. Printers' own code
//! pages break Vietnamese (CP1258 writes many letters as base letter + combining tone mark, which
//! printers put in separate cells, and vendors number the page differently), so by default every
//! line is drawn here with the bundled Noto Sans into a 1-bit raster (`GS v 0`) and printed as a
//! picture. Two text modes stay available for printers that are known to cope: a configured code
//! page, and plain ASCII without diacritics for the cheapest printers.
//!
//! - [`encode`] turns a [`TicketPrint`] into the exact bytes to send, for a [`Layout`].
//! - `render` (the `render` feature, on by default) reads such bytes back into the picture a
//!   printer would print, so previews and tests look at what the bytes say rather than at a
//!   second drawing of the ticket.
//! - [`status`] speaks the real-time status queries (`DLE EOT`) of a two-way link.
//! - [`protocol`] is what a print agent and the hall's server say to each other; [`reason`]
//!   the one list of why a ticket did not print.
//! - [`worker`] prints one printer's jobs in turn, each confirmed by the printer, waiting
//!   out its passing trouble; [`journal`] is what an agent remembers of them.
//! - [`encode_slip`] is the [`PairingSlip`] an agent with no token prints, and [`pairing`]
//!   how it asks for that code and keeps the token it is given.
//!
//! Encoding knows nothing of HTTP or the database and carries no bytes to a printer: the
//! transports do. The print agent is the crate's one client of the hall server (its
//! WebSocket, and the pairing's two HTTP requests).

pub mod agent;
mod bitmap;
#[cfg(feature = "render")]
mod decode;
mod encode;
mod error;
pub mod fake;
mod font;
pub mod journal;
pub mod pairing;
pub mod protocol;
mod raster;
pub mod reason;
mod slip;
pub mod status;
mod text;
mod ticket;
pub mod transport;
pub mod worker;

#[cfg(feature = "render")]
pub use decode::render;
pub use encode::{encode, encode_slip};
pub use error::{DecodeError, PrintError};
pub use reason::Reason;
pub use slip::PairingSlip;
pub use text::{ascii_fold, encode_cp1258};
pub use ticket::{Layout, Paper, QrMode, TextMode, TicketPrint, UnknownPaper};
