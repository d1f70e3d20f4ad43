//! The fake network printer behaves like the hardware: one connection at a time, status
//! queries answered wherever a command starts (and only there), paper out, wedged, refusing,
//! slow, the clones that tell paper end only to `DLE EOT 4`, confirmations held back.
//!
//! The fake runs on a runtime of its own; the tests are its clients over plain blocking
//! sockets, as the print agent is, and read the bytes back with `render`.

// The helpers outside the #[test] functions assert too.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use motcua_printer::fake::{FakePrinter, Mode};
use motcua_printer::status::{self, PrinterStatus};
use motcua_printer::transport::{Deadlines, Link, Target};
use motcua_printer::{Layout, Paper, TicketPrint};
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

const DLE_EOT: [u8; 2] = [0x10, 0x04];

/// How long a test listens for an answer that must not come. Only ever asserts silence,
/// never speed: a slower machine makes it pass more easily, not less.
const QUIET: Duration = Duration::from_millis(300);
/// How long a test waits for an answer that must come.
const PATIENT: Duration = Duration::from_secs(10);

struct Fake {
    printer: FakePrinter,
    runtime: tokio::runtime::Runtime,
}

impl Fake {
    fn start() -> Fake {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let printer = runtime.block_on(FakePrinter::start());
        Fake { printer, runtime }
    }

    fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(self.printer.addr).expect("connect");
        stream.set_read_timeout(Some(PATIENT)).expect("timeout");
        stream
    }

    fn wait<F: std::future::Future>(&self, f: F) -> F::Output {
        self.runtime.block_on(f)
    }
}

fn query(n: u8) -> [u8; 3] {
    [DLE_EOT[0], DLE_EOT[1], n]
}

fn queries() -> Vec<u8> {
    status::queries().concat()
}

fn read_byte(stream: &mut TcpStream) -> u8 {
    let mut answer = [0u8; 1];
    stream.read_exact(&mut answer).expect("an answer");
    answer[0]
}

fn read_status(stream: &mut TcpStream) -> PrinterStatus {
    let answers = [read_byte(stream), read_byte(stream), read_byte(stream)];
    status::try_parse(answers).expect("status bytes")
}

/// Nothing arrives while the test listens.
fn silent(stream: &mut TcpStream) -> bool {
    stream.set_read_timeout(Some(QUIET)).expect("timeout");
    let mut byte = [0u8; 1];
    let result = stream.read(&mut byte);
    stream.set_read_timeout(Some(PATIENT)).expect("timeout");
    matches!(result, Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut))
}

/// The printer closed the connection without a word: an end of stream, or a reset because
/// bytes it never read were left behind.
fn assert_closed_unanswered(stream: &mut TcpStream) {
    let mut rest = Vec::new();
    match stream.read_to_end(&mut rest) {
        Ok(0) => {}
        Err(e) if e.kind() == ErrorKind::ConnectionReset => assert!(rest.is_empty()),
        other => panic!("not closed unanswered: {other:?}, {rest:?}"),
    }
}

fn ticket() -> Vec<u8> {
    motcua_printer::encode(&TicketPrint::sample(), &Layout::default()).expect("encode")
}

/// A raster block two bytes wide whose data holds `DLE EOT 1`, then a cut.
fn raster_with_a_query_inside() -> Vec<u8> {
    let mut bytes = vec![0x1b, b'@', 0x1d, b'v', b'0', 0, 2, 0, 2, 0];
    bytes.extend([0x10, 0x04, 0x01, 0xff]);
    bytes.extend([0x1d, b'V', b'A', 0]);
    bytes
}

