//! Tickets read back from their own bytes: what a citizen would hold in their hand.

// The helpers outside the #[test] functions assert too.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use image::GrayImage;
use motcua_printer::{
    DecodeError, Layout, PairingSlip, Paper, QrMode, TextMode, TicketPrint, encode, encode_cp1258,
    encode_slip, render,
};

const PAPERS: [Paper; 2] = [Paper::Mm80, Paper::Mm58];
const TEXT_MODES: [TextMode; 3] = [
    TextMode::Raster,
    TextMode::CodePage { page: 52 },
    TextMode::Ascii,
];
const QR_MODES: [QrMode; 2] = [QrMode::Raster, QrMode::Native];

fn printed(ticket: &TicketPrint, layout: Layout) -> GrayImage {
    let bytes = encode(ticket, &layout).expect("encode");
    render(&bytes, layout.paper).expect("render")
}

fn is_ink(image: &GrayImage, x: u32, y: u32) -> bool {
    image.get_pixel(x, y).0[0] < 128
}

fn row_has_ink(image: &GrayImage, y: u32) -> bool {
    (0..image.width()).any(|x| is_ink(image, x, y))
}

/// Every QR code a phone would find on the paper.
fn scan(image: &GrayImage) -> Vec<String> {
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(
        image.width() as usize,
        image.height() as usize,
        |x, y| image.get_pixel(x as u32, y as u32).0[0],
    );
    prepared
        .detect_grids()
        .into_iter()
        .filter_map(|grid| grid.decode().ok().map(|(_, content)| content))
        .collect()
}

#[test]
fn the_qr_code_on_every_printed_ticket_opens_the_tickets_status_page() {
    let ticket = TicketPrint::sample();
    for paper in PAPERS {
        for text in TEXT_MODES {
            for qr in QR_MODES {
                let image = printed(&ticket, Layout { paper, text, qr });
                assert_eq!(
                    scan(&image),
                    std::slice::from_ref(&ticket.url),
                    "{paper} mm, {text:?}, {qr:?}"
                );
            }
        }
    }
}

#[test]
fn a_long_status_url_still_scans_on_58_mm_paper() {
    let mut ticket = TicketPrint::sample();
    ticket.url = format!(
        "https://motcua.example.vn/t/20261125-A012?k={}",
        "7f3a9c2e".repeat(10)
    );
    for qr in QR_MODES {
        let image = printed(
            &ticket,
            Layout {
                paper: Paper::Mm58,
                qr,
                ..Layout::default()
            },
        );
        assert_eq!(scan(&image), std::slice::from_ref(&ticket.url), "{qr:?}");
    }
}

#[test]
fn the_field_name_is_printed_with_its_diacritics() {
    // Two tickets that differ only in the diacritics of the field name: the rows that differ are
    // where the field name is printed, and there the Vietnamese one has ink.
    let ticket = TicketPrint::sample();
    let mut plain = ticket.clone();
    plain.service = "Lao dong - Thuong binh va Xa hoi".to_owned();
    for paper in PAPERS {
        let layout = Layout::for_paper(paper);
        let (vi, ascii) = (printed(&ticket, layout), printed(&plain, layout));
        assert_eq!(
            vi.height(),
            ascii.height(),
            "{paper} mm: same number of lines"
        );
        let differing: Vec<u32> = (0..vi.height())
            .filter(|&y| (0..vi.width()).any(|x| is_ink(&vi, x, y) != is_ink(&ascii, x, y)))
            .collect();
        let (Some(&first), Some(&last)) = (differing.first(), differing.last()) else {
            panic!("{paper} mm: the field name prints the same with and without diacritics");
        };
        let band = last - first + 1;
        // Two lines of bold text, not a stray dot and not the whole ticket.
        assert!(
            (40..=160).contains(&band),
            "{paper} mm: field rows {first}..={last}"
        );
        let inked = (first..=last).filter(|&y| row_has_ink(&vi, y)).count() as u32;
        assert!(
            inked * 10 >= band * 7,
            "{paper} mm: only {inked} of {band} field rows have ink"
        );
        // The field name sits between the big number and the QR code, across most of the width.
        assert!(
            first > vi.height() / 5 && last < vi.height() / 2,
            "{paper} mm: {first}..={last} of {}",
            vi.height()
        );
        let columns = (0..vi.width())
            .filter(|&x| (first..=last).any(|y| is_ink(&vi, x, y)))
            .count() as u32;
        assert!(
            columns * 2 > vi.width(),
            "{paper} mm: the field name spans only {columns} dots"
        );
    }
}

