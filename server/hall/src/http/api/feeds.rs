//! The live feeds (hall, counter, ticket, kiosk, print agent) and the printers' state.

use super::*;

/// A WebSocket handshake, or our JSON error for a plain request to a feed.
pub(super) type Upgrade = Result<WebSocketUpgrade, WebSocketUpgradeRejection>;

/// The kiosks' printers.
#[derive(Debug, Serialize, ToSchema)]
pub struct PrinterList {
    pub printers: Vec<PrinterView>,
}

/// Printers and what they last said.
///
/// Who may call: managers and admins.
#[utoipa::path(
    get,
    path = "/api/printers",
    tags = ["manager", "devices"],
    security(("session" = [])),
    responses(
        (status = 200, description = "every printer", body = PrinterList),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a manager or admin", body = ErrorBody),
    ),
)]
pub async fn list_printers(
    State(store): State<Store>,
    State(printing): State<Printing>,
    caller: Caller,
) -> Result<Json<PrinterList>, AppError> {
    caller.reader()?;
    Ok(Json(PrinterList {
        printers: printing.printers(&store).await?,
    }))
}

/// A device's token in the query, for browsers that cannot set headers on a WebSocket.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TokenParam {
    /// The device's token (instead of `Authorization: Bearer`).
    token: Option<String>,
}

/// A device by the token in `Authorization: Bearer` or, for browsers that cannot set
/// headers on a WebSocket, `?token=` (a revoked token names none: 401).
async fn device_of(
    state: &AppState,
    caller: Caller,
    query: TokenParam,
    addr: ClientAddr,
) -> Result<accounts::Device, AppError> {
    if let Caller::Device(device) = caller {
        return Ok(device);
    }
    if matches!(caller, Caller::Staff(_)) && query.token.is_none() {
        return Err(AppError::forbidden("this link is a device's own"));
    }
    let token = query
        .token
        .filter(|t| !t.is_empty() && t.len() <= 128)
        .ok_or(AppError::Command(Error::Unauthenticated))?;
    device_by_token(state, token, addr.0).await
}

/// Whose credential a public feed was opened with, if any: a device's token (as a bearer
/// or `?token=`; a revoked one is refused) or a staff session. Its socket closes when that
/// credential is taken away.
async fn owner_of(
    state: &AppState,
    caller: Caller,
    query: TokenParam,
    addr: ClientAddr,
) -> Result<Option<Owner>, AppError> {
    if query.token.is_some() {
        return Ok(Some(Owner::Device(
            device_of(state, Caller::Nobody, query, addr).await?.id,
        )));
    }
    Ok(match caller {
        Caller::Device(device) => Some(Owner::Device(device.id)),
        Caller::Staff(user) => Some(Owner::User(user.id)),
        Caller::Nobody => None,
    })
}

/// The print agent's link (WebSocket): jobs out, results and printer status in.
///
/// Frames sent: [`motcua_printer::protocol::ToAgent`]; frames read: [`motcua_printer::protocol::FromAgent`].
///
/// Who may call: a printer (its token as a bearer or `?token=`).
#[utoipa::path(
    get,
    path = "/ws/printer",
    tag = "devices",
    security(("device" = []), ("device_query" = [])),
    params(TokenParam),
    responses(
        (status = 101, description = "a WebSocket: `job` frames out; `status`, `done` and `failed` in", body = motcua_printer::protocol::ToAgent),
        (status = 400, description = "`not_a_websocket`", body = ErrorBody),
        (status = 429, description = "`too_many_sockets`: this client address holds its share of live feeds", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a printer", body = ErrorBody),
    ),
)]
pub async fn ws_printer(
    ws: Upgrade,
    State(state): State<AppState>,
    caller: Caller,
    addr: ClientAddr,
    Query(query): Query<TokenParam>,
) -> Result<Response, AppError> {
    let (printer, closed) = device_socket(
        &state,
        caller,
        query,
        addr,
        DeviceKind::Printer,
        "only a printer may take print jobs",
    )
    .await?;
    let Some(kiosk_id) = printer.kiosk_id else {
        return Err(AppError::forbidden("only a printer may take print jobs"));
    };
    let AppState {
        store, printing, ..
    } = state;
    let ws = upgrade(ws)?
        .max_message_size(AGENT_MESSAGE_BYTES)
        .max_frame_size(AGENT_MESSAGE_BYTES);
    Ok(ws.on_upgrade(move |socket| {
        crate::printing::serve_agent(socket, store, printing, printer.name, kiosk_id, closed)
    }))
}

