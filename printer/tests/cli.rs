//! The `motcua-printer` command line: a sample ticket's bytes, drawn back as a picture.

// The helpers outside the #[test] functions assert too.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_motcua-printer");

#[test]
fn sample_then_render_draws_the_ticket_from_its_own_bytes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bin = dir.path().join("ticket.bin");
    let png = dir.path().join("ticket.png");
    let url = "http://192.168.1.10:8080/t/0123456789abcdef0123456789abcdef";
    let out = Command::new(BIN)
        .args([
            "sample",
            "--paper",
            "58",
            "--field",
            "Lao động – Thương binh và Xã hội",
            "--code",
            "C123",
            "--url",
            url,
            "--out",
        ])
        .arg(&bin)
        .output()
        .expect("run sample");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(&bin).expect("bytes written");
    assert_eq!(
        &bytes[..2],
        &[0x1b, 0x40],
        "starts by initialising the printer"
    );

    let out = Command::new(BIN)
        .args(["render", "--paper", "58", "--out"])
        .arg(&png)
        .arg(&bin)
        .output()
        .expect("run render");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let image = image::open(&png).expect("a PNG").to_luma8();
    assert_eq!(image.width(), 384);
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(
        image.width() as usize,
        image.height() as usize,
        |x, y| image.get_pixel(x as u32, y as u32).0[0],
    );
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1);
    assert_eq!(grids[0].decode().expect("decodes").1, url);
}

#[test]
fn a_bad_layout_word_is_refused_with_the_option_that_holds_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = Command::new(BIN)
        .args(["sample", "--paper", "76", "--out"])
        .arg(dir.path().join("x.bin"))
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--paper"));
}