#[test]
fn every_line_of_the_raster_ticket_has_ink_and_the_ticket_is_not_mostly_blank() {
    for paper in PAPERS {
        let image = printed(&TicketPrint::sample(), Layout::for_paper(paper));
        let ink = image.pixels().filter(|p| p.0[0] < 128).count() as f64;
        let share = ink / f64::from(image.width() * image.height());
        assert!(
            (0.05..0.40).contains(&share),
            "{paper} mm: {:.1}% ink",
            share * 100.0
        );
        // Runs of inked rows: hall, rule, heading, number, 2 field lines, priority, 3 info
        // lines, QR, caption, footer. Fewer means a line went missing.
        let mut runs = 0;
        let mut inside = false;
        for y in 0..image.height() {
            let has = row_has_ink(&image, y);
            if has && !inside {
                runs += 1;
            }
            inside = has;
        }
        assert!(runs >= 13, "{paper} mm: {runs} printed lines");
        // Nothing runs off the paper: the outer columns stay white.
        let edge = |x: u32| {
            (0..image.height())
                .filter(|&y| is_ink(&image, x, y))
                .count()
        };
        assert_eq!(edge(0) + edge(image.width() - 1), 0, "{paper} mm");
    }
}

#[test]
fn an_80_mm_raster_ticket_fits_in_24_kb() {
    let bytes = encode(&TicketPrint::sample(), &Layout::default()).expect("encode");
    assert!(bytes.len() < 24 * 1024, "{} bytes", bytes.len());
}

#[test]
fn raster_blocks_are_at_most_256_rows() {
    let bytes = encode(&TicketPrint::sample(), &Layout::default()).expect("encode");
    let mut blocks = 0;
    for i in 0..bytes.len().saturating_sub(8) {
        if bytes[i..i + 3] == [0x1D, b'v', b'0'] {
            let rows = u16::from_le_bytes([bytes[i + 6], bytes[i + 7]]);
            assert!(rows <= 256, "a block of {rows} rows at byte {i}");
            blocks += 1;
        }
    }
    assert!(blocks > 5);
}

#[test]
fn the_ascii_ticket_is_plain_ascii_without_diacritics() {
    let layout = Layout {
        text: TextMode::Ascii,
        qr: QrMode::Native,
        ..Layout::default()
    };
    let bytes = encode(&TicketPrint::sample(), &layout).expect("encode");
    assert!(bytes.iter().all(|&b| b < 0x80), "a byte >= 0x80");
    let text = String::from_utf8_lossy(&bytes);
    for expected in [
        "Lao dong - Thuong binh va Xa hoi",
        "SO THU TU",
        "Nguoi cao tuoi",
        "So nguoi duoc goi truoc ban: 7",
        "khoang 25 phut",
    ] {
        assert!(text.contains(expected), "{expected:?} missing");
    }
}

#[test]
fn the_code_page_ticket_selects_its_page_and_writes_windows_1258() {
    for page in [52, 27, 94] {
        let layout = Layout {
            text: TextMode::CodePage { page },
            ..Layout::default()
        };
        let bytes = encode(&TicketPrint::sample(), &layout).expect("encode");
        assert_eq!(bytes[..5], [0x1B, b'@', 0x1B, b't', page]);
        let field = encode_cp1258("Lao động – Thương binh và Xã hội");
        assert!(
            bytes.windows(field.len()).any(|w| w == field),
            "page {page}: field name not in CP1258"
        );
    }
}

#[test]
fn a_ticket_without_priority_prints_no_black_box() {
    let mut ticket = TicketPrint::sample();
    ticket.priority = None;
    let with = printed(&TicketPrint::sample(), Layout::default());
    let without = printed(&ticket, Layout::default());
    assert!(without.height() + 30 < with.height());
    // The priority box is the only place with a fully black run of 100+ dots outside the QR code
    // and the number; a ticket without priority has fewer such rows.
    let solid = |img: &GrayImage| {
        (0..img.height())
            .filter(|&y| {
                let mut run = 0;
                (0..img.width()).any(|x| {
                    run = if is_ink(img, x, y) { run + 1 } else { 0 };
                    run >= 200
                })
            })
            .count()
    };
    assert!(solid(&with) > solid(&without));
}

#[test]
fn garbage_is_an_error_with_an_offset_never_a_panic() {
    assert!(matches!(
        render(b"\x1b@\x1b\xfftext", Paper::Mm80),
        Err(DecodeError::UnknownCommand { offset: 2, .. })
    ));
    assert!(matches!(
        render(b"\x1d(k\x05\x00\x32", Paper::Mm80),
        Err(DecodeError::Truncated { offset: 0, .. })
    ));
    assert!(matches!(
        render(b"\x01", Paper::Mm58),
        Err(DecodeError::UnknownCommand { offset: 0, .. })
    ));
}

