//! One printer's jobs, one at a time: what a print agent runs beside its printer, and what
//! the hall's server runs for a network printer it prints to itself.
//!
//! - Jobs print in the order they came, each confirmed by the printer
//!   ([`print_ticket`]). Nothing else talks to the printer meanwhile: a status poll never
//!   races a long ticket on a second connection, so a busy printer is busy, not broken.
//! - A printer in passing trouble (paper out, cover open, switched off) keeps its jobs:
//!   they wait, are tried again with backoff up to [`RETRY_MAX`], and fail only when they
//!   expire. Each job says once that it waits and why, and again if the reason changes.
//! - The printer's status is polled every `status_every` while there is nothing to print,
//!   and reported when it changes.
//! - Before each attempt the job's key is marked started in a [`Memory`], and the
//!   attempt's end recorded: a job found started and never ended belonged to a worker
//!   that died mid-attempt, and is reported [`Reason::PrintUncertain`] rather than
//!   printed again unseen (staff can reprint it).

use crate::journal::{Journal, Seen};
use crate::reason::Reason;
use crate::status::Report;
use crate::transport::{Deadlines, Printed, Target, print_ticket, printer_status};
use crate::{Layout, TicketPrint};
use std::collections::VecDeque;
use std::future::Future;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::Instant;

/// The longest pause between two tries of a waiting job.
pub const RETRY_MAX: Duration = Duration::from_secs(5);
const RETRY_FIRST: Duration = Duration::from_millis(250);

/// A ticket to print.
#[derive(Debug, Clone)]
pub struct Job {
    /// The server's number for the job (how it answers).
    pub job: i64,
    /// The job's identity, unique across restores and reinstalls (what is remembered).
    pub key: String,
    pub ticket: TicketPrint,
    /// After this the citizen has moved on: the job fails instead of printing.
    pub expires: Instant,
}

/// What the worker says, as it happens.
#[derive(Debug, Clone, PartialEq)]
pub enum Update {
    /// The printer's status changed.
    Status(Report),
    /// The job waits for the printer, for this reason.
    Waiting {
        job: i64,
        reason: Reason,
    },
    /// On paper; `confirmed` unless the link is one-way (the OS took the bytes).
    Done {
        job: i64,
        confirmed: bool,
    },
    Failed {
        job: i64,
        reason: Reason,
    },
}

/// Where a worker keeps the state of its jobs' attempts.
pub trait Memory: Send {
    fn seen(&mut self, key: &str) -> impl Future<Output = Seen> + Send;
    fn started(&mut self, key: &str) -> impl Future<Output = std::io::Result<()>> + Send;
    fn ended(
        &mut self,
        key: &str,
        printed: bool,
    ) -> impl Future<Output = std::io::Result<()>> + Send;
}

impl Memory for Journal {
    async fn seen(&mut self, key: &str) -> Seen {
        Journal::seen(self, key)
    }
    async fn started(&mut self, key: &str) -> std::io::Result<()> {
        Journal::started(self, key)
    }
    async fn ended(&mut self, key: &str, printed: bool) -> std::io::Result<()> {
        Journal::ended(self, key, printed)
    }
}

/// A printer and how to drive it.
#[derive(Debug, Clone)]
pub struct Station {
    pub printer: Target,
    pub layout: Layout,
    pub deadlines: Deadlines,
    pub status_every: Duration,
}

/// What a failed attempt says of the printer.
fn report_of_trouble(reason: Reason) -> Report {
    match reason {
        Reason::PaperOut => Report {
            paper_out: true,
            paper_near_end: true,
            ..Report::default()
        },
        Reason::CoverOpen => Report {
            cover_open: true,
            ..Report::default()
        },
        Reason::PrinterOffline => Report::default(),
        other => Report::unreachable(other),
    }
}

struct Worker<M> {
    station: Station,
    memory: M,
    updates: mpsc::UnboundedSender<Update>,
    queue: VecDeque<(Job, Option<Reason>)>,
    /// The trouble of the last attempt, while it lasts.
    trouble: Option<Reason>,
    retry_at: Option<Instant>,
    backoff: Duration,
    reported: Option<Report>,
}

impl<M: Memory> Worker<M> {
    fn say(&self, update: Update) {
        let _ = self.updates.send(update);
    }

    fn report(&mut self, report: Report) {
        if self.reported.as_ref() != Some(&report) {
            self.reported = Some(report.clone());
            self.say(Update::Status(report));
        }
    }

    /// Take a job in (once: a job sent again while queued is the same job).
    fn take(&mut self, job: Job) {
        if self.queue.iter().any(|(q, _)| q.key == job.key) {
            return;
        }
        // Behind a job that waits, this one waits too; alone, it is tried at once.
        let waiting = self.trouble.filter(|_| !self.queue.is_empty());
        if let Some(reason) = waiting {
            self.say(Update::Waiting {
                job: job.job,
                reason,
            });
        }
        self.queue.push_back((job, waiting));
    }

