//! The pairing slip: what a print agent with no token prints on its own paper, since a
//! printer has no screen to show a pairing code on. An admin types the six digits on the
//! admin page ("Quản trị › Thiết bị"), or scans the QR code, which opens that page with the
//! code filled in. Vietnamese first, English under it, as on the devices' screens.
//!
//! [`encode_slip`](crate::encode_slip) turns it into ESC/POS bytes in the same layouts as a
//! ticket (raster text by default, or the printer's own font).

use unicode_normalization::UnicodeNormalization;

/// What a pairing slip says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairingSlip {
    /// The six digits the server gave.
    pub code: String,
    /// What the QR code opens: the admin page's pairing with the code filled in.
    pub url: String,
    /// When the code lapses on the hall's clock (`09:42`), if the server said.
    pub valid_until: Option<String>,
    /// The hall server the agent asks, so the admin knows which hall's page to open.
    pub server: String,
}

/// The heading, in Vietnamese and in English.
pub(crate) const SLIP_HEADING: &str = "MÃ GHÉP NỐI MÁY IN";
pub(crate) const SLIP_HEADING_EN: &str = "Printer pairing code";
/// Where the code goes.
pub(crate) const SLIP_STEP: &str = "Nhập mã này ở trang Quản trị › Thiết bị";
pub(crate) const SLIP_STEP_EN: &str = "Enter this code on Admin › Devices";
/// The line under the QR code.
pub(crate) const SLIP_QR_CAPTION: &str =
    "Hoặc quét mã QR để mở trang ghép nối\nOr scan the QR code to open it";

impl PairingSlip {
    /// A realistic slip, for previews and tests.
    pub fn sample() -> PairingSlip {
        PairingSlip {
            code: "482193".to_owned(),
            url: "http://192.168.1.10:8080/admin/?pair=482193#devices".to_owned(),
            valid_until: Some("09:42".to_owned()),
            server: "http://192.168.1.10:8080".to_owned(),
        }
    }

    /// The code as a person reads it aloud: `482 193`.
    pub fn spaced_code(&self) -> String {
        let code = self.code.trim();
        match (code.get(..3), code.get(3..)) {
            (Some(head), Some(tail)) if code.len() == 6 => format!("{head} {tail}"),
            _ => code.to_owned(),
        }
    }

    /// "Mã dùng được đến 09:42" and "Valid until 09:42" under it, when the server said.
    pub(crate) fn valid_line(&self) -> Option<String> {
        self.valid_until
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(|t| format!("Mã dùng được đến {t}\nValid until {t}"))
    }

    /// "Máy chủ · Server: http://192.168.1.10:8080".
    pub(crate) fn server_line(&self) -> String {
        format!("Máy chủ · Server: {}", self.server.trim())
    }

    /// The slip with every string in NFC and trimmed, as [`TicketPrint`](crate::TicketPrint)'s.
    pub(crate) fn normalized(&self) -> PairingSlip {
        PairingSlip {
            code: self.code.trim().to_owned(),
            url: self.url.trim().to_owned(),
            valid_until: self
                .valid_until
                .as_deref()
                .map(|t| t.trim().nfc().collect()),
            server: self.server.trim().nfc().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slip() -> PairingSlip {
        PairingSlip::sample()
    }

    #[test]
    fn the_code_reads_in_two_groups_of_three() {
        assert_eq!(slip().spaced_code(), "482 193");
        let odd = PairingSlip {
            code: "12".to_owned(),
            ..slip()
        };
        assert_eq!(odd.spaced_code(), "12");
    }

    #[test]
    fn the_time_limit_is_printed_only_when_the_server_said_it() {
        assert_eq!(
            slip().valid_line().as_deref(),
            Some("Mã dùng được đến 09:42\nValid until 09:42")
        );
        let without = PairingSlip {
            valid_until: None,
            ..slip()
        };
        assert_eq!(without.valid_line(), None);
    }
}
