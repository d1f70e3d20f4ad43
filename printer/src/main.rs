//! `motcua-printer`: write a sample ticket's byte stream, draw a byte stream as it would
//! print, ask a printer its status, run the print agent beside a printer, or be a network
//! printer in software (`fake`).

// A command-line tool answers on its standard output and error.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
#[cfg(feature = "render")]
use motcua_printer::Paper;
use motcua_printer::agent::{self, AgentConfig};
use motcua_printer::fake::{Event, FakePrinter, Mode};
use motcua_printer::transport::{Deadlines, Target};
use motcua_printer::{Layout, TicketPrint};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Parser)]
#[command(
    name = "motcua-printer",
    version,
    about = "Printed tickets for motcua: samples, previews, printer status, the print agent, and a fake printer"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// How tickets are laid out for a printer.
#[derive(Args, Clone)]
struct LayoutArgs {
    /// Paper width in mm: 80 or 58.
    #[arg(long, default_value = "80")]
    paper: String,
    /// raster (text as an image: every printer, every diacritic), codepage, or ascii.
    #[arg(long, default_value = "raster")]
    text: String,
    /// The printer's number for Windows-1258, with --text codepage (Epson: 52).
    #[arg(long, default_value_t = 52)]
    code_page: u8,
    /// raster (QR drawn into the image) or native (the printer's own QR command).
    #[arg(long, default_value = "raster")]
    qr: String,
}

impl LayoutArgs {
    fn layout(&self) -> anyhow::Result<Layout> {
        Layout::from_words(&self.paper, &self.text, self.code_page, &self.qr)
            .map_err(|(key, reason)| anyhow::anyhow!("--{}: {reason}", key.replace('_', "-")))
    }
}

#[derive(Subcommand)]
enum Command {
    /// Write the byte stream of a sample ticket, exactly as it would go to a printer.
    Sample {
        #[command(flatten)]
        layout: LayoutArgs,
        /// The field's name.
        #[arg(long)]
        field: Option<String>,
        /// The ticket's code.
        #[arg(long)]
        code: Option<String>,
        /// The status address in the QR code.
        #[arg(long)]
        url: Option<String>,
        /// The highlighted line under the number: a priority category, or a booked
        /// number's "Số hẹn · giờ hẹn 09:00" (`""`: none).
        #[arg(long)]
        label: Option<String>,
        #[arg(long)]
        out: PathBuf,
    },
    /// Draw a byte stream as the printer would print it (decoded from the bytes).
    #[cfg(feature = "render")]
    Render {
        input: PathBuf,
        #[arg(long, default_value = "80")]
        paper: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Ask a printer how it is (network and serial printers answer; USB files cannot).
    Status {
        /// tcp://HOST:9100, /dev/usb/lp0 or serial:///dev/ttyUSB0?baud=19200
        #[arg(long)]
        printer: String,
    },
    /// Run the print agent: take this kiosk's print jobs from the hall server and print them.
    Agent {
        /// The hall server, e.g. http://192.168.1.10:8080
        #[arg(long, env = "MOTCUA_SERVER")]
        server: String,
        /// The printer's token (from `motcua device add NAME --kind printer --kiosk KIOSK`).
        /// Without it, the agent uses the token it remembers in --state-dir, or else prints a
        /// pairing code on the printer for an admin to enter on Admin › Devices.
        #[arg(long, env = "MOTCUA_PRINTER_TOKEN", hide_env_values = true)]
        token: Option<String>,
        /// tcp://HOST:9100, /dev/usb/lp0 or serial:///dev/ttyUSB0?baud=19200
        #[arg(long, env = "MOTCUA_PRINTER")]
        printer: String,
        #[command(flatten)]
        layout: LayoutArgs,
        /// Where the agent remembers the jobs it printed, and the token pairing gave it.
        #[arg(long, default_value = "motcua-printer-state")]
        state_dir: PathBuf,
        /// Seconds between status reports.
        #[arg(long, default_value_t = 5)]
        status_every: u64,
    },
    /// Be a network printer (ESC/POS on raw TCP, like port 9100) to try a hall without one.
    Fake {
        /// Where to listen.
        #[arg(long, default_value = "127.0.0.1:9100")]
        listen: std::net::SocketAddr,
        /// Write each ticket's bytes here as it comes out (ticket-0001.bin, ...).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Print this many bytes, then run out of paper.
        #[arg(long, conflicts_with = "stall_after")]
        paper_out_after: Option<usize>,
        /// Take this many bytes, then stop reading (a wedged printer).
        #[arg(long)]
        stall_after: Option<usize>,
        /// Read at most this many bytes a second (a slow link).
        #[arg(long)]
        rate: Option<u32>,
        /// When out of paper, say so only to DLE EOT 4 (like some clones).
        #[arg(long)]
        paper_end_only_on_eot4: bool,
    },
}

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(Cli::parse().command) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("motcua-printer: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Sample {
            layout,
            field,
            code,
            url,
            label,
            out,
        } => {
            let mut ticket = TicketPrint::sample();
            if let Some(label) = label {
                ticket.priority = Some(label).filter(|l| !l.is_empty());
            }
            if let Some(field) = field {
                ticket.service = field;
            }
            if let Some(code) = code {
                ticket.code = code;
            }
            if let Some(url) = url {
                ticket.url = url;
            }
            let bytes = motcua_printer::encode(&ticket, &layout.layout()?)?;
            std::fs::write(&out, &bytes)
                .with_context(|| format!("cannot write {}", out.display()))?;
            eprintln!("{} bytes written to {}", bytes.len(), out.display());
            Ok(())
        }
        #[cfg(feature = "render")]
        Command::Render { input, paper, out } => {
            let bytes = std::fs::read(&input)
                .with_context(|| format!("cannot read {}", input.display()))?;
            let paper: Paper = paper
                .parse()
                .map_err(|_| anyhow::anyhow!("--paper: use 80 or 58"))?;
            let image = motcua_printer::render(&bytes, paper)?;
            image
                .save(&out)
                .with_context(|| format!("cannot write {}", out.display()))?;
            eprintln!(
                "{}x{} dots drawn to {}",
                image.width(),
                image.height(),
                out.display()
            );
            Ok(())
        }
        Command::Status { printer } => {
            let target: Target = printer.parse()?;
            match motcua_printer::transport::printer_status(&target, Deadlines::default())? {
                Some(status) => println!("{}", serde_json::to_string_pretty(&status)?),
                None => println!(
                    "{target} is a one-way link: it takes tickets but cannot tell its status"
                ),
            }
            Ok(())
        }
        Command::Fake {
            listen,
            out,
            paper_out_after,
            stall_after,
            rate,
            paper_end_only_on_eot4,
        } => {
            let mode = match (paper_out_after, stall_after) {
                (Some(n), _) => Mode::PaperOutAfter(n),
                (None, Some(n)) => Mode::StallAfter(n),
                (None, None) => Mode::Ready,
            };
            let runtime = tokio::runtime::Runtime::new()?;
            runtime.block_on(fake_printer(
                listen,
                out,
                mode,
                rate,
                paper_end_only_on_eot4,
            ))
        }
        Command::Agent {
            server,
            token,
            printer,
            layout,
            state_dir,
            status_every,
        } => {
            let config = AgentConfig {
                server,
                // An empty MOTCUA_PRINTER_TOKEN= (the env file's blank) is no token.
                token: token.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()),
                printer: printer.parse()?,
                layout: layout.layout()?,
                state_dir,
                status_every: Duration::from_secs(status_every.max(1)),
                deadlines: Deadlines::default(),
                pairing_poll: Duration::from_secs(1),
            };
            let runtime = tokio::runtime::Runtime::new()?;
            runtime.block_on(agent::run(config, async {
                let _ = tokio::signal::ctrl_c().await;
            }))?;
            Ok(())
        }
    }
}