/// A device's own socket: the device the token names if it is a `kind` (else 403 with
/// `refusal`), and what closes the socket: its revocation, or the server stopping.
async fn device_socket(
    state: &AppState,
    caller: Caller,
    query: TokenParam,
    addr: ClientAddr,
    kind: DeviceKind,
    refusal: &'static str,
) -> Result<
    (
        accounts::Device,
        impl std::future::Future<Output = ()> + Send + 'static,
    ),
    AppError,
> {
    let device = device_of(state, caller, query, addr).await?;
    if device.kind != kind {
        return Err(AppError::forbidden(refusal));
    }
    let held = state.access.hold(Owner::Device(device.id));
    Ok((device, held.or(state.hub.closing())))
}

/// The kiosk's own feed (WebSocket): its print results and its printer's state.
///
/// Who may call: a kiosk (its token as a bearer or `?token=`).
#[utoipa::path(
    get,
    path = "/ws/kiosk",
    tags = ["kiosk", "devices"],
    security(("device" = []), ("device_query" = [])),
    params(TokenParam),
    responses(
        (status = 101, description = "a WebSocket: a `snapshot`, then `print` and `printer` frames", body = crate::printing::KioskFrame),
        (status = 400, description = "`not_a_websocket`", body = ErrorBody),
        (status = 429, description = "`too_many_sockets`: this client address holds its share of live feeds", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a kiosk", body = ErrorBody),
    ),
)]
pub async fn ws_kiosk(
    ws: Upgrade,
    State(state): State<AppState>,
    caller: Caller,
    addr: ClientAddr,
    Query(query): Query<TokenParam>,
) -> Result<Response, AppError> {
    let (kiosk, closed) = device_socket(
        &state,
        caller,
        query,
        addr,
        DeviceKind::Kiosk,
        "only a kiosk has a kiosk feed",
    )
    .await?;
    let AppState {
        store, printing, ..
    } = state;
    Ok(upgrade(ws)?.on_upgrade(move |socket| {
        crate::printing::serve_kiosk(socket, store, printing, kiosk, closed)
    }))
}

/// The largest message a feed takes from its client: screens and phones send nothing but
/// pongs and a close, so a few KiB; a larger one closes that socket only.
const FEED_MESSAGE_BYTES: usize = 4 * 1024;
/// The largest message a print agent sends (its printer's status, a job's result).
const AGENT_MESSAGE_BYTES: usize = 64 * 1024;

pub(super) fn upgrade(ws: Upgrade) -> Result<WebSocketUpgrade, AppError> {
    ws.map(|ws| {
        ws.max_message_size(FEED_MESSAGE_BYTES)
            .max_frame_size(FEED_MESSAGE_BYTES)
            .read_buffer_size(FEED_MESSAGE_BYTES)
    })
    .map_err(|rejection| AppError::BadRequest {
        code: "not_a_websocket",
        message: format!(
            "this address is a WebSocket feed: {}",
            rejection.body_text()
        ),
    })
}

