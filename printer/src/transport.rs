//! Getting bytes to a printer and its status back: a network printer (raw TCP, port 9100),
//! a USB printer's device file (`/dev/usb/lp0`), or a serial port.
//!
//! Every operation has a deadline. A printer that is switched off, unplugged or wedged
//! answers with an error within the deadline; it never hangs the caller. Writes to a device
//! file cannot be given a timeout by the kernel, so they run on their own thread and the
//! caller stops waiting at the deadline.

use crate::reason::Reason;
use crate::status::PrinterStatus;
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::mpsc;
use std::time::Duration;

/// Where a printer is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// `tcp://192.168.1.50:9100` (or just `192.168.1.50:9100`).
    Tcp(String),
    /// `file:///dev/usb/lp0` (or just `/dev/usb/lp0`): one-way, no status.
    Device(PathBuf),
    /// `serial:///dev/ttyUSB0?baud=19200`.
    Serial { path: String, baud: u32 },
}

impl FromStr for Target {
    type Err = TransportError;

    fn from_str(s: &str) -> Result<Self, TransportError> {
        let bad = || TransportError::BadTarget(s.to_owned());
        if let Some(rest) = s.strip_prefix("tcp://") {
            return if rest.contains(':') {
                Ok(Target::Tcp(rest.to_owned()))
            } else {
                Ok(Target::Tcp(format!("{rest}:9100")))
            };
        }
        if let Some(path) = s.strip_prefix("file://") {
            return Ok(Target::Device(PathBuf::from(path)));
        }
        if let Some(rest) = s.strip_prefix("serial://") {
            let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
            let baud = match query.strip_prefix("baud=") {
                Some(b) => b.parse().map_err(|_| bad())?,
                None if query.is_empty() => 19_200,
                None => return Err(bad()),
            };
            return Ok(Target::Serial {
                path: path.to_owned(),
                baud,
            });
        }
        if s.starts_with('/') {
            return Ok(Target::Device(PathBuf::from(s)));
        }
        if s.contains(':') && !s.contains("://") {
            return Ok(Target::Tcp(s.to_owned()));
        }
        Err(bad())
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Tcp(addr) => write!(f, "tcp://{addr}"),
            Target::Device(path) => write!(f, "file://{}", path.display()),
            Target::Serial { path, baud } => write!(f, "serial://{path}?baud={baud}"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    #[error(
        "{0:?} is not a printer address: use tcp://HOST:9100, file:///dev/usb/lp0 or serial:///dev/ttyUSB0?baud=19200"
    )]
    BadTarget(String),
    #[error("cannot reach the printer at {target}: {source}")]
    Connect {
        target: String,
        source: std::io::Error,
    },
    #[error("the printer did not answer within {0:?}")]
    Timeout(Duration),
    #[error("the printer link failed: {0}")]
    Io(#[from] std::io::Error),
    #[error("the serial port failed: {0}")]
    Serial(String),
}

impl TransportError {
    /// Why, as the job's record, the kiosk and the logs say it.
    pub fn reason(&self) -> Reason {
        match self {
            TransportError::BadTarget(_) => Reason::BadPrinterAddress,
            TransportError::Connect { .. } => Reason::PrinterUnreachable,
            TransportError::Timeout(_) => Reason::PrinterTimeout,
            TransportError::Io(_) | TransportError::Serial(_) => Reason::PrinterIoError,
        }
    }
}

/// How long to wait for the printer.
#[derive(Debug, Clone, Copy)]
pub struct Deadlines {
    pub connect: Duration,
    /// For each step: a status answer, or the printer taking more of the ticket. A printer
    /// that is still reading (a long ticket, a slow serial link) is busy, not broken.
    pub io: Duration,
    /// For a whole attempt: connect, status, the ticket and its confirmation.
    pub job: Duration,
}

impl Default for Deadlines {
    fn default() -> Self {
        Deadlines {
            connect: Duration::from_secs(2),
            io: Duration::from_secs(3),
            job: Duration::from_secs(20),
        }
    }
}

/// An open link to a printer.
pub struct Link {
    port: Box<dyn Port>,
    two_way: bool,
    deadlines: Deadlines,
    /// A network link's socket again, to change how long a read may wait.
    tcp: Option<TcpStream>,
}

/// The slowest a working printer takes a ticket in, in bytes a second: a 58 mm clone
/// printing 50 mm/s of raster takes about 19 KB/s, an Epson TM-T20 about 86 KB/s. A printer
/// on a network takes bytes only as fast as it prints them (its buffer is a few KB), so the
/// answer to a status query sent after the ticket comes once the ticket is nearly all on
/// paper: the wait for it is [`Deadlines::io`] plus the ticket's size at this rate.
pub const SLOWEST_BYTES_PER_SECOND: u64 = 4_096;

trait Port: Read + Write + Send {}
impl<T: Read + Write + Send> Port for T {}

/// A device file opened for writing only still needs a `Read` to be a `Port`.
struct WriteOnly(std::fs::File);

impl Read for WriteOnly {
    fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
        Err(std::io::Error::new(
            std::io::ErrorKind::Unsupported,
            "one-way link",
        ))
    }
}

