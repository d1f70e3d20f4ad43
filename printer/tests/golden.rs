//! Golden byte streams: the exact bytes of the sample ticket, so any change to what reaches a
//! printer shows up in review as a changed file under `tests/golden/`.
//!
//! After a deliberate change, regenerate with
//! `UPDATE_GOLDEN=1 cargo test -p motcua-printer --test golden`, look at the tickets
//! (`cargo run -p motcua-printer --example preview`), and commit the new files with the change.

// The helpers outside the #[test] functions assert too.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use motcua_printer::{Layout, Paper, QrMode, TextMode, TicketPrint, encode};
use std::path::PathBuf;

fn check(name: &str, layout: Layout) {
    let actual = encode(&TicketPrint::sample(), &layout).expect("the sample ticket encodes");
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(format!("{name}.bin"));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &actual).expect("write golden");
        return;
    }
    let expected = std::fs::read(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_GOLDEN=1 creates it)", path.display()));
    if actual != expected {
        let saved = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}.actual.bin"));
        std::fs::write(&saved, &actual).expect("save actual");
        let first = actual
            .iter()
            .zip(&expected)
            .position(|(a, e)| a != e)
            .unwrap_or(actual.len().min(expected.len()));
        panic!(
            "{name}: the bytes changed (first difference at byte {first}; {} bytes now, {} before). \
             Actual bytes saved to {}. If the change is intended, rerun with UPDATE_GOLDEN=1.",
            actual.len(),
            expected.len(),
            saved.display()
        );
    }
}

#[test]
fn the_80_mm_raster_ticket_is_byte_for_byte_the_golden_one() {
    check("sample-80-raster", Layout::for_paper(Paper::Mm80));
}

#[test]
fn the_58_mm_raster_ticket_is_byte_for_byte_the_golden_one() {
    check("sample-58-raster", Layout::for_paper(Paper::Mm58));
}

#[test]
fn the_80_mm_ticket_with_the_printers_own_qr_code_is_byte_for_byte_the_golden_one() {
    check(
        "sample-80-native-qr",
        Layout {
            qr: QrMode::Native,
            ..Layout::default()
        },
    );
}

#[test]
fn the_80_mm_code_page_ticket_is_byte_for_byte_the_golden_one() {
    check(
        "sample-80-cp1258",
        Layout {
            text: TextMode::CodePage { page: 52 },
            qr: QrMode::Native,
            ..Layout::default()
        },
    );
}

#[test]
fn the_58_mm_ascii_ticket_is_byte_for_byte_the_golden_one() {
    check(
        "sample-58-ascii",
        Layout {
            paper: Paper::Mm58,
            text: TextMode::Ascii,
            qr: QrMode::Native,
        },
    );
}
