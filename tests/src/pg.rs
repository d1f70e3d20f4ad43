//! A throwaway PostgreSQL for the tests and benches of the city's collector on PostgreSQL.
//!
//! One server per test process, started on first use ([`server`]), and one fresh empty
//! database per test ([`database`]), so tests never see each other's rows. When
//! `MOTCUA_TEST_POSTGRES` names a running server (a superuser's URL, as `./scripts/test`
//! exports for the whole run from `scripts/pg-throwaway`), the databases are made there;
//! otherwise the harness runs its own: `initdb` in a temp dir, then `postgres` on a free
//! port of 127.0.0.1, with durability off (fsync, synchronous commit, full page writes):
//! nothing here has to survive a crash.
//!
//! `initdb` and `postgres` refuse to run as root, and CI runs as root: then both run as
//! `nobody` in a dir it owns. The server must not outlive the tests, whichever way they
//! end (a panic, `kill -9`, Ctrl-C): it runs under a small shell watchdog, in a process
//! group of its own, that stops it (fast shutdown) and removes its dir once the test
//! process is gone. A missing PostgreSQL fails the test saying how to install it; it
//! never skips.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use tokio_postgres::NoTls;

/// The variable naming a running server to use instead of starting one: the URL of a
/// superuser's connection, e.g. `postgres://motcua@127.0.0.1:5433/postgres`.
pub const VARIABLE: &str = "MOTCUA_TEST_POSTGRES";

/// The superuser `initdb` makes on a server of our own.
const SUPERUSER: &str = "motcua";

/// How long a server of our own may take to accept connections.
const READY_WITHIN: Duration = Duration::from_secs(60);

/// Ports tried before giving up (a free port may be taken between our look and the
/// server's bind, by another test process doing the same).
const PORT_TRIES: usize = 5;

const HOW_TO_GET_ONE: &str = "install PostgreSQL's server (`apt-get install postgresql-15`; \
     ./scripts/test does it when missing), or set MOTCUA_TEST_POSTGRES to a superuser's URL \
     of a running server, e.g. postgres://motcua@127.0.0.1:5433/postgres";

/// The PostgreSQL server of this test process.
pub struct Server {
    /// The superuser's URL to the `postgres` database; [`Server::url`] swaps the database.
    superuser: url::Url,
    /// The server this process started, or `None` when `MOTCUA_TEST_POSTGRES` named one.
    own: Option<Own>,
}

/// A server this process started (and its watchdog stops).
struct Own {
    /// The temp dir holding the data dir (`data`), the socket and the log.
    dir: PathBuf,
}

/// The server of this test process: the one `MOTCUA_TEST_POSTGRES` names, else one started
/// on first use. Panics, saying how to get PostgreSQL, when neither is possible; every
/// later call panics with the same message rather than trying again.
pub fn server() -> &'static Server {
    static SERVER: OnceLock<Result<Server, String>> = OnceLock::new();
    match SERVER.get_or_init(Server::given_or_started) {
        Ok(server) => server,
        Err(why) => panic!("no PostgreSQL for the tests: {why}"),
    }
}

/// A fresh empty database on [`server`], its URL. Each test calls it once.
pub async fn database() -> String {
    server().database().await
}

impl Server {
    fn given_or_started() -> Result<Server, String> {
        match std::env::var(VARIABLE) {
            Ok(url) if !url.trim().is_empty() => Server::given(url.trim()),
            _ => Server::start(),
        }
    }

    fn given(url: &str) -> Result<Server, String> {
        let superuser =
            url::Url::parse(url).map_err(|e| format!("{VARIABLE}={url} is not a URL ({e})"))?;
        if !matches!(superuser.scheme(), "postgres" | "postgresql") || !superuser.has_host() {
            return Err(format!(
                "{VARIABLE}={url} is not a postgres:// URL with a host, \
                 e.g. postgres://motcua@127.0.0.1:5433/postgres"
            ));
        }
        Ok(Server {
            superuser,
            own: None,
        })
    }

    /// A URL to database `db` as the superuser.
    pub fn url(&self, db: &str) -> String {
        let mut url = self.superuser.clone();
        url.set_path(&format!("/{db}"));
        url.to_string()
    }