impl Write for WriteOnly {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// Run blocking `work` on its own thread and wait at most `deadline` for it.
fn within<T: Send + 'static>(
    deadline: Duration,
    work: impl FnOnce() -> Result<T, TransportError> + Send + 'static,
) -> Result<T, TransportError> {
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("printer-io".into())
        .spawn(move || {
            let _ = tx.send(work());
        })?;
    rx.recv_timeout(deadline)
        .map_err(|_| TransportError::Timeout(deadline))?
}

impl Link {
    /// Open a link to the printer at `target`.
    pub fn open(target: &Target, deadlines: Deadlines) -> Result<Link, TransportError> {
        match target {
            Target::Tcp(addr) => {
                let connect_error = |source| TransportError::Connect {
                    target: target.to_string(),
                    source,
                };
                let sockaddr = addr
                    .to_socket_addrs()
                    .map_err(connect_error)?
                    .next()
                    .ok_or_else(|| TransportError::BadTarget(addr.clone()))?;
                let stream = TcpStream::connect_timeout(&sockaddr, deadlines.connect)
                    .map_err(connect_error)?;
                stream.set_read_timeout(Some(deadlines.io))?;
                stream.set_write_timeout(Some(deadlines.io))?;
                stream.set_nodelay(true)?;
                let tcp = stream.try_clone().ok();
                Ok(Link {
                    port: Box::new(stream),
                    two_way: true,
                    deadlines,
                    tcp,
                })
            }
            Target::Device(path) => {
                let path = path.clone();
                let shown = target.to_string();
                // Opening a wedged device can block too.
                let file = within(deadlines.connect, move || {
                    std::fs::OpenOptions::new()
                        .write(true)
                        .open(&path)
                        .map_err(|source| TransportError::Connect {
                            target: shown,
                            source,
                        })
                })?;
                Ok(Link {
                    port: Box::new(WriteOnly(file)),
                    two_way: false,
                    deadlines,
                    tcp: None,
                })
            }
            Target::Serial { path, baud } => {
                let port = serialport::new(path, *baud)
                    .timeout(deadlines.io)
                    .open()
                    .map_err(|e| TransportError::Serial(e.to_string()))?;
                Ok(Link {
                    port: Box::new(port),
                    two_way: true,
                    deadlines,
                    tcp: None,
                })
            }
        }
    }

    /// Whether the printer can answer status queries over this link.
    pub fn two_way(&self) -> bool {
        self.two_way
    }

    /// Send a whole ticket. Returns once the bytes are accepted, or fails at the deadline.
    pub fn send(&mut self, bytes: &[u8]) -> Result<(), TransportError> {
        let result = self.port.write_all(bytes).and_then(|()| self.port.flush());
        result.map_err(|e| timeout_or_io(e, self.deadlines.io))
    }

