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

/// Kills the child when the test ends, passed or failed.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_fake_printer_writes_each_ticket_it_is_sent_and_says_paper_end_after_n_bytes() {
    use std::io::{BufRead, BufReader, Read, Write};
    let dir = tempfile::tempdir().expect("temp dir");
    let mut child = Command::new(BIN)
        .args([
            "fake",
            "--listen",
            "127.0.0.1:0",
            "--paper-out-after",
            "30000",
            "--out",
        ])
        .arg(dir.path())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run fake");
    let stderr = child.stderr.take().expect("stderr");
    let _child = Running(child);
    let mut lines = BufReader::new(stderr).lines();
    let mut next_line = || {
        lines
            .next()
            .expect("the fake printer said more")
            .expect("a line")
    };
    // "Máy in giả đang nghe ở tcp://127.0.0.1:PORT (…) / fake printer listening on …"
    let first = next_line();
    let addr = first
        .split("tcp://")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no address in {first:?}"))
        .to_owned();
    assert!(first.starts_with("Máy in giả"), "Vietnamese first: {first}");

    let ticket = motcua_printer::encode(
        &motcua_printer::TicketPrint::sample(),
        &motcua_printer::Layout::default(),
    )
    .expect("encode");
    assert!(ticket.len() < 30_000);
    let mut link = std::net::TcpStream::connect(&addr).expect("connect");
    link.write_all(&ticket).expect("send");
    link.write_all(&ticket).expect("send again");
    link.write_all(&[0x10, 0x04, 4]).expect("ask");
    let mut answer = [0u8; 1];
    link.read_exact(&mut answer).expect("an answer");
    assert_eq!(answer[0] & 0x60, 0x60, "paper end after 30000 bytes");

    loop {
        let line = next_line();
        if line.contains("DLE EOT 4") {
            break;
        }
    }
    assert_eq!(
        std::fs::read(dir.path().join("ticket-0001.bin")).expect("ticket written"),
        ticket
    );
    assert!(
        !dir.path().join("ticket-0002.bin").exists(),
        "the second tore"
    );
    assert_eq!(
        std::fs::read(dir.path().join("torn-0001.bin")).expect("torn piece written"),
        ticket[..30_000 - ticket.len()]
    );
}