#[test]
fn a_ticket_comes_out_byte_for_byte_and_the_query_after_it_is_answered() {
    let fake = Fake::start();
    let mut link = fake.connect();
    let ticket = ticket();
    let tricky = raster_with_a_query_inside();
    // As the agent does: ask, send the job, ask again on the same connection.
    link.write_all(&queries()).unwrap();
    assert_eq!(read_status(&mut link), PrinterStatus::ready());
    let mut job = ticket.clone();
    job.extend(&tricky);
    job.extend(queries());
    link.write_all(&job).unwrap();
    assert_eq!(read_status(&mut link), PrinterStatus::ready());
    // The DLE EOT 1 inside the raster data was ink: six queries, six answers, no seventh.
    assert_eq!(fake.printer.status_queries(), 6);
    assert!(silent(&mut link), "an answer to a query that was not one");

    assert_eq!(
        fake.printer.ticket_bytes(),
        vec![ticket.clone(), tricky.clone()]
    );
    assert_eq!(fake.printer.tickets(), 2);
    let mut paper = ticket.clone();
    paper.extend(&tricky);
    assert_eq!(fake.printer.printed(), paper);
    let image = motcua_printer::render(&fake.printer.ticket_bytes()[0], Paper::Mm80)
        .expect("a printable ticket");
    assert_eq!(image.width(), 576);

    // The answer is the state when the query is read.
    fake.printer.set(Mode::PaperNearEnd);
    link.write_all(&queries()).unwrap();
    assert_eq!(read_status(&mut link), PrinterStatus::paper_near_end());
}

#[test]
fn out_of_paper_or_with_the_cover_open_it_answers_and_prints_nothing() {
    let fake = Fake::start();
    for (mode, expected) in [
        (Mode::Ready, PrinterStatus::ready()),
        (Mode::PaperNearEnd, PrinterStatus::paper_near_end()),
        (Mode::PaperOut, PrinterStatus::paper_out()),
        (Mode::CoverOpen, PrinterStatus::cover_open()),
    ] {
        fake.printer.set(mode);
        let mut link = fake.connect();
        link.write_all(&queries()).unwrap();
        assert_eq!(read_status(&mut link), expected, "{mode:?}");
    }
    let before = fake.printer.printed().len();
    let mut link = fake.connect();
    let mut job = ticket();
    job.extend(query(4));
    link.write_all(&job).unwrap();
    read_byte(&mut link);
    assert_eq!(fake.printer.printed().len(), before, "nothing printed");
    assert_eq!(fake.printer.tickets(), 0);
    assert!(fake.printer.torn_tickets().is_empty(), "not even a piece");
}

#[test]
fn paper_out_after_n_bytes_tears_the_ticket_and_says_paper_out() {
    let fake = Fake::start();
    fake.printer.set(Mode::PaperOutAfter(1000));
    let mut link = fake.connect();
    link.write_all(&queries()).unwrap();
    assert_eq!(read_status(&mut link), PrinterStatus::ready());
    let ticket = ticket();
    let mut job = ticket.clone();
    job.extend(queries());
    link.write_all(&job).unwrap();
    assert_eq!(read_status(&mut link), PrinterStatus::paper_out());
    assert_eq!(fake.printer.printed(), ticket[..1000]);
    assert_eq!(fake.printer.tickets(), 0, "a torn ticket is no ticket");
    assert_eq!(fake.printer.torn_tickets(), vec![ticket[..1000].to_vec()]);
    assert_eq!(fake.printer.mode(), Mode::PaperOut);

    // A new roll: the next ticket is whole.
    fake.printer.set(Mode::Ready);
    let mut job = ticket.clone();
    job.extend(query(1));
    link.write_all(&job).unwrap();
    read_byte(&mut link);
    assert_eq!(fake.printer.ticket_bytes(), vec![ticket]);
}