    /// Let the next answers take up to `wait` (a network link; a serial link's writes
    /// already wait for the printer to take each byte).
    fn answers_within(&mut self, wait: Duration) -> Result<(), TransportError> {
        if let Some(tcp) = &self.tcp {
            tcp.set_read_timeout(Some(wait))?;
        }
        Ok(())
    }

    /// Ask one real-time question (e.g. DLE EOT n) and read the one-byte answer.
    /// `None` on a one-way link.
    pub fn ask(&mut self, question: &[u8]) -> Result<Option<u8>, TransportError> {
        if !self.two_way {
            return Ok(None);
        }
        let io = self
            .tcp
            .as_ref()
            .and_then(|t| t.read_timeout().ok().flatten())
            .unwrap_or(self.deadlines.io);
        self.port
            .write_all(question)
            .map_err(|e| timeout_or_io(e, io))?;
        self.port.flush().map_err(|e| timeout_or_io(e, io))?;
        let mut answer = [0u8; 1];
        self.port
            .read_exact(&mut answer)
            .map_err(|e| timeout_or_io(e, io))?;
        Ok(Some(answer[0]))
    }
}

fn timeout_or_io(e: std::io::Error, deadline: Duration) -> TransportError {
    match e.kind() {
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => {
            TransportError::Timeout(deadline)
        }
        _ => TransportError::Io(e),
    }
}

/// Ask the printer its status over an open link (DLE EOT 1, 2 and 4). `None` on a
/// one-way link.
pub fn status(link: &mut Link) -> Result<Option<crate::status::PrinterStatus>, TransportError> {
    let mut answers = [0u8; 3];
    for (answer, question) in answers.iter_mut().zip(crate::status::queries()) {
        match link.ask(&question)? {
            Some(byte) => *answer = byte,
            None => return Ok(None),
        }
    }
    Ok(Some(crate::status::parse(answers)))
}

/// Ask the printer how it is. `None` on a one-way link (a USB device file).
pub fn printer_status(
    target: &Target,
    deadlines: Deadlines,
) -> Result<Option<crate::status::PrinterStatus>, TransportError> {
    let mut link = Link::open(target, deadlines)?;
    status(&mut link)
}

/// How a ticket came to be counted as printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Printed {
    /// The printer answered a status round trip sent after the ticket on the same link:
    /// it had read every byte of it, and still had paper and a closed cover. The status is
    /// what it said then.
    Confirmed(PrinterStatus),
    /// A one-way link (a USB device file): the operating system took every byte, which is
    /// all such a link can tell.
    Unconfirmed,
}

/// Print one ticket and wait for the printer to confirm it: check the printer can print,
/// send the ticket, then ask its status again on the same link. The printer reads its
/// input in order, so an answer to a query sent after the ticket means it has taken the
/// whole ticket; the paper and cover bits of that answer say whether it could print it
/// (an empty roll mid-ticket shows here). A printer that stops reading, or never answers,
/// fails within the deadlines and is never counted as printed.
///
/// The whole of it runs on its own thread and the caller stops waiting at
/// [`Deadlines::job`]: a write to a wedged USB device file cannot be timed out by the
/// kernel.
pub fn print_ticket(
    target: &Target,
    layout: &crate::Layout,
    ticket: &crate::TicketPrint,
    deadlines: Deadlines,
) -> Result<Printed, Reason> {
    let bytes = crate::encode(ticket, layout).map_err(|_| Reason::RenderFailed)?;
    print_bytes(target, bytes, deadlines)
}