    /// The superuser's URL to the `postgres` database: for making and dropping databases
    /// and roles.
    pub fn superuser_url(&self) -> String {
        self.url("postgres")
    }

    /// The data dir of the server this process started; `None` when `MOTCUA_TEST_POSTGRES`
    /// named the server.
    pub fn data_directory(&self) -> Option<PathBuf> {
        self.own.as_ref().map(|own| own.dir.join("data"))
    }

    /// Makes a fresh empty database with a name of its own (`t_` and 16 random hex
    /// digits) and answers its URL. Nobody drops it: a throwaway server goes with its
    /// databases, and a server named by `MOTCUA_TEST_POSTGRES` is the caller's to clean.
    pub async fn database(&self) -> String {
        let name = format!("t_{:016x}", rand::random::<u64>());
        let admin = self.superuser_url();
        let (client, connection) = tokio_postgres::connect(&admin, NoTls)
            .await
            .unwrap_or_else(|e| panic!("connecting to {admin}: {e}"));
        let connection = tokio::spawn(connection);
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap_or_else(|e| panic!("CREATE DATABASE {name} on {admin}: {e}"));
        drop(client);
        // The connection ends with its client; a failure there is the server's.
        if let Ok(Err(e)) = connection.await {
            panic!("the connection to {admin} failed: {e}");
        }
        self.url(&name)
    }

    /// initdb in a temp dir, then the server on a free port under its watchdog.
    fn start() -> Result<Server, String> {
        let bin = binaries()?;
        let as_nobody = if running_as_root()? {
            Some(Nobody::find()?)
        } else {
            None
        };
        let dir = tempfile::Builder::new()
            .prefix("motcua-pg-")
            .tempdir()
            .map_err(|e| format!("making a temp dir: {e}"))?
            .keep();
        if let Some(nobody) = &as_nobody {
            nobody.owns(&dir)?;
        }
        init(&bin, &dir, as_nobody.as_ref())?;
        let log = dir.join("postgres.log");
        for _ in 0..PORT_TRIES {
            let port = free_port()?;
            let watchdog = watch(&bin, &dir, &log, port, as_nobody.as_ref())?;
            match ready(&bin, watchdog, &dir, port, &log)? {
                Started::Ready => {
                    let superuser = url::Url::parse(&format!(
                        "postgres://{SUPERUSER}@127.0.0.1:{port}/postgres"
                    ))
                    .map_err(|e| format!("our own URL: {e}"))?;
                    return Ok(Server {
                        superuser,
                        own: Some(Own { dir }),
                    });
                }
                Started::Stopped => continue,
            }
        }
        Err(format!(
            "the server stopped while starting, on {PORT_TRIES} ports in turn; its log: {}\n{}",
            log.display(),
            tail(&log)
        ))
    }
}

/// The directory holding `initdb` and `postgres`: `pg_config --bindir`, else the newest
/// `/usr/lib/postgresql/*/bin` (Debian's layout), else wherever `initdb` is on `PATH`.
fn binaries() -> Result<PathBuf, String> {
    let has_server = |dir: &Path| dir.join("initdb").is_file() && dir.join("postgres").is_file();
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output()
        && out.status.success()
    {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if has_server(&dir) {
            return Ok(dir);
        }
    }
    let mut debian: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .filter(|(_, dir)| has_server(dir))
        .collect();
    debian.sort();
    if let Some((_, dir)) = debian.pop() {
        return Ok(dir);
    }
    if let Ok(out) = Command::new("sh")
        .args(["-c", "command -v initdb"])
        .output()
        && out.status.success()
        && let Ok(initdb) = std::fs::canonicalize(String::from_utf8_lossy(&out.stdout).trim())
        && let Some(dir) = initdb.parent()
        && has_server(dir)
    {
        return Ok(dir.to_owned());
    }
    Err(format!(
        "initdb and postgres are not found (pg_config --bindir, /usr/lib/postgresql/*/bin, \
         PATH): {HOW_TO_GET_ONE}"
    ))
}

