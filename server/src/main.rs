//! The `motcua` command: parse the command line, load the settings, start tracing, and
//! hand over to the library.

// A command-line tool answers on its standard output and error.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use motcua_domain::{DeviceKind, Role};
use motcua_hall::config::{Settings, default_public_url};
use motcua_store::clock::{Clock, SystemClock};
use motcua_store::{self as store, accounts};
use motcua_web::accounts as staff;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

mod revocation;
mod tls_tool;

#[derive(Parser)]
#[command(
    name = "motcua",
    version,
    about = "Queue tickets, calling and live displays for a one-stop public-service hall"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Options every subcommand takes.
#[derive(Args, Clone)]
struct Common {
    /// The hall's settings (TOML). Without it: the demo hall.
    #[arg(long, global = true, env = "MOTCUA_CONFIG")]
    config: Option<PathBuf>,
    /// Where the database lives (overrides server.data_dir).
    #[arg(long, global = true)]
    data: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the hall server.
    Serve {
        #[command(flatten)]
        common: Common,
        /// Address to listen on (overrides server.listen), e.g. 0.0.0.0:8080.
        #[arg(long)]
        listen: Option<String>,
    },
    /// Staff accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Kiosks, displays and printers.
    Device {
        #[command(subcommand)]
        command: DeviceCommand,
    },
    /// Copy the live database to FILE, consistently, while the hall is serving.
    Backup {
        /// Where to write the copy (replaced only once the new copy is complete).
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        common: Common,
    },
    /// The city's collector (`motcua city serve`, `motcua city hall add NAME`).
    City {
        #[command(subcommand)]
        command: CityCommand,
    },
    /// Certificates for the built-in HTTPS (`motcua tls self-signed --name 192.168.1.10`).
    Tls {
        #[command(subcommand)]
        command: TlsCommand,
    },
    /// Bring back a backup; the server must be stopped. The database it replaces is kept.
    Restore {
        /// A file written by `motcua backup`.
        file: PathBuf,
        #[command(flatten)]
        common: Common,
    },
}

/// Where the city's collector keeps its data.
#[derive(Args, Clone)]
struct CityCommon {
    /// The collector's data dir: its database and its master key (`city.key`).
    #[arg(
        long = "data",
        env = "MOTCUA_CITY_DATA",
        default_value = "./motcua-city"
    )]
    data: PathBuf,
    /// The collector's database: empty for the data dir's SQLite file, or a PostgreSQL URL
    /// (`postgres://user:password@host:5432/motcua`) that several collector processes may
    /// share. The master key stays in the data dir either way.
    #[arg(long = "database", env = "MOTCUA_CITY_DATABASE", value_name = "URL")]
    database: Option<String>,
    /// On PostgreSQL, months of raw events kept (older months are dropped whole; the
    /// figures stay). 0 keeps them all.
    #[arg(long, env = "MOTCUA_CITY_RETENTION_MONTHS", default_value_t = 24)]
    retention_months: u32,
}

impl CityCommon {
    fn database(&self) -> anyhow::Result<motcua_city::db::Database> {
        match self.database.as_deref().map(str::trim) {
            None | Some("") => Ok(motcua_city::db::Database::Sqlite),
            Some(url) if motcua_city::pg::is_postgres_url(url) => {
                let mut settings = motcua_city::pg::PgSettings::new(url);
                settings.retention_months = self.retention_months;
                Ok(motcua_city::db::Database::Postgres(settings))
            }
            Some(_) => anyhow::bail!(
                "--database is a PostgreSQL URL (postgres://user:password@host:5432/motcua), or empty for the data dir's SQLite file"
            ),
        }
    }

    /// The collector's database and master key, for a command-line tool.
    async fn open(&self) -> anyhow::Result<(motcua_city::db::Db, Vec<u8>)> {
        let db = motcua_city::db::Db::open(&self.data, &self.database()?)
            .await
            .with_context(|| self.where_())?;
        let master = motcua_city::store::master_key(&self.data)?;
        Ok((db, master))
    }