    /// Fail every job past its expiry, with the trouble it waited for.
    fn expire(&mut self) {
        let now = Instant::now();
        let mut kept = VecDeque::with_capacity(self.queue.len());
        for (job, said) in std::mem::take(&mut self.queue) {
            if job.expires <= now {
                self.say(Update::Failed {
                    job: job.job,
                    reason: said.or(self.trouble).unwrap_or(Reason::Expired),
                });
            } else {
                kept.push_back((job, said));
            }
        }
        self.queue = kept;
    }

    /// Try the job at the head of the queue once.
    async fn attempt(&mut self) -> std::io::Result<()> {
        let Some((job, _)) = self.queue.front().cloned() else {
            return Ok(());
        };
        match self.memory.seen(&job.key).await {
            Seen::Printed => {
                self.queue.pop_front();
                self.say(Update::Done {
                    job: job.job,
                    confirmed: true,
                });
                return Ok(());
            }
            Seen::Started => {
                self.queue.pop_front();
                self.say(Update::Failed {
                    job: job.job,
                    reason: Reason::PrintUncertain,
                });
                return Ok(());
            }
            Seen::New => {}
        }
        self.memory.started(&job.key).await?;
        let (target, layout, deadlines) = (
            self.station.printer.clone(),
            self.station.layout,
            self.station.deadlines,
        );
        let ticket = job.ticket.clone();
        let result =
            tokio::task::spawn_blocking(move || print_ticket(&target, &layout, &ticket, deadlines))
                .await
                .unwrap_or(Err(Reason::PrinterIoError));
        self.memory.ended(&job.key, result.is_ok()).await?;
        match result {
            Ok(printed) => {
                self.queue.pop_front();
                self.trouble = None;
                self.retry_at = None;
                self.backoff = RETRY_FIRST;
                self.say(Update::Done {
                    job: job.job,
                    confirmed: printed != Printed::Unconfirmed,
                });
                self.report(match printed {
                    Printed::Confirmed(status) => Report::of(&status),
                    Printed::Unconfirmed => Report::one_way(),
                });
            }
            Err(reason) if reason.passes() => {
                self.trouble = Some(reason);
                self.retry_at = Some(Instant::now() + self.backoff);
                self.backoff = (self.backoff * 2).min(RETRY_MAX);
                self.report(report_of_trouble(reason));
                // Every waiting job hears of a new reason.
                let updates: Vec<i64> = self
                    .queue
                    .iter_mut()
                    .filter(|(_, said)| *said != Some(reason))
                    .map(|(job, said)| {
                        *said = Some(reason);
                        job.job
                    })
                    .collect();
                for job in updates {
                    self.say(Update::Waiting { job, reason });
                }
            }
            Err(reason) => {
                self.queue.pop_front();
                self.say(Update::Failed {
                    job: job.job,
                    reason,
                });
            }
        }
        Ok(())
    }

    async fn poll_status(&mut self) {
        let (target, deadlines) = (self.station.printer.clone(), self.station.deadlines);
        let status = tokio::task::spawn_blocking(move || printer_status(&target, deadlines))
            .await
            .unwrap_or(Ok(None));
        let report = match status {
            Ok(Some(s)) => Report::of(&s),
            Ok(None) => Report::one_way(),
            Err(e) => Report::unreachable(e.reason()),
        };
        self.trouble = report.blocking_reason();
        self.report(report);
    }
}

/// Print the jobs that come on `jobs` until it closes (the attempt under way is finished
/// first), saying what happens on `updates`. Fails only if the memory cannot be written:
/// printing on without it could print a job twice.
pub async fn run<M: Memory>(
    station: Station,
    memory: M,
    mut jobs: mpsc::UnboundedReceiver<Job>,
    updates: mpsc::UnboundedSender<Update>,
) -> std::io::Result<()> {
    let mut poll = tokio::time::interval(station.status_every);
    poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut w = Worker {
        station,
        memory,
        updates,
        queue: VecDeque::new(),
        trouble: None,
        retry_at: None,
        backoff: RETRY_FIRST,
        reported: None,
    };
    loop {
        // Take in whatever came, then print what can be printed now.
        loop {
            match jobs.try_recv() {
                Ok(job) => w.take(job),
                Err(mpsc::error::TryRecvError::Empty) => break,
                Err(mpsc::error::TryRecvError::Disconnected) => return Ok(()),
            }
        }
        w.expire();
        if !w.queue.is_empty() && w.retry_at.is_none_or(|at| at <= Instant::now()) {
            w.attempt().await?;
            continue;
        }
        let wake = w
            .queue
            .iter()
            .map(|(j, _)| j.expires)
            .chain(w.retry_at)
            .min();
        tokio::select! {
            job = jobs.recv() => match job {
                Some(job) => w.take(job),
                None => return Ok(()),
            },
            _ = async { if let Some(at) = wake { tokio::time::sleep_until(at).await } else { std::future::pending().await } } => {}
            _ = poll.tick(), if w.queue.is_empty() => {
                w.poll_status().await;
            }
        }
    }
}
