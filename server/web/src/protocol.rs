//! The uplink's wire format, shared by the hall (which signs batches) and the city's
//! collector (which checks them).
//!
//! A hall posts its event log in order, in batches, to `POST /api/city/batches`:
//!
//! ```text
//! X-Motcua-Hall: <hall code>
//! X-Motcua-Timestamp: <milliseconds since the epoch, when the batch was sent>
//! X-Motcua-Signature: hex(HMAC-SHA256(secret, "<hall code>\n<timestamp>\n" + body))
//!
//! {"hall": "<hall code>", "from_seq": 101, "to_seq": 200, "profile": {...}, "events": [...]}
//! ```
//!
//! The signature covers the hall, the time and every byte of the body, so a batch cannot
//! be forged without the secret, changed in transit, posted as another hall, or replayed
//! later as new (the collector refuses a timestamp outside its window, and stores each
//! sequence number once). The answer is an [`Ack`]: the last sequence number the city
//! holds, which is where the hall resumes.

use hmac::{Hmac, Mac};
use motcua_domain::event::{Event, Logged, UnreadableEvent};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

pub const BATCH_PATH: &str = "/api/city/batches";
pub const HALL_HEADER: &str = "x-motcua-hall";
pub const TIMESTAMP_HEADER: &str = "x-motcua-timestamp";
pub const SIGNATURE_HEADER: &str = "x-motcua-signature";

/// One event of a hall's log as the city gets it: anonymous (no ticket token, no names;
/// a comment's text only if the hall allows it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct WireEvent {
    pub seq: i64,
    pub at: i64,
    pub kind: String,
    /// The hall's own ticket number (its row id), not the token printed on the ticket.
    pub ticket: Option<i64>,
    pub service: Option<String>,
    pub counter: Option<u16>,
    /// The hall's id of the clerk, not the name.
    pub clerk: Option<i64>,
    /// The event's own fields (by `kind`).
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

impl WireEvent {
    /// The event as the hall logged it: from the hall's typed event, with the city's view
    /// of it (see [`Event::for_city`]).
    pub fn of(logged: Logged, share_comments: bool) -> WireEvent {
        let (kind, data) = logged.event.for_city(share_comments).to_parts();
        WireEvent {
            seq: logged.seq,
            at: logged.at,
            kind: kind.to_owned(),
            ticket: logged.ticket,
            service: logged.service,
            counter: logged.counter,
            clerk: logged.user,
            data,
        }
    }

    /// The typed event, or why it cannot be read.
    pub fn logged(&self) -> Result<Logged, UnreadableEvent> {
        Ok(Logged {
            seq: self.seq,
            at: self.at,
            ticket: self.ticket,
            service: self.service.clone(),
            counter: self.counter,
            user: self.clerk,
            event: Event::from_parts(&self.kind, self.data.clone())?,
        })
    }
}

/// What the city needs to read a hall's figures the way the hall does: its name, time
/// zone, rating scale and fields (with their targets).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Profile {
    pub name: String,
    pub timezone: String,
    pub rating_scale: u8,
    pub services: Vec<ProfileService>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ProfileService {
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    pub target_wait_minutes: u32,
    /// The field's Decision 766 target, in percent (95 when a hall did not say).
    #[serde(default = "ninety_five")]
    pub satisfaction_target_percent: u32,
}

fn ninety_five() -> u32 {
    motcua_domain::stats::OFFICIAL_TARGET_PERCENT
}

/// A run of consecutive events, `from_seq..=to_seq`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Batch {
    pub hall: String,
    pub from_seq: i64,
    pub to_seq: i64,
    pub profile: Profile,
    pub events: Vec<WireEvent>,
}

impl Batch {
    /// Whether the events are exactly `from_seq..=to_seq`, in order.
    pub fn is_contiguous(&self) -> bool {
        !self.events.is_empty()
            && self.to_seq - self.from_seq + 1 == self.events.len() as i64
            && self
                .events
                .iter()
                .zip(self.from_seq..)
                .all(|(e, seq)| e.seq == seq)
    }
}

impl Batch {
    /// A batch with no events (`to_seq` = `from_seq` - 1): an idle hall saying it is alive
    /// and where its log stands, so the city does not take a quiet hall for a silent one.
    pub fn is_heartbeat(&self) -> bool {
        self.events.is_empty() && self.to_seq == self.from_seq - 1
    }
}