    fn where_(&self) -> String {
        match self.database.as_deref() {
            Some(url) if !url.trim().is_empty() => format!(
                "cannot open the collector's database {}",
                motcua_city::pg::redacted(url)
            ),
            _ => format!(
                "cannot open the collector's data in {}",
                self.data.display()
            ),
        }
    }
}

/// The country's collector a province's forwards its halls' days to (all three, or none).
#[derive(clap::Args)]
struct CityUpstream {
    /// The country's collector, e.g. https://thongke.example.vn:8090 (this collector must
    /// run on PostgreSQL).
    #[arg(long, env = "MOTCUA_CITY_UPSTREAM", value_name = "URL", requires_all = ["upstream_code", "upstream_secret"])]
    upstream: Option<String>,
    /// This collector's code there (`motcua city region add` there prints it).
    #[arg(long, env = "MOTCUA_CITY_UPSTREAM_CODE", requires = "upstream")]
    upstream_code: Option<String>,
    /// Its secret there; better in the environment than on the command line.
    #[arg(
        long,
        env = "MOTCUA_CITY_UPSTREAM_SECRET",
        hide_env_values = true,
        requires = "upstream"
    )]
    upstream_secret: Option<String>,
}

/// The collector's built-in HTTPS (both, or neither: then plain HTTP, e.g. behind a proxy).
#[derive(clap::Args)]
struct CityTls {
    /// The collector's certificate chain (PEM); with --tls-key, it serves HTTPS itself.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The certificate's private key (PEM).
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
}

#[derive(Subcommand)]
enum TlsCommand {
    /// A local certificate authority and the hall's certificate it signs (ca.crt, ca.key,
    /// motcua.crt, motcua.key in --out); existing files are never overwritten.
    SelfSigned {
        /// Where to write the four files.
        #[arg(long, default_value = "./motcua-tls")]
        out: PathBuf,
        /// A host name or IP address devices reach the hall by (repeat for each).
        #[arg(long = "name", value_name = "NAME_OR_IP")]
        names: Vec<String>,
    },
}

#[derive(Subcommand)]
enum CityCommand {
    /// Run the city's collector: halls report to it, the city office reads their figures.
    Serve {
        #[command(flatten)]
        common: CityCommon,
        /// Address to listen on.
        #[arg(long, env = "MOTCUA_CITY_LISTEN", default_value = "0.0.0.0:8090")]
        listen: String,
        /// How far (seconds) a batch's signing time may be from this clock.
        #[arg(long, default_value_t = 300)]
        max_skew_seconds: i64,
        /// A hall without a report for this long is shown as gone silent.
        #[arg(long, default_value_t = 60)]
        silent_after_minutes: i64,
        /// A reverse proxy in front of the collector, whose X-Forwarded-For is believed
        /// (repeat for each).
        #[arg(long = "trusted-proxy", value_name = "ADDRESS")]
        trusted_proxies: Vec<std::net::IpAddr>,
        #[command(flatten)]
        tls: CityTls,
        #[command(flatten)]
        upstream: CityUpstream,
    },
    /// At the country's collector: the province collectors that forward their halls' days.
    Region {
        #[command(subcommand)]
        command: CityRegionCommand,
    },
    /// Halls that report to the collector.
    Hall {
        #[command(subcommand)]
        command: CityHallCommand,
    },
    /// The city office's accounts; the password is read from standard input.
    User {
        #[command(subcommand)]
        command: UserCommandCity,
    },
    /// On PostgreSQL, a BI tool's login that reads the `bi` views and nothing else; the
    /// password is read from standard input.
    Reader {
        /// The login's name (lower-case letters, digits and _).
        name: String,
        #[command(flatten)]
        common: CityCommon,
    },
}

#[derive(Subcommand)]
enum CityRegionCommand {
    /// Register a province's collector and print its code and secret, once, for its
    /// --upstream-code and --upstream-secret.
    Add {
        name: String,
        #[command(flatten)]
        common: CityCommon,
    },
}