#[test]
fn a_clone_tells_paper_end_only_to_dle_eot_4() {
    let fake = Fake::start();
    fake.printer.set(Mode::PaperOut);
    let mut link = fake.connect();
    link.write_all(&queries()).unwrap();
    let epson = [
        read_byte(&mut link),
        read_byte(&mut link),
        read_byte(&mut link),
    ];
    assert_eq!(epson[0] & 0x08, 0x08, "Epson: DLE EOT 1 says offline");

    fake.printer.set_paper_end_only_on_eot4(true);
    link.write_all(&queries()).unwrap();
    let clone = [
        read_byte(&mut link),
        read_byte(&mut link),
        read_byte(&mut link),
    ];
    assert_eq!(clone[0], 0x12, "DLE EOT 1: online");
    assert_eq!(clone[1], 0x12, "DLE EOT 2: no offline cause");
    assert_eq!(clone[2] & 0x60, 0x60, "DLE EOT 4: paper end bits 5 and 6");
    let seen = status::try_parse(clone).expect("status bytes");
    assert!(seen.online && seen.paper_out);
    assert_eq!(
        seen.blocking_reason(),
        Some(motcua_printer::Reason::PaperOut)
    );
}

#[test]
fn a_stalled_printer_takes_n_bytes_then_nothing_until_its_mode_changes() {
    let fake = Fake::start();
    fake.printer.set(Mode::StallAfter(500));
    let mut link = fake.connect();
    link.write_all(&queries()).unwrap();
    assert_eq!(read_status(&mut link), PrinterStatus::ready());
    let mut job = ticket();
    job.extend(query(1));
    // The socket's buffers take the whole ticket: the operating system accepted it all.
    link.write_all(&job).unwrap();
    fake.wait(fake.printer.wait_for_wedged());
    assert!(silent(&mut link), "a wedged printer answered");
    assert_eq!(fake.printer.taken(), 500);
    // What was taken came out, up to the last whole command header.
    let printed = fake.printer.printed();
    assert!(ticket().starts_with(&printed) && printed.len() > 500 - 9 - 8);
    assert_eq!(fake.printer.tickets(), 0);

    // Nobody else is served meanwhile.
    let mut second = fake.connect();
    second.write_all(&query(1)).unwrap();
    assert!(silent(&mut second));
    assert_eq!(fake.printer.connections(), 1);

    // Switched off and on: the wedged connection is dropped and the next one is served.
    fake.printer.set(Mode::Ready);
    assert_eq!(
        read_byte(&mut second),
        status::respond(1, &PrinterStatus::ready())
    );
    assert_closed_unanswered(&mut link);
    assert_eq!(fake.printer.connections(), 2);
    assert_eq!(fake.printer.torn_tickets().len(), 1);
}

#[test]
fn a_silent_printer_accepts_and_answers_nothing() {
    let fake = Fake::start();
    fake.printer.set(Mode::Silent);
    let mut link = fake.connect();
    link.write_all(&queries()).unwrap();
    fake.wait(fake.printer.wait_for_wedged());
    assert!(silent(&mut link));
    assert_eq!(fake.printer.taken(), 0);
    fake.printer.set(Mode::Ready);
    let mut again = fake.connect();
    again.write_all(&queries()).unwrap();
    assert_eq!(read_status(&mut again), PrinterStatus::ready());
}

#[test]
fn a_second_connection_waits_unanswered_while_a_long_ticket_prints() {
    let fake = Fake::start();
    // A slow link makes the ticket long: 20 KB at 2 KB/s is ten seconds.
    fake.printer.set_rate(Some(2000));
    let mut first = fake.connect();
    let ticket = ticket();
    first.write_all(&ticket).unwrap();
    fake.wait(fake.printer.wait_for_taken(1));

    let mut second = fake.connect();
    second.write_all(&query(1)).unwrap();
    assert!(
        silent(&mut second),
        "a busy printer answered a second connection"
    );
    assert_eq!(fake.printer.connections(), 1);
    assert!(fake.printer.taken() < ticket.len());

    // The ticket finishes, the first connection closes, the second is served.
    fake.printer.set_rate(None);
    first.write_all(&query(1)).unwrap();
    assert_eq!(read_byte(&mut first), 0x12);
    drop(first);
    assert_eq!(read_byte(&mut second), 0x12);
    assert_eq!(fake.printer.ticket_bytes(), vec![ticket]);
    assert_eq!(fake.printer.connections(), 2);
}