/// `motcua-printer fake`: a printer in software until Ctrl-C, telling what it is sent.
async fn fake_printer(
    listen: std::net::SocketAddr,
    out: Option<PathBuf>,
    mode: Mode,
    rate: Option<u32>,
    paper_end_only_on_eot4: bool,
) -> anyhow::Result<()> {
    if let Some(dir) = &out {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let printer = FakePrinter::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    printer.set(mode);
    printer.set_rate(rate);
    printer.set_paper_end_only_on_eot4(paper_end_only_on_eot4);
    let torn = std::sync::atomic::AtomicUsize::new(0);
    printer.on_event(move |event| match event {
        Event::Connected(peer) => eprintln!("Kết nối từ {peer} / connection from {peer}"),
        Event::Query { n, answer } => {
            eprintln!("Hỏi trạng thái DLE EOT {n} → 0x{answer:02x} / status query DLE EOT {n} → 0x{answer:02x}");
        }
        Event::Ticket { number, bytes } => {
            let saved = out.as_ref().map(|dir| {
                let path = dir.join(format!("ticket-{number:04}.bin"));
                match std::fs::write(&path, bytes) {
                    Ok(()) => format!(" → {}", path.display()),
                    Err(e) => format!(" ({}: {e})", path.display()),
                }
            });
            eprintln!(
                "Phiếu {number}: {} byte / ticket {number}: {} bytes{}",
                bytes.len(),
                bytes.len(),
                saved.unwrap_or_default()
            );
        }
        Event::Torn { bytes } => {
            let number = torn.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            let saved = out.as_ref().map(|dir| {
                let path = dir.join(format!("torn-{number:04}.bin"));
                match std::fs::write(&path, bytes) {
                    Ok(()) => format!(" → {}", path.display()),
                    Err(e) => format!(" ({}: {e})", path.display()),
                }
            });
            eprintln!(
                "Phiếu dở dang (mất byte hoặc không cắt): {} byte / torn ticket (bytes lost or no cut): {} bytes{}",
                bytes.len(),
                bytes.len(),
                saved.unwrap_or_default()
            );
        }
        Event::PaperOut => eprintln!("Hết giấy / out of paper"),
        Event::Stalled => eprintln!("Máy in treo: ngừng đọc / printer wedged: reading stopped"),
        Event::Closed => eprintln!("Đóng kết nối / connection closed"),
    });
    eprintln!(
        "Máy in giả đang nghe ở tcp://{addr} (Ctrl-C để dừng) / fake printer listening on tcp://{addr} (Ctrl-C stops it)",
        addr = printer.addr
    );
    let _ = tokio::signal::ctrl_c().await;
    Ok(())
}