#[derive(Subcommand)]
enum CityHallCommand {
    /// Register a hall and print its code and secret, once, for its `[city]` settings.
    Add {
        name: String,
        /// The province (or city) it belongs to, for the country's page.
        #[arg(long)]
        province: Option<String>,
        #[command(flatten)]
        common: CityCommon,
    },
    /// Say which province (or city) a hall belongs to.
    Province {
        /// The hall's code.
        code: String,
        /// The province's name, e.g. "Hà Nội".
        province: String,
        #[command(flatten)]
        common: CityCommon,
    },
    /// Give a hall a new secret and print it, once; the old one stops working at once.
    Rotate {
        /// The hall's code, e.g. hall-3f2a9c0d1b7e.
        code: String,
        #[command(flatten)]
        common: CityCommon,
    },
    /// Give a hall a new code (a commune renamed), keeping its history; prints its new
    /// secret, once, for its `[city]` settings (the old code and secret stop working).
    Recode {
        /// The hall's code now.
        code: String,
        /// Its new code: 3 to 64 lower-case letters, digits, '-', '_' and '.'.
        new_code: String,
        /// Its new name, if it has one.
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        common: CityCommon,
    },
    /// Merge a hall into another (communes merged): its history, and anything it still
    /// sends, counts as the other's from now on.
    Merge {
        /// The hall merged away.
        code: String,
        /// The hall it joins.
        #[arg(long)]
        into: String,
        #[command(flatten)]
        common: CityCommon,
    },
}