#[test]
fn random_and_corrupted_streams_never_panic() {
    // A small deterministic generator: the same streams on every run.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..300 {
        let len = (next() % 600) as usize;
        let bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        let _ = render(&bytes, Paper::Mm58);
    }
    let sample = encode(
        &TicketPrint::sample(),
        &Layout {
            qr: QrMode::Native,
            ..Layout::for_paper(Paper::Mm58)
        },
    )
    .expect("encode");
    for _ in 0..60 {
        let mut bytes = sample.clone();
        for _ in 0..4 {
            let i = (next() as usize) % bytes.len();
            bytes[i] = next() as u8;
        }
        let cut = (next() as usize) % bytes.len();
        let _ = render(&bytes, Paper::Mm58);
        let _ = render(&bytes[..cut], Paper::Mm58);
    }
}

#[test]
fn layout_and_ticket_travel_as_json() {
    let layout = Layout {
        paper: Paper::Mm58,
        text: TextMode::CodePage { page: 27 },
        qr: QrMode::Native,
    };
    let json = serde_json::to_string(&layout).expect("json");
    assert_eq!(
        json,
        r#"{"paper":"58","text":{"kind":"code_page","page":27},"qr":"native"}"#
    );
    assert_eq!(serde_json::from_str::<Layout>(&json).expect("back"), layout);
    assert_eq!(
        serde_json::from_str::<Layout>("{}").expect("defaults"),
        Layout::default()
    );
    let ticket = TicketPrint::sample();
    let back: TicketPrint =
        serde_json::from_str(&serde_json::to_string(&ticket).expect("json")).expect("back");
    assert_eq!(back, ticket);
}

/// A ticket with every field at its longest: a five-character number, a two-line hall name, a
/// long priority label, a field name of three phrases, a wait of hours.
fn crowded() -> TicketPrint {
    TicketPrint {
        hall: "Trung tâm Phục vụ hành chính công\nUBND phường Nghĩa Đô, quận Cầu Giấy, thành phố Hà Nội"
            .to_owned(),
        service: "Chứng thực bản sao, chữ ký – Hộ tịch – Đất đai và Xây dựng".to_owned(),
        code: "B1023".to_owned(),
        priority: Some("Người khuyết tật, phụ nữ mang thai".to_owned()),
        ahead: 142,
        eta_minutes: 185,
        counters: (1..=14).collect(),
        ..TicketPrint::sample()
    }
}

#[test]
fn a_crowded_ticket_stays_on_the_paper_and_still_scans() {
    let ticket = crowded();
    for paper in PAPERS {
        for text in TEXT_MODES {
            let image = printed(
                &ticket,
                Layout {
                    paper,
                    text,
                    qr: QrMode::Raster,
                },
            );
            let edge = |x: u32| {
                (0..image.height())
                    .filter(|&y| is_ink(&image, x, y))
                    .count()
            };
            // The printer's own font is centred in the same width as the raster.
            assert_eq!(edge(0) + edge(image.width() - 1), 0, "{paper} mm {text:?}");
            assert_eq!(
                scan(&image),
                std::slice::from_ref(&ticket.url),
                "{paper} mm {text:?}"
            );
        }
    }
}

#[test]
fn a_wait_of_zero_minutes_reads_as_next_in_line() {
    let mut ticket = TicketPrint::sample();
    ticket.eta_minutes = 0;
    let bytes = encode(
        &ticket,
        &Layout {
            text: TextMode::Ascii,
            qr: QrMode::Native,
            ..Layout::default()
        },
    )
    .expect("encode");
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("sap den luot") && !text.contains("0 phut"));
}

#[test]
fn the_ticket_names_the_counters_that_serve_its_field_and_none_when_the_hall_named_none() {
    let layout = Layout {
        text: TextMode::Ascii,
        qr: QrMode::Native,
        ..Layout::default()
    };
    let text = |ticket: &TicketPrint| {
        String::from_utf8_lossy(&encode(ticket, &layout).expect("encode")).into_owned()
    };
    let sample = TicketPrint::sample();
    assert_eq!(sample.counters, vec![1, 3]);
    assert!(
        text(&sample).contains("Quay phuc vu: 1, 3"),
        "{}",
        text(&sample)
    );
    let none = TicketPrint {
        counters: Vec::new(),
        ..TicketPrint::sample()
    };
    assert!(!text(&none).contains("Quay phuc vu"), "{}", text(&none));
    // A job from an older hall has no `counters`: it still reads, with none.
    let mut json = serde_json::to_value(TicketPrint::sample()).expect("json");
    json.as_object_mut().expect("object").remove("counters");
    let old: TicketPrint = serde_json::from_value(json).expect("an older job reads");
    assert!(old.counters.is_empty());
}

