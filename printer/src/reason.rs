//! Why a ticket did not print, or has not printed yet: one list, shared by the print agent, the
//! hall's server, the kiosk's texts and the README (a test holds the four together).
//!
//! Most reasons are a printer's passing trouble: the job waits and is tried again until it
//! expires, and the kiosk shows "waiting for the printer" with the ticket on screen. A few
//! are final: the job fails at once.

use serde::{Deserialize, Serialize};

/// A short, stable code for a print job's trouble.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// The kiosk has no printer at all (no agent registered, no network printer set).
    NoPrinter,
    /// The kiosk's print agent is not connected now.
    PrinterAway,
    /// The roll is empty.
    PaperOut,
    /// The cover is open.
    CoverOpen,
    /// The printer reports an error of its own (cutter jam, head too hot).
    PrinterError,
    /// The printer says it is offline.
    PrinterOffline,
    /// The printer stopped answering or reading within its deadline.
    PrinterTimeout,
    /// Nothing answers at the printer's address (switched off, unplugged).
    PrinterUnreachable,
    /// The link to the printer broke.
    PrinterIoError,
    /// The printer's address in the settings is wrong.
    BadPrinterAddress,
    /// The ticket could not be drawn for this printer.
    RenderFailed,
    /// A crash came between sending the ticket and the printer's confirmation: it may or
    /// may not be on paper. Not sent again by itself; staff can reprint.
    PrintUncertain,
    /// Waited for the printer until the job's expiry, with no better word on why.
    Expired,
}

impl Reason {
    /// Every reason, in the order the README lists them.
    pub const ALL: [Reason; 13] = [
        Reason::NoPrinter,
        Reason::PrinterAway,
        Reason::PaperOut,
        Reason::CoverOpen,
        Reason::PrinterError,
        Reason::PrinterOffline,
        Reason::PrinterTimeout,
        Reason::PrinterUnreachable,
        Reason::PrinterIoError,
        Reason::BadPrinterAddress,
        Reason::RenderFailed,
        Reason::PrintUncertain,
        Reason::Expired,
    ];

    /// The code as it goes over the wire and into the job's record.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::NoPrinter => "no_printer",
            Reason::PrinterAway => "printer_away",
            Reason::PaperOut => "paper_out",
            Reason::CoverOpen => "cover_open",
            Reason::PrinterError => "printer_error",
            Reason::PrinterOffline => "printer_offline",
            Reason::PrinterTimeout => "printer_timeout",
            Reason::PrinterUnreachable => "printer_unreachable",
            Reason::PrinterIoError => "printer_io_error",
            Reason::BadPrinterAddress => "bad_printer_address",
            Reason::RenderFailed => "render_failed",
            Reason::PrintUncertain => "print_uncertain",
            Reason::Expired => "expired",
        }
    }

    /// Reads a code back (`None` for one this build does not know).
    pub fn parse(code: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.as_str() == code)
    }

    /// The printer may get over it: the job waits and is tried again until it expires.
    pub fn passes(self) -> bool {
        !matches!(
            self,
            Reason::NoPrinter
                | Reason::BadPrinterAddress
                | Reason::RenderFailed
                | Reason::PrintUncertain
                | Reason::Expired
        )
    }
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_reads_back_and_serialises_as_itself() {
        for reason in Reason::ALL {
            assert_eq!(Reason::parse(reason.as_str()), Some(reason));
            assert_eq!(
                serde_json::to_value(reason).unwrap(),
                serde_json::Value::String(reason.as_str().to_owned())
            );
        }
        assert_eq!(Reason::parse("printer_on_fire"), None);
    }
}
