//! What the tests of the real binary share: starting `motcua` and reading its banner,
//! running one of its commands, adding a kiosk. A server is killed when its test ends, even
//! one that fails.

#![allow(dead_code)] // each test file uses its own part

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_motcua");

/// A running `motcua serve` (or `city serve`), the address it printed, and its start-up
/// banner.
pub struct Server {
    child: Child,
    pub base: String,
    pub banner: String,
}

impl Server {
    /// `motcua serve` on a free port, on `data`, with `extra` arguments.
    pub fn start(data: &Path, extra: &[&str]) -> Server {
        let mut command = Command::new(BIN);
        command
            .args(["serve", "--listen", "127.0.0.1:0", "--data"])
            .arg(data)
            .args(extra);
        Server::spawn(command)
    }

    /// `motcua serve` as [`Server::start`], with no issuing limits: for tests whose kiosks
    /// issue as fast as the server answers.
    pub fn start_unlimited(data: &Path, extra: &[&str]) -> Server {
        let mut command = Command::new(BIN);
        command
            .args(["serve", "--listen", "127.0.0.1:0", "--data"])
            .arg(data)
            .args(extra)
            .env("MOTCUA_LIMITS__KIOSK_TICKETS_PER_MINUTE", "0");
        Server::spawn(command)
    }

    /// Start `command` and read its banner. The banner ends with an empty line, printed
    /// before serving starts; the listener is bound before the first line ("… listening on
    /// http://…"), so no waiting is needed.
    pub fn spawn(mut command: Command) -> Server {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start motcua");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let first = lines.next().expect("a first line").expect("text");
        let base = first
            .split_once(" listening on ")
            .map(|(_, base)| base.to_owned())
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"));
        let mut banner = first.clone();
        for line in lines.by_ref() {
            let line = line.expect("text");
            if line.is_empty() {
                break;
            }
            banner.push('\n');
            banner.push_str(&line);
        }
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server {
            child,
            base,
            banner,
        }
    }

    pub fn port(&self) -> &str {
        self.base.rsplit(':').next().expect("a port")
    }

    pub fn kill_9(mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reaped");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Run `motcua ARGS --data DATA`, with `stdin` as its standard input.
pub fn motcua(args: &[&str], data: &Path, stdin: Option<&str>) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .arg("--data")
        .arg(data)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run motcua");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write stdin");
    }
    drop(child.stdin.take());
    child.wait_with_output().expect("output")
}

/// `motcua device add NAME --kind kiosk`: the token it prints, alone on standard output.
pub fn add_kiosk(data: &Path, name: &str) -> String {
    let out = motcua(&["device", "add", name, "--kind", "kiosk"], data, None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout).expect("utf-8");
    let token = token.trim_end_matches('\n');
    assert!(
        !token.contains('\n'),
        "the token is alone on standard output"
    );
    assert_eq!(token.len(), 64);
    token.to_owned()
}
