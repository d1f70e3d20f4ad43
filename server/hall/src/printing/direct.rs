//! The server's own printers: a network printer set for a kiosk in `[[printers]]`, printed
//! to by the same worker an agent runs, polled for its status like an agent's.
//!
//! The worker's memory is the job's own row: an attempt marks it `sent` before the ticket
//! goes out and back to `queued` if it did not print, so a server killed mid-attempt finds
//! the job `sent` when it starts again and reports it uncertain (staff can reprint)
//! instead of printing it again unseen.

use super::{DirectPrinter, PrinterView, Printing};
use motcua_printer::journal::Seen;
use motcua_printer::protocol::FromAgent;
use motcua_printer::worker::{self, Job, Memory, Station};
use motcua_printer::{Reason, TicketPrint};
use motcua_store::{Store, StoreError, millis, print_jobs};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// A worker's memory in the database.
struct Rows(Store);

impl Memory for Rows {
    async fn seen(&mut self, key: &str) -> Seen {
        let key = key.to_owned();
        match self
            .0
            .read(move |conn| print_jobs::status_by_key(conn, &key))
            .await
        {
            Ok(Some(status)) if status == "printed" => Seen::Printed,
            Ok(Some(status)) if status == "sent" => Seen::Started,
            _ => Seen::New,
        }
    }

    async fn started(&mut self, key: &str) -> std::io::Result<()> {
        self.mark(key, true).await
    }

    async fn ended(&mut self, key: &str, printed: bool) -> std::io::Result<()> {
        // A printed job is recorded by the answer that follows (`done`).
        if printed {
            return Ok(());
        }
        self.mark(key, false).await
    }
}

impl Rows {
    async fn mark(&self, key: &str, started: bool) -> std::io::Result<()> {
        let key = key.to_owned();
        self.0
            .write::<_, StoreError, _>(move |tx| {
                let at = millis(tx.now);
                print_jobs::mark_attempt(tx.conn, &key, started, at)
            })
            .await
            .map_err(std::io::Error::other)
    }
}

/// Start a worker for each of the server's own printers, with the jobs its kiosk still
/// waits for.
pub(super) fn start(printing: &Printing, store: &Store) -> Vec<JoinHandle<()>> {
    let mut tasks = Vec::new();
    for printer in printing.0.direct.clone() {
        Printing::lock(&printing.0.states).insert(
            printer.name(),
            PrinterView::unseen(
                printer.name(),
                printer.kiosk.clone(),
                printer.target.to_string(),
            ),
        );
        let station = Station {
            printer: printer.target.clone(),
            layout: printer.layout,
            deadlines: Default::default(),
            status_every: printing.0.status_every,
        };
        let (jobs, queue) = mpsc::unbounded_channel();
        let (updates, mut said) = mpsc::unbounded_channel();
        Printing::lock(&printing.0.direct_jobs).insert(printer.kiosk.clone(), jobs.clone());
        let memory = Rows(store.clone());
        tasks.push(tokio::spawn(async move {
            if let Err(e) = worker::run(station, memory, queue, updates).await {
                tracing::error!(error = %e, "the server's printer stopped: its jobs cannot be recorded");
            }
        }));
        let (me, store) = (printing.clone(), store.clone());
        tasks.push(tokio::spawn(async move {
            me.resume(&store, &printer, &jobs).await;
            while let Some(update) = said.recv().await {
                // A job's kiosk exists; a status report needs none (0: no kiosk to tell).
                let kiosk_id = me.kiosk_id(&store, &printer.kiosk).await.unwrap_or(0);
                let message = FromAgent::from(update);
                me.agent_said(&store, &printer.name(), kiosk_id, message)
                    .await;
            }
        }));
    }
    tasks
}

/// The kiosk's id is known once its first ticket was dispatched (or found at start).
pub(super) fn remember_kiosk(printing: &Printing, kiosk_name: &str, kiosk_id: i64) {
    Printing::lock(&printing.0.direct_kiosks).insert(kiosk_name.to_owned(), kiosk_id);
}

/// Whether one of the server's own printers prints this kiosk's jobs.
pub(super) fn holds(printing: &Printing, kiosk_id: i64) -> bool {
    Printing::lock(&printing.0.direct_kiosks)
        .values()
        .any(|id| *id == kiosk_id)
}

impl Printing {
    async fn kiosk_id(&self, store: &Store, kiosk_name: &str) -> Option<i64> {
        if let Some(id) = Self::lock(&self.0.direct_kiosks).get(kiosk_name) {
            return Some(*id);
        }
        let name = kiosk_name.to_owned();
        let id = store
            .read(move |conn| motcua_store::accounts::device_id_by_name(conn, &name))
            .await
            .ok()
            .flatten()?;
        remember_kiosk(self, kiosk_name, id);
        Some(id)
    }

    /// Hand the worker what the kiosk's printer left undone before the server started.
    async fn resume(
        &self,
        store: &Store,
        printer: &DirectPrinter,
        jobs: &mpsc::UnboundedSender<Job>,
    ) {
        let Some(kiosk_id) = self.kiosk_id(store, &printer.kiosk).await else {
            return;
        };
        let pending = store
            .read(move |conn| print_jobs::waiting_for_kiosk(conn, kiosk_id))
            .await
            .unwrap_or_default();
        for job in pending {
            let left = self.left(job.created_at);
            let Ok(ticket) = serde_json::from_str::<TicketPrint>(&job.payload) else {
                self.finish(store, kiosk_id, job.id, Some(Reason::RenderFailed))
                    .await;
                continue;
            };
            let _ = jobs.send(Job {
                job: job.id,
                key: job.key,
                ticket,
                expires: tokio::time::Instant::now() + left,
            });
        }
    }
}
