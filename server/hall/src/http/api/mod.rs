//! The JSON API's handlers: each validates its input into domain values, checks who is
//! asking, and hands the command to the application (or a read to a reader). One module per
//! concern: the hall's own description ([`hall`]), tickets ([`ticketing`]), counters,
//! staff and devices, and the live feeds. Each handler carries its `#[utoipa::path]`: the
//! route table and the API's description are made together (`super::api_routes`).

use super::extract::{Admin, Body, Caller, Issuer, Path, Query, Rater, StaffUser, device_by_token};
use super::{AppError, AppState};
use crate::access::Owner;
use crate::app::queue::{self, Staff};
use crate::app::{App, views};
use crate::http::issuing_limits::{Allowed, IssuerKey, IssuingLimits, Requester};
use crate::live::{Feed, Hub, run_feed};
use crate::printing::{PrinterView, Printing};
use axum::Json;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::{State, WebSocketUpgrade};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use motcua_domain::Error;
use motcua_domain::{Action, CounterNo, DeviceKind, Priority, Role, ServiceCode};
use motcua_store::clock::Clock;
use motcua_store::{Store, accounts, events, millis, tickets};
use motcua_web::ErrorBody;
use motcua_web::client::ClientAddr;
use motcua_web::session;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::{IntoParams, ToSchema};

mod absence;
mod admin;
mod audit;
mod bookings;
mod bulk;
mod complaints;
mod counters;
mod dossiers;
mod emergency;
mod feeds;
mod hall;
mod messages;
mod pairing;
mod printing;
mod setup;
mod staff;
mod ticketing;

pub use absence::*;
pub use admin::*;
pub use audit::*;
pub use bookings::*;
pub use bulk::*;
pub use complaints::*;
pub use counters::*;
pub use dossiers::*;
pub use emergency::*;
pub use feeds::*;
pub use hall::*;
pub use messages::*;
pub use pairing::*;
pub use printing::*;
pub use setup::*;
pub use staff::*;
pub use ticketing::*;

fn service_code(hall: &motcua_domain::Hall, code: &str) -> Result<ServiceCode, AppError> {
    ServiceCode::try_from(code.to_owned())
        .ok()
        .filter(|c| hall.service(c).is_some())
        .ok_or_else(|| {
            AppError::invalid("unknown_service", format!("no field has the code {code:?}"))
        })
}

fn counter_no(hall: &motcua_domain::Hall, no: &str) -> Result<CounterNo, AppError> {
    no.parse::<CounterNo>()
        .ok()
        .filter(|n| hall.counter(*n).is_some())
        .ok_or_else(|| {
            AppError::not_found(
                "counter_not_found",
                format!("no counter {no:?} in this hall"),
            )
        })
}

/// Ticket tokens are 32 lowercase hex digits; anything else cannot be a ticket.
fn ticket_token(token: &str) -> Result<String, AppError> {
    if token.len() == 32
        && token
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        Ok(token.to_owned())
    } else {
        Err(AppError::not_found("ticket_not_found", "no such ticket"))
    }
}

/// A kiosk's request id, checked: 1 to 64 letters, digits, `-` or `_` (the same id never
/// issues a second ticket).
fn request_id(id: Option<String>) -> Result<Option<String>, AppError> {
    match id {
        Some(id)
            if (1..=64).contains(&id.len())
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') =>
        {
            Ok(Some(id))
        }
        Some(_) => Err(AppError::invalid(
            "bad_request_id",
            "a request id is 1 to 64 letters, digits, - or _",
        )),
        None => Ok(None),
    }
}

fn staff(user: &accounts::User) -> Staff {
    Staff {
        user_id: user.id,
        role: user.role,
    }
}
