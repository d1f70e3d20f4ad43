//! What a print agent and the hall's server say to each other over `/ws/printer`, one
//! JSON object per WebSocket text frame, tagged by `type`. Defined once, here: the agent
//! reads [`ToAgent`] and writes [`FromAgent`]; the server the other way round.

use crate::TicketPrint;
use crate::status::Report;
use serde::{Deserialize, Serialize};

/// From the server to an agent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToAgent {
    /// Print this ticket. `job` is the server's number for it: an agent that printed a
    /// job answers `done` again and prints nothing when the same job comes back (after a
    /// dropped link).
    Job {
        job: i64,
        /// What goes on paper.
        #[cfg_attr(feature = "openapi", schema(value_type = Object))]
        ticket: TicketPrint,
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
    /// The job is on paper.
    Done { job: i64 },
    /// The job could not be printed, and why (`paper_out`, `printer_io_error`, ...).
    Failed { job: i64, reason: String },
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
        assert_eq!(done, FromAgent::Done { job: 7 });
        let failed = FromAgent::Failed {
            job: 8,
            reason: "paper_out".into(),
        };
        assert_eq!(
            serde_json::to_value(&failed).unwrap(),
            json!({"type": "failed", "job": 8, "reason": "paper_out"})
        );
        let job = ToAgent::Job {
            job: 9,
            ticket: TicketPrint::sample(),
        };
        let text = job.to_json();
        assert!(
            text.starts_with(r#"{"type":"job","job":9,"ticket":{"#),
            "{text}"
        );
        assert_eq!(serde_json::from_str::<ToAgent>(&text).unwrap(), job);
    }
}