#[test]
fn a_slow_link_takes_the_ticket_at_its_rate() {
    let fake = Fake::start();
    fake.printer.set_rate(Some(1000));
    let mut link = fake.connect();
    let ticket = ticket();
    let mut job = query(1).to_vec();
    job.extend(&ticket);
    job.extend(query(1));
    link.write_all(&job).unwrap();
    assert_eq!(read_byte(&mut link), 0x12);
    fake.wait(fake.printer.wait_for_taken(200));
    let taken = fake.printer.taken();
    assert!(
        taken < ticket.len(),
        "{taken} of {} bytes taken at 1000 B/s",
        ticket.len()
    );
    // The confirmation comes only after the whole ticket was taken.
    fake.printer.set_rate(None);
    assert_eq!(read_byte(&mut link), 0x12);
    assert_eq!(fake.printer.taken(), job.len());
    assert_eq!(fake.printer.ticket_bytes(), vec![ticket]);
}

#[test]
fn a_refusing_printer_is_unreachable_and_later_serves_on_the_same_port() {
    let fake = Fake::start();
    let addr = fake.printer.addr;
    // A wedged connection first, which the printer itself closes when it starts refusing:
    // its port then has a connection in TIME_WAIT, and must still listen again later.
    fake.printer.set(Mode::Silent);
    let mut wedged = fake.connect();
    fake.wait(fake.printer.wait_for_wedged());
    fake.printer.set(Mode::Refuse);
    assert_closed_unanswered(&mut wedged);
    drop(wedged);
    let err = TcpStream::connect(addr).expect_err("refused");
    assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
    let target: Target = fake.printer.target().parse().unwrap();
    let err = Link::open(&target, Deadlines::default())
        .err()
        .expect("refused");
    assert_eq!(err.reason(), motcua_printer::Reason::PrinterUnreachable);

    fake.printer.set(Mode::Ready);
    assert_eq!(fake.printer.addr, addr);
    let mut link = Link::open(&target, Deadlines::default()).expect("served again");
    let seen = motcua_printer::transport::status(&mut link).expect("answers");
    assert_eq!(seen, Some(PrinterStatus::ready()));
}

#[test]
fn a_confirmation_is_held_until_released_and_the_first_queries_are_not() {
    let fake = Fake::start();
    fake.printer.hold_confirmations(true);
    let mut link = fake.connect();
    link.write_all(&queries()).unwrap();
    assert_eq!(read_status(&mut link), PrinterStatus::ready(), "not held");
    let ticket = ticket();
    let mut job = ticket.clone();
    job.extend(queries());
    link.write_all(&job).unwrap();
    fake.wait(fake.printer.wait_for_held());
    assert_eq!(
        fake.printer.ticket_bytes(),
        vec![ticket],
        "printed, not yet confirmed"
    );
    assert!(silent(&mut link));
    fake.printer.hold_confirmations(false);
    assert_eq!(read_status(&mut link), PrinterStatus::ready());
    assert_eq!(fake.printer.held(), 0);
}

#[test]
fn a_held_confirmation_whose_asker_died_frees_the_port() {
    let fake = Fake::start();
    fake.printer.hold_confirmations(true);
    let mut link = fake.connect();
    let mut job = ticket();
    job.extend(query(1));
    link.write_all(&job).unwrap();
    fake.wait(fake.printer.wait_for_held());
    // The agent is killed between sending and confirmation.
    drop(link);
    let mut next = fake.connect();
    next.write_all(&queries()).unwrap();
    assert_eq!(read_status(&mut next), PrinterStatus::ready());
    assert_eq!(fake.printer.held(), 0);
    assert_eq!(fake.printer.tickets(), 1);
}
