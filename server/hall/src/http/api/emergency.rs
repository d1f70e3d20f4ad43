//! Staff in trouble: the console's emergency button, marking it handled, and the staff
//! feed (`/ws/staff`) that carries the open emergencies to the consoles and the dashboard
//! (never to the hall TV or a phone: it takes a staff session); and the manager's alerts
//! (`crate::alerts`), read by the dashboard.

use super::feeds::{Upgrade, upgrade};
use super::*;
use crate::app::emergency::{self, Emergencies};
use crate::live::{StaffFrame, run_staff_feed};

/// Raise or handle in the writer's transaction; the staff feed hears of it after the
/// commit, in commit order.
async fn change(
    state: &AppState,
    no: CounterNo,
    staff: Staff,
    raise: bool,
) -> Result<Emergencies, AppError> {
    let hub = state.hub.clone();
    let list = state
        .app
        .run(move |ctx| {
            let list = if raise {
                emergency::raise(ctx, no, &staff)?
            } else {
                emergency::handle(ctx, no, &staff)?
            };
            let frame = StaffFrame {
                frame: "emergencies",
                seq: list.seq,
                emergencies: list.emergencies.clone(),
                raised: raise.then_some(no),
                handled: (!raise).then_some(no),
            };
            ctx.tx.after_commit(move || hub.publish_staff(&frame));
            Ok(list)
        })
        .await?;
    // The manager's alerts hear of it now (the office's chat through the webhook), not at
    // the next check.
    let state = state.clone();
    tokio::spawn(async move {
        let checked = state
            .alerts
            .check(&state.app, &state.printing, &state.access, &*state.clock)
            .await;
        if let Err(e) = checked {
            tracing::warn!(error = %e, "cannot check the alerts after an emergency");
        }
    });
    Ok(list)
}

/// The emergency button: the clerk at this counter needs help now. Managers (the
/// dashboard) and the other counters' consoles are alerted at once; the hall TV and the
/// phones are not. Pressed again while open, it changes nothing.
///
/// Who may call: the clerk holding the counter.
#[utoipa::path(
    post,
    path = "/api/counters/{no}/emergency",
    tag = "counter",
    security(("session" = [])),
    params(("no" = u16, Path, description = "the counter's number")),
    responses(
        (status = 200, description = "the emergencies open now, this counter's among them", body = Emergencies),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: a device, or a counter not open in your name", body = ErrorBody),
        (status = 404, description = "`counter_not_found`", body = ErrorBody),
    ),
)]
#[tracing::instrument(skip_all, fields(counter = %no, action = "emergency"))]
pub async fn raise_emergency(
    State(state): State<AppState>,
    StaffUser(user): StaffUser,
    Path(no): Path<String>,
) -> Result<Json<Emergencies>, AppError> {
    let no = counter_no(&state.app.hall(), &no)?;
    let list = change(&state, no, staff(&user), true).await?;
    tracing::warn!(counter = %no, "emergency raised at a counter");
    Ok(Json(list))
}

/// The counter's emergency was handled: the alerts end on every console and dashboard.
///
/// Who may call: a manager or admin, or the clerk holding the counter.
#[utoipa::path(
    post,
    path = "/api/counters/{no}/emergency/handled",
    tags = ["counter", "manager"],
    security(("session" = [])),
    params(("no" = u16, Path, description = "the counter's number")),
    responses(
        (status = 200, description = "the emergencies still open", body = Emergencies),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: a device, or a clerk not holding this counter", body = ErrorBody),
        (status = 404, description = "`counter_not_found`", body = ErrorBody),
        (status = 409, description = "`no_emergency`: none is open at this counter", body = ErrorBody),
    ),
)]
#[tracing::instrument(skip_all, fields(counter = %no, action = "emergency_handled"))]
pub async fn handle_emergency(
    State(state): State<AppState>,
    StaffUser(user): StaffUser,
    Path(no): Path<String>,
) -> Result<Json<Emergencies>, AppError> {
    let no = counter_no(&state.app.hall(), &no)?;
    let list = change(&state, no, staff(&user), false).await?;
    tracing::info!(counter = %no, "emergency handled");
    Ok(Json(list))
}

/// The emergencies open now.
///
/// Who may call: any member of staff.
#[utoipa::path(
    get,
    path = "/api/emergencies",
    tags = ["counter", "manager"],
    security(("session" = [])),
    responses(
        (status = 200, description = "the emergencies raised today and not handled, oldest first", body = Emergencies),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: a device", body = ErrorBody),
    ),
)]
pub async fn list_emergencies(
    State(state): State<AppState>,
    StaffUser(_): StaffUser,
) -> Result<Json<Emergencies>, AppError> {
    let now = state.clock.now();
    let list = state
        .app
        .read(move |conn, hall| Ok(emergency::open_now(conn, hall, now)?))
        .await?;
    Ok(Json(list))
}

/// The staff feed (WebSocket): the open emergencies, then the list again each time one is
/// raised or handled. It closes when that member of staff is disabled.
///
/// Who may call: any member of staff (the consoles and the dashboard); never a device.
#[utoipa::path(
    get,
    path = "/ws/staff",
    tags = ["counter", "manager"],
    security(("session" = [])),
    responses(
        (status = 101, description = "a WebSocket: a `snapshot`, then `emergencies` frames", body = StaffFrame),
        (status = 400, description = "`not_a_websocket`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: a device", body = ErrorBody),
        (status = 429, description = "`too_many_sockets`: this client address holds its share of live feeds", body = ErrorBody),
    ),
)]
pub async fn ws_staff(
    ws: Upgrade,
    State(state): State<AppState>,
    StaffUser(user): StaffUser,
) -> Result<Response, AppError> {
    let ws = upgrade(ws)?;
    let held = state.access.hold(Owner::User(user.id));
    let AppState {
        app, hub, clock, ..
    } = state;
    Ok(ws.on_upgrade(move |socket| run_staff_feed(socket, app, hub, clock, held)))
}

/// The manager's alerts open now: a field's longest wait over its target, a counter idle
/// while people wait, a printer out of paper, a kiosk or TV offline. Reading them checks
/// the hall at once (alerts that begin fire, those that ended clear, each sent to the
/// webhook once).
///
/// Who may call: managers and admins.
#[utoipa::path(
    get,
    path = "/api/alerts",
    tag = "manager",
    security(("session" = [])),
    responses(
        (status = 200, description = "the alerts open now, by kind and subject", body = crate::alerts::AlertList),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a manager or admin", body = ErrorBody),
    ),
)]
pub async fn list_alerts(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<crate::alerts::AlertList>, AppError> {
    caller.reader()?;
    let list = state
        .alerts
        .check(&state.app, &state.printing, &state.access, &*state.clock)
        .await?;
    Ok(Json(list))
}