/// The hall feed (WebSocket): a snapshot, then every call and change, numbered.
///
/// Who may call: anyone. Opened with a device's token (or a staff session), it closes
/// when that token is revoked (or that member of staff disabled).
#[utoipa::path(
    get,
    path = "/ws/hall",
    tag = "display",
    // Anyone; a credential, if sent, is checked.
    security((), ("device" = []), ("device_query" = []), ("session" = [])),
    params(TokenParam),
    responses(
        (status = 101, description = "a WebSocket: a `snapshot`, then `event` frames", body = crate::live::HallFrame),
        (status = 400, description = "`not_a_websocket`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`: the token given is unknown or revoked", body = ErrorBody),
        (status = 429, description = "`too_many_sockets`: this client address holds its share of live feeds", body = ErrorBody),
    ),
)]
pub async fn ws_hall(
    ws: Upgrade,
    State(state): State<AppState>,
    caller: Caller,
    addr: ClientAddr,
    Query(query): Query<TokenParam>,
) -> Result<Response, AppError> {
    let ws = upgrade(ws)?;
    let held = owner_of(&state, caller, query, addr)
        .await?
        .map(|owner| state.access.hold(owner));
    let AppState { store, hub, .. } = state;
    Ok(ws.on_upgrade(move |socket| run_feed(socket, store, hub, Feed::Hall, held)))
}

/// One counter's feed (WebSocket): its snapshot with the waiting list, then its changes.
///
/// Who may call: anyone (the counter's display, the clerk's console). Opened with a
/// staff session (the console) or a device's token, it closes when that member of staff
/// is disabled (or that token revoked).
#[utoipa::path(
    get,
    path = "/ws/counters/{no}",
    tags = ["counter", "display"],
    // Anyone; a credential, if sent, is checked.
    security((), ("session" = []), ("device" = []), ("device_query" = [])),
    params(("no" = u16, Path, description = "the counter's number"), TokenParam),
    responses(
        (status = 101, description = "a WebSocket: a `snapshot`, then `event` frames", body = crate::live::CounterFrame),
        (status = 400, description = "`not_a_websocket`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`: the token given is unknown or revoked", body = ErrorBody),
        (status = 429, description = "`too_many_sockets`: this client address holds its share of live feeds", body = ErrorBody),
        (status = 404, description = "`counter_not_found`", body = ErrorBody),
    ),
)]
pub async fn ws_counter(
    ws: Upgrade,
    State(state): State<AppState>,
    caller: Caller,
    addr: ClientAddr,
    Path(no): Path<String>,
    Query(query): Query<TokenParam>,
) -> Result<Response, AppError> {
    let no = counter_no(&state.store.hall(), &no)?;
    let ws = upgrade(ws)?;
    let held = owner_of(&state, caller, query, addr)
        .await?
        .map(|owner| state.access.hold(owner));
    let AppState { store, hub, .. } = state;
    Ok(ws.on_upgrade(move |socket| run_feed(socket, store, hub, Feed::Counter(no), held)))
}

/// One ticket's feed (WebSocket): the ticket as its holder sees it, on every change.
///
/// Who may call: anyone with the ticket's token.
#[utoipa::path(
    get,
    path = "/ws/tickets/{token}",
    tag = "phone",
    params(("token" = String, Path, description = "the ticket's token (32 hex digits)")),
    responses(
        (status = 101, description = "a WebSocket: the ticket, then the ticket again on each change", body = crate::live::TicketFrame),
        (status = 400, description = "`not_a_websocket`", body = ErrorBody),
        (status = 429, description = "`too_many_sockets`: this client address holds its share of live feeds", body = ErrorBody),
        (status = 404, description = "`ticket_not_found`", body = ErrorBody),
    ),
)]
pub async fn ws_ticket(
    ws: Upgrade,
    State(store): State<Store>,
    State(hub): State<Hub>,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let token = ticket_token(&token)?;
    let lookup = token.clone();
    let ticket = store
        .read(move |conn| tickets::by_token(conn, &lookup))
        .await?;
    let ticket = ticket.ok_or_else(|| AppError::not_found("ticket_not_found", "no such ticket"))?;
    Ok(upgrade(ws)?.on_upgrade(move |socket| {
        run_feed(
            socket,
            store,
            hub,
            Feed::Ticket {
                id: ticket.id,
                token,
            },
            None,
        )
    }))
}