/// Print a byte stream already encoded (a ticket, a pairing slip) and wait for the printer
/// to confirm it, as [`print_ticket`] does.
pub fn print_bytes(
    target: &Target,
    bytes: Vec<u8>,
    deadlines: Deadlines,
) -> Result<Printed, Reason> {
    let target = target.clone();
    within(deadlines.job, move || {
        let mut link = Link::open(&target, deadlines)?;
        if let Some(reason) = status(&mut link)?.and_then(|s| s.blocking_reason()) {
            return Ok(Err(reason));
        }
        link.send(&bytes)?;
        let printing = Duration::from_millis(bytes.len() as u64 * 1000 / SLOWEST_BYTES_PER_SECOND);
        link.answers_within(deadlines.io + printing)?;
        Ok(match status(&mut link)? {
            None => Ok(Printed::Unconfirmed),
            Some(after) => match after.blocking_reason() {
                Some(reason) => Err(reason),
                None => Ok(Printed::Confirmed(after)),
            },
        })
    })
    .unwrap_or_else(|e| Err(e.reason()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printer_addresses_are_read_in_every_form() {
        assert_eq!(
            "tcp://10.0.0.5:9100".parse::<Target>().ok(),
            Some(Target::Tcp("10.0.0.5:9100".into()))
        );
        assert_eq!(
            "tcp://printer".parse::<Target>().ok(),
            Some(Target::Tcp("printer:9100".into()))
        );
        assert_eq!(
            "10.0.0.5:9100".parse::<Target>().ok(),
            Some(Target::Tcp("10.0.0.5:9100".into()))
        );
        assert_eq!(
            "/dev/usb/lp0".parse::<Target>().ok(),
            Some(Target::Device("/dev/usb/lp0".into()))
        );
        assert_eq!(
            "serial:///dev/ttyUSB0?baud=9600".parse::<Target>().ok(),
            Some(Target::Serial {
                path: "/dev/ttyUSB0".into(),
                baud: 9600
            })
        );
        assert!("ftp://x".parse::<Target>().is_err());
        assert!("serial:///dev/ttyS0?baud=fast".parse::<Target>().is_err());
    }

    #[test]
    fn an_unreachable_printer_fails_within_the_deadline() {
        // A port nobody listens on: refused at once.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        drop(listener);
        let target = Target::Tcp(addr.to_string());
        let ticket = crate::TicketPrint::sample();
        let err = print_ticket(
            &target,
            &crate::Layout::default(),
            &ticket,
            Deadlines::default(),
        )
        .expect_err("nobody there");
        assert_eq!(err, Reason::PrinterUnreachable);
    }

    #[test]
    fn a_printer_that_never_answers_a_status_query_times_out() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let deadlines = Deadlines {
            connect: Duration::from_secs(1),
            io: Duration::from_millis(200),
            job: Duration::from_secs(2),
        };
        let mut link = Link::open(&Target::Tcp(addr.to_string()), deadlines).expect("open");
        let _accepted = listener.accept().expect("accept");
        let err = link.ask(&[0x10, 0x04, 1]).expect_err("silent printer");
        assert_eq!(err.reason(), Reason::PrinterTimeout);
    }

    #[test]
    fn a_usb_device_file_takes_the_ticket_and_reports_no_status() {
        // A USB printer is a device file; a plain file behaves the same for writing.
        let dir = tempfile::tempdir().expect("temp dir");
        let lp0 = dir.path().join("lp0");
        std::fs::write(&lp0, b"").expect("create");
        let target = Target::Device(lp0.clone());
        let ticket = crate::TicketPrint::sample();
        let printed = print_ticket(
            &target,
            &crate::Layout::default(),
            &ticket,
            Deadlines::default(),
        )
        .expect("printed");
        assert_eq!(
            printed,
            Printed::Unconfirmed,
            "a device file cannot confirm"
        );
        let written = std::fs::read(&lp0).expect("read back");
        assert_eq!(
            written,
            crate::encode(&ticket, &crate::Layout::default()).expect("encode")
        );
        assert_eq!(
            printer_status(&target, Deadlines::default()).expect("opens"),
            None
        );
    }

    #[test]
    fn a_missing_usb_printer_is_reported_as_unreachable() {
        let target = Target::Device("/nonexistent/usb/lp9".into());
        let err = printer_status(&target, Deadlines::default()).expect_err("no device");
        assert_eq!(err.reason(), Reason::PrinterUnreachable);
    }
}
