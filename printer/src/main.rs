//! `motcua-printer`: write a sample ticket's byte stream, draw a byte stream as it would
//! print, ask a printer its status, or run the print agent beside a printer.

// A command-line tool answers on its standard output and error.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
#[cfg(feature = "render")]
use motcua_printer::Paper;
use motcua_printer::agent::{self, AgentConfig};
use motcua_printer::transport::{Deadlines, Target};
use motcua_printer::{Layout, TicketPrint};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Parser)]
#[command(
    name = "motcua-printer",
    version,
    about = "Printed tickets for motcua: samples, previews, printer status, and the print agent"
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
        #[arg(long, env = "MOTCUA_PRINTER_TOKEN", hide_env_values = true)]
        token: String,
        /// tcp://HOST:9100, /dev/usb/lp0 or serial:///dev/ttyUSB0?baud=19200
        #[arg(long, env = "MOTCUA_PRINTER")]
        printer: String,
        #[command(flatten)]
        layout: LayoutArgs,
        /// Where the agent remembers the jobs it printed.
        #[arg(long, default_value = "motcua-printer-state")]
        state_dir: PathBuf,
        /// Seconds between status reports.
        #[arg(long, default_value_t = 5)]
        status_every: u64,
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
            out,
        } => {
            let mut ticket = TicketPrint::sample();
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
                token,
                printer: printer.parse()?,
                layout: layout.layout()?,
                state_dir,
                status_every: Duration::from_secs(status_every.max(1)),
                deadlines: Deadlines::default(),
            };
            let runtime = tokio::runtime::Runtime::new()?;
            runtime.block_on(agent::run(config, async {
                let _ = tokio::signal::ctrl_c().await;
            }))?;
            Ok(())
        }
    }
}
