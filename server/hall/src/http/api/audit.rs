//! The audit list: who changed the hall's set-up, what, and the value before and after,
//! newest first ([`crate::app::audit`]).

use super::*;
use motcua_domain::event::Event;

/// Which page of the list.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Entries older than this one (its `seq`); the newest when absent.
    #[serde(default)]
    before: Option<i64>,
    /// How many, 1 to 200 (50 when absent).
    #[serde(default)]
    limit: Option<u32>,
}

/// One change of the hall's set-up.
#[derive(Serialize, ToSchema)]
pub struct AuditEntry {
    pub seq: i64,
    /// When (the hall's local time, RFC 3339).
    pub at: String,
    /// The account that made the change.
    pub by: String,
    /// What changed: `settings:hall`, `user:lan`, `device:kiosk-1`, ...
    pub subject: String,
    /// `changed`, `added`, `removed`, `revoked`, ...
    pub action: String,
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
}

/// A page of the audit list.
#[derive(Serialize, ToSchema)]
pub struct AuditList {
    /// Newest first.
    pub entries: Vec<AuditEntry>,
    /// The `before` of the next (older) page; `null` at the first change ever made.
    pub next_before: Option<i64>,
}

/// Every change of the hall's set-up, newest first: who, what, before and after.
///
/// Who may call: managers and admins.
#[utoipa::path(
    get,
    path = "/api/audit",
    tag = "admin",
    security(("session" = [])),
    params(AuditQuery),
    responses(
        (status = 200, description = "a page of the audit list", body = AuditList),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a manager or admin", body = ErrorBody),
        (status = 422, description = "`bad_limit`, `invalid_query`", body = ErrorBody),
    ),
)]
pub async fn audit_list(
    State(app): State<App>,
    _manager: Manager,
    Query(q): Query<AuditQuery>,
) -> Result<Json<AuditList>, AppError> {
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(AppError::invalid("bad_limit", "limit is 1 to 200"));
    }
    let before = q.before;
    let entries = app
        .read(move |conn, hall| {
            let logged = events::audited(conn, before, limit)?;
            Ok(logged
                .into_iter()
                .filter_map(|l| match l.event {
                    Event::Audited {
                        by,
                        subject,
                        action,
                        before,
                        after,
                    } => Some(AuditEntry {
                        seq: l.seq,
                        at: views::local_time(hall, l.at),
                        by,
                        subject,
                        action,
                        before,
                        after,
                    }),
                    _ => None,
                })
                .collect::<Vec<_>>())
        })
        .await?;
    let next_before = (entries.len() == limit as usize)
        .then(|| entries.last().map(|e| e.seq))
        .flatten();
    Ok(Json(AuditList {
        entries,
        next_before,
    }))
}
