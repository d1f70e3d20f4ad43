//! A print agent for tests: the real `motcua-printer agent` code, run in this process
//! against a hall and a fake printer, and the kiosk's feed to hear what it printed.

use crate::fake_printer::FakePrinter;
use crate::{Socket, TestHall, next_json};
use motcua_domain::DeviceKind;
use motcua_printer::Layout;
use motcua_printer::agent::{self, AgentConfig};
use motcua_printer::transport::Deadlines;
use serde_json::Value;
use std::path::Path;
use std::time::Duration;
use tokio::sync::oneshot;

/// A running agent. Dropping it (or [`Agent::kill`]) stops it at once, mid-print if it
/// was printing, as `kill -9` would: what it wrote to its state dir stays.
pub struct Agent {
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<Result<(), agent::AgentError>>,
}

impl Agent {
    /// Start an agent for `token` at `server`, printing to `printer`, remembering in `state`.
    pub fn start(
        server: &str,
        token: &str,
        printer: &FakePrinter,
        state: &Path,
        status_every: Duration,
    ) -> Agent {
        Agent::run(server, Some(token), printer, state, status_every)
    }

    /// Start an agent given no token, as `motcua-printer agent` without `--token`: it uses
    /// the token remembered in `state`, or pairs by a code it prints on `printer` (asking
    /// every 50 ms at first whether an admin took it).
    pub fn start_unpaired(server: &str, printer: &FakePrinter, state: &Path) -> Agent {
        Agent::run(server, None, printer, state, Duration::from_secs(60))
    }

    fn run(
        server: &str,
        token: Option<&str>,
        printer: &FakePrinter,
        state: &Path,
        status_every: Duration,
    ) -> Agent {
        let config = AgentConfig {
            server: server.to_owned(),
            token: token.map(str::to_owned),
            printer: printer.target().parse().expect("printer address"),
            layout: Layout::default(),
            state_dir: state.to_owned(),
            status_every,
            deadlines: Deadlines {
                connect: Duration::from_secs(1),
                io: Duration::from_millis(500),
                job: Duration::from_secs(10),
            },
            pairing_poll: Duration::from_millis(50),
        };
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(agent::run(config, async move {
            let _ = stopped.await;
        }));
        Agent {
            stop: Some(stop),
            task,
        }
    }

    /// Stop it now and wait until it has stopped.
    pub async fn kill(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.task).await;
    }

    /// Whether it stopped by itself (an error), without waiting.
    pub fn stopped(&self) -> bool {
        self.task.is_finished()
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A kiosk's feed (`/ws/kiosk`), past its snapshot.
pub async fn kiosk_feed(hall: &TestHall, kiosk_token: &str) -> Socket {
    let (mut feed, _) =
        tokio_tungstenite::connect_async(format!("{}/ws/kiosk?token={kiosk_token}", hall.ws_base))
            .await
            .expect("kiosk feed");
    let snapshot = next_json(&mut feed).await;
    assert_eq!(snapshot["type"], "snapshot", "{snapshot}");
    feed
}

/// The next `print` frame of a kiosk's feed.
pub async fn next_print(feed: &mut Socket) -> Value {
    loop {
        let frame = next_json(feed).await;
        if frame["type"] == "print" {
            return frame;
        }
    }
}

/// The next `print` frame of a kiosk's feed for `job` that says it ended (printed or
/// failed), skipping other jobs' frames and `waiting` ones.
pub async fn end_of(feed: &mut Socket, job: &Value) -> Value {
    loop {
        let frame = next_print(feed).await;
        if &frame["job"] == job && frame["status"] != "waiting" {
            return frame;
        }
    }
}

/// Wait until the agent's printer is connected, as the kiosk's feed says it.
pub async fn agent_connected(feed: &mut Socket) {
    loop {
        let frame = next_json(feed).await;
        if frame["type"] == "printer" && frame["printer"]["connected"] == true {
            return;
        }
    }
}

/// Wait until the server has noticed the agent went away, as the kiosk's feed says it.
pub async fn agent_gone(feed: &mut Socket) {
    loop {
        let frame = next_json(feed).await;
        if frame["type"] == "printer" && frame["printer"]["connected"] == false {
            return;
        }
    }
}

/// A paired kiosk with a printer whose agent is running (status every minute): the
/// kiosk's token, and the fake printer to read what it printed. Dropping it stops the agent.
pub struct PrintingKiosk {
    pub token: String,
    _agent: Agent,
    _state: tempfile::TempDir,
    pub printer: FakePrinter,
}

impl PrintingKiosk {
    pub async fn start(hall: &TestHall) -> PrintingKiosk {
        let (token, printer_token) = kiosk_and_printer(hall);
        let printer = FakePrinter::start().await;
        let state = tempfile::tempdir().expect("agent state");
        let agent = Agent::start(
            &hall.base,
            &printer_token,
            &printer,
            state.path(),
            Duration::from_secs(60),
        );
        PrintingKiosk {
            token,
            _agent: agent,
            _state: state,
            printer,
        }
    }
}

/// A kiosk (`kiosk-1`) with its printer device (`printer-1`): their tokens.
pub fn kiosk_and_printer(hall: &TestHall) -> (String, String) {
    (
        hall.device_token("kiosk-1", DeviceKind::Kiosk),
        hall.printer("printer-1", "kiosk-1"),
    )
}
