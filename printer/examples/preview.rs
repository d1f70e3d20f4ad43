//! Writes the sample ticket, decoded back from its own bytes, as PNGs to look at:
//! `cargo run -p motcua-printer --example preview [-- OUT_DIR]` writes `ticket80.png`,
//! `ticket58.png` and the text-mode variants to OUT_DIR (default `/tmp`), and the print
//! agent's pairing slip (`slip80.png`, `slip58.png`, `slip58-ascii.png`).

// An example prints what it made.
#![allow(clippy::print_stdout, clippy::print_stderr, clippy::expect_used)]

use motcua_printer::{
    Layout, PairingSlip, Paper, QrMode, TextMode, TicketPrint, encode, encode_slip, render,
};
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "/tmp".to_owned()));
    let ticket = TicketPrint::sample();
    let variants = [
        ("ticket80", Layout::for_paper(Paper::Mm80)),
        ("ticket58", Layout::for_paper(Paper::Mm58)),
        (
            "ticket80-native-qr",
            Layout {
                qr: QrMode::Native,
                ..Layout::default()
            },
        ),
        (
            "ticket80-cp1258",
            Layout {
                text: TextMode::CodePage { page: 52 },
                ..Layout::default()
            },
        ),
        (
            "ticket58-ascii",
            Layout {
                paper: Paper::Mm58,
                text: TextMode::Ascii,
                qr: QrMode::Raster,
            },
        ),
    ];
    for (name, layout) in variants {
        let bytes = encode(&ticket, &layout)?;
        let image = render(&bytes, layout.paper)?;
        let path = dir.join(format!("{name}.png"));
        image.save(&path)?;
        println!(
            "{}: {} bytes, {}×{} dots",
            path.display(),
            bytes.len(),
            image.width(),
            image.height()
        );
    }
    // Every field at its longest, on the narrow paper.
    let crowded = TicketPrint {
        hall: "Trung tâm Phục vụ hành chính công\nUBND phường Nghĩa Đô, quận Cầu Giấy, thành phố Hà Nội"
            .to_owned(),
        service: "Chứng thực bản sao, chữ ký – Hộ tịch – Đất đai và Xây dựng".to_owned(),
        code: "B1023".to_owned(),
        priority: Some("Người khuyết tật, phụ nữ mang thai".to_owned()),
        ahead: 142,
        eta_minutes: 185,
        ..TicketPrint::sample()
    };
    let layout = Layout::for_paper(Paper::Mm58);
    let path = dir.join("ticket58-crowded.png");
    render(&encode(&crowded, &layout)?, layout.paper)?.save(&path)?;
    println!("{}", path.display());
    // The pairing slip of an agent with no token.
    let slip = PairingSlip::sample();
    for (name, layout) in [
        ("slip80", Layout::default()),
        ("slip58", Layout::for_paper(Paper::Mm58)),
        (
            "slip58-ascii",
            Layout {
                paper: Paper::Mm58,
                text: TextMode::Ascii,
                qr: QrMode::Raster,
            },
        ),
    ] {
        let path = dir.join(format!("{name}.png"));
        render(&encode_slip(&slip, &layout)?, layout.paper)?.save(&path)?;
        println!("{}", path.display());
    }
    Ok(())
}
