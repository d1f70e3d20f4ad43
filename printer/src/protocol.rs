//! What a print agent and the hall's server say to each other over `/ws/printer`, one
//! JSON object per WebSocket text frame, tagged by `type`. Defined once, here: the agent
//! reads [`ToAgent`] and writes [`FromAgent`]; the server the other way round.

use crate::TicketPrint;
use crate::reason::Reason;
use crate::status::Report;
use serde::{Deserialize, Serialize};

/// From the server to an agent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToAgent {
    /// First on every connection: the server's identity. The agent keeps what it printed
    /// per server, so another hall (or a reinstalled one) is never mistaken for this one.
    Hello { server: String },
    /// Print this ticket. `job` is the server's number for it, `key` its identity (random,
    /// never reused even after a restore): an agent that printed a job answers `done`
    /// again and prints nothing when the same key comes back (after a dropped link).
    Job {
        job: i64,
        key: String,
        /// The job fails instead of printing after this many milliseconds from now.
        expires_in_ms: u64,
        /// What goes on paper (boxed: the other frames are a few bytes).
        #[cfg_attr(feature = "openapi", schema(value_type = Object))]
        ticket: Box<TicketPrint>,
    },
}

/// From an agent to the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FromAgent {
    /// What the printer says of itself now (paper, cover, errors), every few seconds.
    Status {
        #[cfg_attr(feature = "openapi", schema(value_type = Object))]
        status: Report,
    },
    /// The job is on paper: the printer confirmed it (`confirmed`), or on a one-way link
    /// the operating system took every byte.
    Done {
        job: i64,
        #[serde(default = "yes")]
        confirmed: bool,
    },
    /// The job waits for the printer (paper out, cover open, ...): it is tried again until
    /// it expires.
    Waiting { job: i64, reason: Reason },
    /// The job will not be printed, and why.
    Failed { job: i64, reason: Reason },
}

fn yes() -> bool {
    true
}

impl From<crate::worker::Update> for FromAgent {
    fn from(update: crate::worker::Update) -> FromAgent {
        use crate::worker::Update;
        match update {
            Update::Status(status) => FromAgent::Status { status },
            Update::Waiting { job, reason } => FromAgent::Waiting { job, reason },
            Update::Done { job, confirmed } => FromAgent::Done { job, confirmed },
            Update::Failed { job, reason } => FromAgent::Failed { job, reason },
        }
    }
}

impl ToAgent {
    /// The frame's text.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

impl FromAgent {
    /// The frame's text.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn frames_read_as_both_sides_wrote_them_before() {
        let done: FromAgent = serde_json::from_value(json!({"type": "done", "job": 7})).unwrap();
        assert_eq!(
            done,
            FromAgent::Done {
                job: 7,
                confirmed: true
            }
        );
        let failed = FromAgent::Failed {
            job: 8,
            reason: Reason::PaperOut,
        };
        assert_eq!(
            serde_json::to_value(&failed).unwrap(),
            json!({"type": "failed", "job": 8, "reason": "paper_out"})
        );
        let job = ToAgent::Job {
            job: 9,
            key: "k9".into(),
            expires_in_ms: 1000,
            ticket: Box::new(TicketPrint::sample()),
        };
        let text = job.to_json();
        assert!(
            text.starts_with(r#"{"type":"job","job":9,"key":"k9","expires_in_ms":1000,"ticket":{"#),
            "{text}"
        );
        assert_eq!(serde_json::from_str::<ToAgent>(&text).unwrap(), job);
    }
}