/// Whether this process runs as root (its effective uid, from /proc: the tests deny
/// unsafe code, so no `geteuid()`).
fn running_as_root() -> Result<bool, String> {
    let status = std::fs::read_to_string("/proc/self/status")
        .map_err(|e| format!("reading /proc/self/status: {e}"))?;
    let uids = status
        .lines()
        .find_map(|line| line.strip_prefix("Uid:"))
        .ok_or("no Uid: line in /proc/self/status")?;
    // Real, effective, saved, file system.
    Ok(uids.split_whitespace().nth(1) == Some("0"))
}

/// The unprivileged user the server runs as when the tests run as root.
struct Nobody {
    gid: String,
}

impl Nobody {
    fn find() -> Result<Nobody, String> {
        let out = Command::new("id")
            .args(["-g", "nobody"])
            .output()
            .map_err(|e| format!("id -g nobody: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "the tests run as root, and initdb and postgres refuse root, but there is no \
                 user nobody to run them as: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok(Nobody {
            gid: String::from_utf8_lossy(&out.stdout).trim().to_owned(),
        })
    }

    /// Gives `dir` to nobody, readable by nobody else (initdb wants no more).
    fn owns(&self, dir: &Path) -> Result<(), String> {
        let chown = Command::new("chown")
            .arg("-R")
            .arg(format!("nobody:{}", self.gid))
            .arg(dir)
            .output()
            .map_err(|e| format!("chown: {e}"))?;
        if !chown.status.success() {
            return Err(format!(
                "chown -R nobody {}: {}",
                dir.display(),
                String::from_utf8_lossy(&chown.stderr)
            ));
        }
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| format!("chmod 0700 {}: {e}", dir.display()))
    }

    /// `program` run as nobody: setpriv execs it (no process in between), so the pid the
    /// watchdog holds is the server's own.
    fn command(&self, program: &Path) -> Command {
        let mut command = Command::new("setpriv");
        command
            .arg("--reuid=nobody")
            .arg(format!("--regid={}", self.gid))
            .arg("--clear-groups")
            .arg("--")
            .arg(program);
        command
    }
}

/// `program`, as nobody when the tests run as root.
fn command(program: &Path, as_nobody: Option<&Nobody>) -> Command {
    match as_nobody {
        Some(nobody) => nobody.command(program),
        None => Command::new(program),
    }
}

/// initdb into `dir/data`: trust, superuser `motcua`, UTF-8, the C.UTF-8 locale (sorting
/// by code point, as the tests expect everywhere), or no locale where C.UTF-8 is missing.
fn init(bin: &Path, dir: &Path, as_nobody: Option<&Nobody>) -> Result<(), String> {
    let data = dir.join("data");
    let run = |locale: &str| -> Result<Output, String> {
        command(&bin.join("initdb"), as_nobody)
            .arg("-D")
            .arg(&data)
            .args([
                "-A",
                "trust",
                "-U",
                SUPERUSER,
                "-E",
                "UTF8",
                "--no-sync",
                locale,
            ])
            .current_dir(dir)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("running {}/initdb: {e}", bin.display()))
    };
    let with_locale = run("--locale=C.UTF-8")?;
    if with_locale.status.success() {
        return Ok(());
    }
    // initdb removes what it made when it fails, so the second try starts clean.
    let without = run("--no-locale")?;
    if without.status.success() {
        return Ok(());
    }
    Err(format!(
        "initdb failed in {}, with --locale=C.UTF-8:\n{}{}\nand with --no-locale:\n{}{}",
        dir.display(),
        String::from_utf8_lossy(&with_locale.stdout),
        String::from_utf8_lossy(&with_locale.stderr),
        String::from_utf8_lossy(&without.stdout),
        String::from_utf8_lossy(&without.stderr),
    ))
}

/// A port of 127.0.0.1 nobody listens on now.
fn free_port() -> Result<u16, String> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .map_err(|e| format!("looking for a free port: {e}"))
}