#[derive(Subcommand)]
enum UserCommandCity {
    /// Add a user of the city office (admin or manager); password on standard input.
    Add {
        name: String,
        #[arg(long)]
        role: Role,
        #[command(flatten)]
        common: CityCommon,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user; the password is read from standard input.
    Add {
        name: String,
        #[arg(long)]
        role: Role,
        #[command(flatten)]
        common: Common,
    },
    /// List the staff, disabled ones too.
    List {
        #[command(flatten)]
        common: Common,
    },
    /// Disable a user: no more sign-ins; their sessions and console sockets end at once.
    Disable {
        name: String,
        #[command(flatten)]
        common: Common,
    },
    /// Let a disabled user sign in again.
    Enable {
        name: String,
        #[command(flatten)]
        common: Common,
    },
    /// Give a user a new password, read from standard input; their sessions end.
    ResetPassword {
        name: String,
        #[command(flatten)]
        common: Common,
    },
}

#[derive(Subcommand)]
enum DeviceCommand {
    /// Add a device and print its token, once, alone on standard output.
    Add {
        name: String,
        #[arg(long)]
        kind: DeviceKind,
        /// For a printer: the kiosk (by name) whose tickets it prints.
        #[arg(long, required_if_eq("kind", "printer"))]
        kiosk: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// List the devices with their last sign of life, revoked ones too.
    List {
        #[command(flatten)]
        common: Common,
    },
    /// Revoke a device's token: refused from now on; its open sockets close at once.
    Revoke {
        name: String,
        #[command(flatten)]
        common: Common,
    },
}

fn settings(common: &Common) -> anyhow::Result<Settings> {
    let mut settings = Settings::load(common.config.as_deref())?;
    if let Some(data) = &common.data {
        settings.server.data_dir = data.clone();
    }
    Ok(settings)
}

fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // The whole chain, one line, no backtrace: this is for the person at the console.
            eprintln!("motcua: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tower_http=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match Cli::parse().command {
        Command::Serve { common, listen } => serve(&common, listen),
        Command::User {
            command: UserCommand::Add { name, role, common },
        } => {
            let settings = settings(&common)?;
            let mut password = String::new();
            std::io::stdin().lock().read_line(&mut password)?;
            let password = password.trim_end_matches(['\r', '\n']);
            let conn = store::open_for_admin(&settings.server.data_dir)?;
            let hall = settings.hall.name.clone();
            let user = staff::add_user_in(&conn, &name, role, password, &[&hall], now_ms())
                .map_err(refused_user)?;
            eprintln!("added {} {:?} ({})", user.role.as_str(), user.name, user.id);
            Ok(())
        }
        Command::Device {
            command:
                DeviceCommand::Add {
                    name,
                    kind,
                    kiosk,
                    common,
                },
        } => {
            let settings = settings(&common)?;
            if kind == DeviceKind::Tablet {
                anyhow::bail!(
                    "a tablet is bound to a counter: pair it by the code on its screen (admin page, Thiết bị › Ghép nối thiết bị)"
                );
            }
            let conn = store::open_for_admin(&settings.server.data_dir)?;
            let added = match (kind, kiosk) {
                (DeviceKind::Printer, Some(kiosk)) => {
                    staff::add_printer(&conn, &name, &kiosk, now_ms())
                }
                (_, None) => staff::add_device(&conn, &name, kind, now_ms()),
                (_, Some(_)) => anyhow::bail!("--kiosk is only for printers"),
            };
            let (device, token) = added.map_err(|e| anyhow::anyhow!("{e}"))?;
            eprintln!(
                "added {} {:?}; its token follows, shown this once",
                device.kind.as_str(),
                device.name
            );
            println!("{token}");
            Ok(())
        }
        Command::User {
            command: UserCommand::List { common },
        } => revocation::list_users(&settings(&common)?),
        Command::User {
            command: UserCommand::Disable { name, common },
        } => revocation::disable_user(&settings(&common)?, &name),
        Command::User {
            command: UserCommand::Enable { name, common },
        } => revocation::enable_user(&settings(&common)?, &name),
        Command::User {
            command: UserCommand::ResetPassword { name, common },
        } => revocation::reset_password(&settings(&common)?, &name),
        Command::Device {
            command: DeviceCommand::List { common },
        } => revocation::list_devices(&settings(&common)?),
        Command::Device {
            command: DeviceCommand::Revoke { name, common },
        } => revocation::revoke_device(&settings(&common)?, &name),
        Command::Backup { out, common } => {
            let settings = settings(&common)?;
            println!(
                "{}",
                motcua_store::backup::backup(&settings.server.data_dir, &out)?
            );
            Ok(())
        }
        Command::City { command } => city(command),
        Command::Tls {
            command: TlsCommand::SelfSigned { out, names },
        } => tls_tool::self_signed(&out, &names, &mut std::io::stdout().lock()),
        Command::Restore { file, common } => {
            let settings = settings(&common)?;
            println!(
                "{}",
                motcua_store::backup::restore(&settings.server.data_dir, &file)?
            );
            Ok(())
        }
    }
}

#[tokio::main]
async fn city(command: CityCommand) -> anyhow::Result<()> {
    let refused = |e: motcua_city::store::Error| anyhow::anyhow!("{e}");
    let print_secret = |hall: motcua_city::store::Registered| {
        println!("hall = \"{}\"", hall.code);
        println!("secret = \"{}\"", hall.secret);
    };
    match command {
        CityCommand::Serve {
            common,
            listen,
            max_skew_seconds,
            silent_after_minutes,
            trusted_proxies,
            tls,
            upstream,
        } => {
            city_serve(
                common,
                listen,
                max_skew_seconds,
                silent_after_minutes,
                trusted_proxies,
                tls,
                upstream,
            )
            .await
        }
        CityCommand::Region {
            command: CityRegionCommand::Add { name, common },
        } => {
            let (db, master) = common.open().await?;
            let Some(pg) = db.rows() else {
                anyhow::bail!(
                    "the country's collector keeps its figures on PostgreSQL: give --database postgres://…"
                );
            };
            let region = pg
                .register_region(&master, &name, now_ms())
                .await
                .map_err(refused)?;
            eprintln!(
                "registered {name:?}; give its collector these (--upstream-code, and --upstream-secret or MOTCUA_CITY_UPSTREAM_SECRET). The secret is shown this once:"
            );
            print_secret(region);
            Ok(())
        }
        CityCommand::Hall {
            command:
                CityHallCommand::Add {
                    name,
                    province,
                    common,
                },
        } => {
            let (db, master) = common.open().await?;
            let hall = db
                .register_hall(master, name.clone(), now_ms())
                .await
                .map_err(refused)?;
            if let Some(province) = province {
                db.set_province(hall.code.clone(), province)
                    .await
                    .map_err(refused)?;
            }
            eprintln!(
                "registered {name:?}; put these in the hall's settings ([city] hall and secret). The secret is shown this once:"
            );
            print_secret(hall);
            Ok(())
        }
        CityCommand::Hall {
            command: CityHallCommand::Rotate { code, common },
        } => {
            let (db, master) = common.open().await?;
            let hall = db
                .rotate_secret(master, code.clone())
                .await
                .map_err(refused)?;
            eprintln!("{code}: a new secret, shown this once; the old one no longer works:");
            print_secret(hall);
            Ok(())
        }
        CityCommand::Hall {
            command:
                CityHallCommand::Recode {
                    code,
                    new_code,
                    name,
                    common,
                },
        } => {
            let (db, master) = common.open().await?;
            let hall = db
                .recode(master, code.clone(), new_code, name)
                .await
                .map_err(refused)?;
            eprintln!(
                "{code} is now {}, its history kept; put these in the hall's settings ([city] hall and secret). The secret is shown this once:",
                hall.code
            );
            print_secret(hall);
            Ok(())
        }
        CityCommand::Hall {
            command:
                CityHallCommand::Province {
                    code,
                    province,
                    common,
                },
        } => {
            let (db, _) = common.open().await?;
            db.set_province(code.clone(), province.clone())
                .await
                .map_err(refused)?;
            eprintln!("{code} belongs to {province:?}");
            Ok(())
        }
        CityCommand::Hall {
            command: CityHallCommand::Merge { code, into, common },
        } => {
            let (db, _) = common.open().await?;
            db.merge(code.clone(), into.clone())
                .await
                .map_err(refused)?;
            eprintln!("{code} is merged into {into}: its history counts as {into}'s");
            Ok(())
        }
        CityCommand::User {
            command: UserCommandCity::Add { name, role, common },
        } => {
            let mut password = String::new();
            std::io::stdin().lock().read_line(&mut password)?;
            let password = password.trim_end_matches(['\r', '\n']).to_owned();
            let (db, _) = common.open().await?;
            const OFFICE: &[&str] = &["thành phố", "thống kê", "city", "thongke"];
            let user = db
                .add_user(name, role, password, OFFICE, now_ms())
                .await
                .map_err(refused_user)?;
            eprintln!("added {} {:?} ({})", user.role.as_str(), user.name, user.id);
            Ok(())
        }
        CityCommand::Reader { name, common } => {
            let mut password = String::new();
            std::io::stdin().lock().read_line(&mut password)?;
            let password = password.trim_end_matches(['\r', '\n']);
            let (db, _) = common.open().await?;
            let Some(pg) = db.rows() else {
                anyhow::bail!(
                    "a reader is a PostgreSQL login: give --database postgres://… (the SQLite file is read with a copy of it)"
                );
            };
            let reader = pg.add_reader(&name, password).await.map_err(refused)?;
            eprintln!(
                "added the login {:?}: it reads the views of the schema bi (README: \"The city's figures in a BI tool\")",
                reader.name
            );
            Ok(())
        }
    }
}

async fn city_serve(
    common: CityCommon,
    listen: String,
    max_skew_seconds: i64,
    silent_after_minutes: i64,
    trusted_proxies: Vec<std::net::IpAddr>,
    tls: CityTls,
    upstream: CityUpstream,
) -> anyhow::Result<()> {
    let upstream = match (
        upstream.upstream,
        upstream.upstream_code,
        upstream.upstream_secret,
    ) {
        (Some(url), Some(code), Some(secret)) => Some(motcua_city::national::Upstream {
            url,
            code,
            secret,
            retry_max: std::time::Duration::from_secs(60),
        }),
        _ => None,
    };
    let tls = match (&tls.tls_cert, &tls.tls_key) {
        (Some(cert), Some(key)) => Some(motcua_web::tls::Tls::from_pem_files(cert, key).map_err(
            |e| {
                let flag = match e {
                    motcua_web::tls::TlsError::Certificate { .. } => "--tls-cert",
                    motcua_web::tls::TlsError::Key { .. } => "--tls-key",
                };
                anyhow::anyhow!("bad {flag}: {e}")
            },
        )?),
        _ => None,
    };
    let https = tls.is_some();
    let settings = motcua_city::CitySettings {
        max_skew_seconds,
        silent_after_minutes,
        trusted_proxies: motcua_web::client::TrustedProxies::new(trusted_proxies),
        tls,
        upstream: upstream.clone(),
        ..Default::default()
    };
    let database = common.database()?;
    let state = motcua_city::build_state(&common.data, &database, Arc::new(SystemClock), settings)
        .await
        .with_context(|| common.where_())?;
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let mut base = default_public_url(listener.local_addr()?);
    if https {
        base = base.replacen("http://", "https://", 1);
    }
    println!("motcua city collector listening on {base}");
    println!("  data:        {}", common.data.display());
    if let Some(url) = common.database.as_deref().filter(|u| !u.trim().is_empty()) {
        println!("  database:    {}", motcua_city::pg::redacted(url));
    }
    if let Some(upstream) = &upstream {
        println!(
            "  forwards to: {}{} as {}",
            upstream.url.trim_end_matches('/'),
            motcua_city::national::FIGURES_PATH,
            upstream.code
        );
    }
    println!("  dashboard:   {base}/city/");
    println!("  halls post:  {base}{}", motcua_web::protocol::BATCH_PATH);
    println!("  API:         {base}/api/openapi.json");
    let data = common.data.display();
    let database = if common.database.is_some() {
        " --database …"
    } else {
        ""
    };
    if state.store.count_users().await? == 0 {
        println!("  no account yet for the city office; add one (password on standard input):");
        println!("    motcua city user add NAME --role manager --data {data}{database}");
    }
    if state
        .store
        .halls()
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .is_empty()
    {
        println!("  no hall registered yet; register each (it prints the hall's code and secret):");
        println!("    motcua city hall add \"UBND phường …\" --data {data}{database}");
    }
    println!();
    motcua_city::serve(listener, state, shutdown_signal()).await?;
    Ok(())
}

/// Why a new user was refused, for the person at the console (a weak password in
/// Vietnamese first).
fn refused_user(e: motcua_domain::Error) -> anyhow::Error {
    match e {
        motcua_domain::Error::Invalid {
            code: "weak_password",
            message,
        } => anyhow::anyhow!(
            "mật khẩu quá yếu: cần ít nhất 10 ký tự, không phổ biến, không lặp lại, không dựa \
             trên tên, vai trò hay tên bộ phận / weak password: {message}"
        ),
        other => anyhow::anyhow!("{other}"),
    }
}

fn now_ms() -> i64 {
    SystemClock.now().timestamp_millis()
}

#[tokio::main]
async fn serve(common: &Common, listen: Option<String>) -> anyhow::Result<()> {
    let mut settings = settings(common)?;
    if let Some(listen) = listen {
        settings.server.listen = listen;
    }
    let mut hall = settings.hall()?;
    let listener = tokio::net::TcpListener::bind(&settings.server.listen)
        .await
        .with_context(|| format!("cannot listen on {}", settings.server.listen))?;
    let addr = listener.local_addr()?;
    if settings.server.public_url.is_none() {
        hall.public_url = settings.server.default_scheme(default_public_url(addr));
    }
    let data_dir = settings.server.data_dir.clone();
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let state = motcua_hall::wire(&settings, hall, &data_dir, clock)
        .with_context(|| format!("cannot start the hall on {}", data_dir.display()))?;
    if settings.city.enabled() {
        // Runs until the process ends; an acknowledgement lost at exit is sent again.
        state.uplink.start(
            state.store.clone(),
            state.clock.clone(),
            settings.city.clone(),
            std::future::pending(),
        );
    }
    let base = settings.server.default_scheme(default_public_url(addr));
    let mut out = std::io::stdout().lock();
    writeln!(out, "motcua listening on {base}")?;
    writeln!(
        out,
        "  hall:        {} ({} fields, {} counters)",
        state.store.hall().name,
        state.store.hall().services.len(),
        state.store.hall().counters.len()
    )?;
    writeln!(out, "  data:        {}", data_dir.display())?;
    writeln!(
        out,
        "  kiosk:       {base}/kiosk/  (it shows a code: accept it on the admin pages, Thiết bị; or ?token=… from motcua device add)"
    )?;
    writeln!(
        out,
        "  printer:     motcua-printer agent --server {base} --printer ADDR  (it prints a code: accept it on Thiết bị)"
    )?;
    writeln!(
        out,
        "  hall TV:     {base}/display/   counter display: {base}/display/?counter=1"
    )?;
    writeln!(
        out,
        "  clerk:       {base}/counter/   rating tablet:   {base}/counter/rating.html?counter=1"
    )?;
    writeln!(
        out,
        "  manager:     {base}/dashboard/   admin pages: {base}/admin/"
    )?;
    writeln!(
        out,
        "  booking:     {base}/book/   (citizens book a time ahead)"
    )?;
    writeln!(out, "  API:         {base}/api/openapi.json")?;
    writeln!(
        out,
        "  health:      {base}/healthz   metrics: {base}/metrics"
    )?;
    if common.config.is_none() {
        demo_accounts(&data_dir, &base, &mut out)?;
    }
    // An empty line ends the banner (scripts and tests read up to it).
    writeln!(out)?;
    out.flush()?;
    drop(out);
    motcua_hall::serve(listener, state, shutdown_signal()).await?;
    Ok(())
}

/// On the demo hall's first start, create one account of each kind and say so, once.
fn demo_accounts(data_dir: &Path, base: &str, out: &mut impl Write) -> anyhow::Result<()> {
    let conn = store::open_for_admin(data_dir)?;
    if accounts::count_users(&conn).map_err(|e| anyhow::anyhow!("{e}"))? > 0 {
        return Ok(());
    }
    writeln!(
        out,
        "  demo accounts (shown this once; keep them or add your own with `motcua user add`):"
    )?;
    let people = [
        ("admin", Role::Admin),
        ("quanly", Role::Manager),
        ("canbo1", Role::Clerk),
        ("canbo2", Role::Clerk),
        ("canbo3", Role::Clerk),
        ("canbo4", Role::Clerk),
    ];
    for (name, role) in people {
        // 16 random hex digits (64 bits), drawn again in the rare case the password policy
        // finds a pattern in them.
        let password = std::iter::repeat_with(|| accounts::random_token()[..16].to_owned())
            .take(8)
            .find(|p| staff::check_password(p, name, role, &[]).is_ok())
            .ok_or_else(|| anyhow::anyhow!("no demo password passed the policy"))?;
        staff::add_user(&conn, name, role, &password, now_ms())
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        writeln!(
            out,
            "    {:<8} {:<8} password {}",
            name,
            role.as_str(),
            password
        )?;
    }
    give_back_hashing_memory();
    let (_, kiosk) = staff::add_device(&conn, "kiosk-demo", DeviceKind::Kiosk, now_ms())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    writeln!(
        out,
        "  demo kiosk, paired by opening: {base}/kiosk/?token={kiosk}"
    )?;
    Ok(())
}

/// Argon2 hashing takes 19 MiB a time; glibc keeps the freed pages in the heap, so a
/// first start would sit on ~80 MB it no longer uses. Hand them back to the system.
// The one `unsafe` of the workspace: glibc keeps the 19 MiB each argon2 hash used, and
// only malloc_trim gives it back to the system (a hall box has 2 to 4 GB).
#[allow(unsafe_code)]
fn give_back_hashing_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free heap memory; it touches no live allocation.
    unsafe {
        libc::malloc_trim(0);
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