/// White kept on each side of the paper, in dots (8 per mm): 4 mm on 80 mm, so a 512-dot
/// printer prints the ticket whole; 3 mm on 58 mm, so a 42 mm (336-dot) one does.
fn margin(paper: Paper) -> u32 {
    match paper {
        Paper::Mm80 => 32,
        Paper::Mm58 => 24,
    }
}

/// The crowded ticket with the widest codes a hall can give out (a prefix of up to four
/// letters or digits, a series up to 99999), codes typed by hand elsewhere (`LD-1234`), and a
/// footer with a word too long for any line.
fn widest() -> Vec<TicketPrint> {
    ["A001", "WWWW99999", "MMMM88888", "LD-1234", "W"]
        .into_iter()
        .map(|code| TicketPrint {
            code: code.to_owned(),
            footer: "Tổng đài hỗ trợ: 1900.1234.5678.9012.3456.7890.1234.5678.9012".to_owned(),
            ..crowded()
        })
        .collect()
}

/// Columns within `margin` dots of either edge that have ink.
fn inked_margin_columns(image: &GrayImage, margin: u32) -> Vec<u32> {
    let w = image.width();
    (0..margin)
        .chain(w - margin..w)
        .filter(|&x| (0..image.height()).any(|y| is_ink(image, x, y)))
        .collect()
}

#[test]
fn no_ink_reaches_the_margins_on_either_paper_in_any_text_mode() {
    let mut inked = Vec::new();
    for ticket in widest() {
        for paper in PAPERS {
            for (text, qr) in TEXT_MODES
                .into_iter()
                .flat_map(|t| QR_MODES.map(|q| (t, q)))
            {
                let image = printed(&ticket, Layout { paper, text, qr });
                let columns = inked_margin_columns(&image, margin(paper));
                if let (Some(first), Some(last)) = (columns.first(), columns.last()) {
                    inked.push(format!(
                        "{} on {paper} mm, {text:?}, {qr:?}: {} columns of {first}..={last} of {}",
                        ticket.code,
                        columns.len(),
                        image.width()
                    ));
                }
                assert_eq!(
                    scan(&image),
                    std::slice::from_ref(&ticket.url),
                    "{} on {paper} mm, {text:?}, {qr:?}: the QR code",
                    ticket.code
                );
            }
        }
    }
    assert!(
        inked.is_empty(),
        "ink in the margins:\n{}",
        inked.join("\n")
    );
}

#[test]
fn the_pairing_slip_scans_to_the_admin_pages_pairing_and_stays_off_the_margins_in_every_layout() {
    let slip = PairingSlip::sample();
    for paper in PAPERS {
        for text in TEXT_MODES {
            for qr in QR_MODES {
                let layout = Layout { paper, text, qr };
                let bytes = encode_slip(&slip, &layout).expect("encode");
                let image = render(&bytes, paper).expect("render");
                assert_eq!(
                    scan(&image),
                    std::slice::from_ref(&slip.url),
                    "{paper} mm, {text:?}, {qr:?}"
                );
                assert_eq!(
                    inked_margin_columns(&image, margin(paper)),
                    Vec::<u32>::new(),
                    "{paper} mm, {text:?}, {qr:?}"
                );
                // Short (at most 12 cm): it is read once and thrown away.
                assert!(
                    image.height() <= 120 * 8,
                    "{paper} mm, {text:?}: {} mm long",
                    image.height() / 8
                );
            }
        }
    }
}

#[test]
fn the_pairing_slip_in_the_printers_own_font_says_its_code_and_where_to_enter_it() {
    let layout = Layout {
        text: TextMode::Ascii,
        ..Layout::default()
    };
    let bytes = encode_slip(&PairingSlip::sample(), &layout).expect("encode");
    let text = String::from_utf8_lossy(&bytes);
    for said in [
        "MA GHEP NOI MAY IN",
        "482 193",
        "Nhap ma nay o trang Quan tri > Thiet bi",
        "Enter this code on Admin > Devices",
        "Valid until 09:42",
        "http://192.168.1.10:8080",
    ] {
        assert!(text.contains(said), "{said:?} in {text:?}");
    }
}