/// The watchdog: it starts the server (its output appended to the log) and checks about
/// every second that the test process and the server are both still there. When the test
/// process is gone it stops the server (SIGINT: fast shutdown, the clients' work rolled
/// back) and removes the dir; when the server stops on its own (its port taken, say) it
/// leaves, and the dir stays for the next try or for reading its log.
const WATCHDOG: &str = r#"
parent=$1 dir=$2 log=$3
shift 3
"$@" >>"$log" 2>&1 </dev/null &
server=$!
while [ -d "/proc/$parent" ] && kill -0 "$server" 2>/dev/null; do
    sleep 1
done
if kill -INT "$server" 2>/dev/null; then
    wait "$server"
fi
if [ ! -d "/proc/$parent" ]; then
    rm -rf "$dir"
fi
"#;

fn watch(
    bin: &Path,
    dir: &Path,
    log: &Path,
    port: u16,
    as_nobody: Option<&Nobody>,
) -> Result<Child, String> {
    let postgres = command(&bin.join("postgres"), as_nobody);
    let mut sh = Command::new("sh");
    sh.arg("-c")
        .arg(WATCHDOG)
        .arg("motcua-pg-watchdog")
        .arg(std::process::id().to_string())
        .arg(dir)
        .arg(log)
        .arg(postgres.get_program())
        .args(postgres.get_args())
        .arg("-D")
        .arg(dir.join("data"))
        .arg("-p")
        .arg(port.to_string())
        .arg("-k")
        .arg(dir)
        .args([
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            "fsync=off",
            "-c",
            "synchronous_commit=off",
            "-c",
            "full_page_writes=off",
            "-c",
            "max_connections=200",
        ])
        .current_dir(dir)
        // Not the test's output (a pipe held open would keep a reader waiting), and its own
        // process group: a Ctrl-C on the tests reaches the test process, not the watchdog,
        // which then cleans up after it.
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    std::os::unix::process::CommandExt::process_group(&mut sh, 0);
    sh.spawn().map_err(|e| format!("starting sh: {e}"))
}

enum Started {
    Ready,
    /// The server stopped before it was ready: its port was taken, most likely.
    Stopped,
}

/// Waits, within [`READY_WITHIN`], until the server accepts connections: its
/// `postmaster.pid` says ready on our port (so a server of someone else's that took the
/// port first is never mistaken for ours), and `pg_isready` agrees (where the client's
/// programs are installed beside the server's, as Debian's packages do).
fn ready(
    bin: &Path,
    mut watchdog: Child,
    dir: &Path,
    port: u16,
    log: &Path,
) -> Result<Started, String> {
    let pid_file = dir.join("data").join("postmaster.pid");
    let pg_isready = bin.join("pg_isready");
    let deadline = Instant::now() + READY_WITHIN;
    loop {
        if watchdog
            .try_wait()
            .map_err(|e| format!("watching the server's watchdog: {e}"))?
            .is_some()
        {
            return Ok(Started::Stopped);
        }
        if says_ready(&pid_file, port)
            && (!pg_isready.is_file()
                || Command::new(&pg_isready)
                    .args(["-q", "-h", "127.0.0.1", "-U", SUPERUSER, "-d", "postgres"])
                    .arg("-p")
                    .arg(port.to_string())
                    .status()
                    .is_ok_and(|status| status.success()))
        {
            return Ok(Started::Ready);
        }
        if Instant::now() > deadline {
            return Err(format!(
                "the server did not accept connections on 127.0.0.1:{port} within {}s; its log: {}\n{}",
                READY_WITHIN.as_secs(),
                log.display(),
                tail(log)
            ));
        }
        // A bounded readiness poll: the server says nothing when it is up but in its files.
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// Whether `postmaster.pid` names our port and says the server accepts connections (its
/// 4th line the port, its 8th the state).
fn says_ready(pid_file: &Path, port: u16) -> bool {
    let Ok(text) = std::fs::read_to_string(pid_file) else {
        return false;
    };
    let lines: Vec<&str> = text.lines().collect();
    lines.get(3).map(|l| l.trim()) == Some(port.to_string().as_str())
        && lines.get(7).is_some_and(|l| l.trim() == "ready")
}

/// The last lines of the server's log, for a failure's message.
fn tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(20)..]
        .iter()
        .map(|line| format!("    {line}\n"))
        .collect()
}