/// The collector's answer: everything up to `acked_through` is stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Ack {
    pub acked_through: i64,
    /// Events of this batch stored now (0 for a batch the city already had).
    pub stored: u64,
}

type HmacSha256 = Hmac<Sha256>;

fn mac(secret: &str, hall: &str, timestamp_ms: i64, body: &[u8]) -> HmacSha256 {
    // HMAC takes a key of any length; this cannot fail.
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
    mac.update(hall.as_bytes());
    mac.update(b"\n");
    mac.update(timestamp_ms.to_string().as_bytes());
    mac.update(b"\n");
    mac.update(body);
    mac
}

/// The signature of a batch, as hex.
pub fn sign(secret: &str, hall: &str, timestamp_ms: i64, body: &[u8]) -> String {
    hex::encode(
        mac(secret, hall, timestamp_ms, body)
            .finalize()
            .into_bytes(),
    )
}

/// Whether `signature` (hex) is the batch's, compared in constant time.
pub fn verify(secret: &str, hall: &str, timestamp_ms: i64, body: &[u8], signature: &str) -> bool {
    match hex::decode(signature) {
        Ok(bytes) => mac(secret, hall, timestamp_ms, body)
            .verify_slice(&bytes)
            .is_ok(),
        Err(_) => false,
    }
}

/// A hall's secret, derived from the collector's master key: the city's database holds no
/// secret at all, only the hall's code and the key's version (bumped to issue a new one).
pub fn derive_secret(master: &[u8], hall: &str, version: u32) -> String {
    let mut mac = HmacSha256::new_from_slice(master)
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
    mac.update(format!("motcua hall secret\n{hall}\n{version}").as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_covers_the_hall_the_time_and_the_body() {
        let sig = sign("s3cret", "hall-a", 1000, b"{\"x\":1}");
        assert!(verify("s3cret", "hall-a", 1000, b"{\"x\":1}", &sig));
        assert!(!verify("other", "hall-a", 1000, b"{\"x\":1}", &sig));
        assert!(!verify("s3cret", "hall-b", 1000, b"{\"x\":1}", &sig));
        assert!(!verify("s3cret", "hall-a", 1001, b"{\"x\":1}", &sig));
        assert!(!verify("s3cret", "hall-a", 1000, b"{\"x\":2}", &sig));
        assert!(!verify("s3cret", "hall-a", 1000, b"{\"x\":1}", "not hex"));
    }

    #[test]
    fn each_hall_and_version_gets_its_own_secret() {
        let master = [7u8; 32];
        let a = derive_secret(&master, "hall-a", 1);
        assert_eq!(a, derive_secret(&master, "hall-a", 1));
        assert_ne!(a, derive_secret(&master, "hall-b", 1));
        assert_ne!(a, derive_secret(&master, "hall-a", 2));
        assert_ne!(a, derive_secret(&[8u8; 32], "hall-a", 1));
        assert_eq!(a.len(), 64);
    }

    #[test]
    fn a_batch_holds_exactly_its_range() {
        let event = |seq| WireEvent {
            seq,
            at: 0,
            kind: "issued".into(),
            ticket: Some(1),
            service: Some("A".into()),
            counter: None,
            clerk: None,
            data: serde_json::json!({}),
        };
        let profile = Profile {
            name: "x".into(),
            timezone: "Asia/Ho_Chi_Minh".into(),
            rating_scale: 5,
            services: Vec::new(),
        };
        let batch = |from, to, seqs: &[i64]| Batch {
            hall: "h".into(),
            from_seq: from,
            to_seq: to,
            profile: profile.clone(),
            events: seqs.iter().map(|&s| event(s)).collect(),
        };
        assert!(batch(3, 5, &[3, 4, 5]).is_contiguous());
        assert!(!batch(3, 5, &[3, 5]).is_contiguous());
        assert!(!batch(3, 5, &[3, 5, 4]).is_contiguous());
        assert!(!batch(3, 4, &[3, 4, 5]).is_contiguous());
        assert!(!batch(3, 2, &[]).is_contiguous());
    }
}
