//! The live feeds (hall, counter, ticket, kiosk, print agent) and the printers' state.

use super::*;

/// A WebSocket handshake, or our JSON error for a plain request to a feed.
type Upgrade = Result<WebSocketUpgrade, WebSocketUpgradeRejection>;

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
/// headers on a WebSocket, `?token=`.
async fn device_of(
    store: &Store,
    caller: Caller,
    query: TokenParam,
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
    store
        .read(move |conn| accounts::device_by_token(conn, &token))
        .await?
        .ok_or(AppError::Command(Error::Unauthenticated))
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
    State(store): State<Store>,
    State(printing): State<Printing>,
    State(hub): State<Hub>,
    caller: Caller,
    Query(query): Query<TokenParam>,
) -> Result<Response, AppError> {
    let printer = device_of(&store, caller, query).await?;
    let kiosk_id = match (printer.kind, printer.kiosk_id) {
        (DeviceKind::Printer, Some(kiosk)) => kiosk,
        _ => return Err(AppError::forbidden("only a printer may take print jobs")),
    };
    let ws = upgrade(ws)?
        .max_message_size(AGENT_MESSAGE_BYTES)
        .max_frame_size(AGENT_MESSAGE_BYTES);
    Ok(ws.on_upgrade(move |socket| {
        crate::printing::serve_agent(
            socket,
            store,
            printing,
            printer.name,
            kiosk_id,
            hub.closing(),
        )
    }))
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
    State(store): State<Store>,
    State(printing): State<Printing>,
    State(hub): State<Hub>,
    caller: Caller,
    Query(query): Query<TokenParam>,
) -> Result<Response, AppError> {
    let kiosk = device_of(&store, caller, query).await?;
    if kiosk.kind != DeviceKind::Kiosk {
        return Err(AppError::forbidden("only a kiosk has a kiosk feed"));
    }
    Ok(upgrade(ws)?.on_upgrade(move |socket| {
        crate::printing::serve_kiosk(socket, store, printing, kiosk, hub.closing())
    }))
}

/// The largest message a feed takes from its client: screens and phones send nothing but
/// pongs and a close, so a few KiB; a larger one closes that socket only.
const FEED_MESSAGE_BYTES: usize = 4 * 1024;
/// The largest message a print agent sends (its printer's status, a job's result).
const AGENT_MESSAGE_BYTES: usize = 64 * 1024;

fn upgrade(ws: Upgrade) -> Result<WebSocketUpgrade, AppError> {
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
/// Who may call: anyone.
#[utoipa::path(
    get,
    path = "/ws/hall",
    tag = "display",
    responses(
        (status = 101, description = "a WebSocket: a `snapshot`, then `event` frames", body = crate::live::HallFrame),
        (status = 400, description = "`not_a_websocket`", body = ErrorBody),
        (status = 429, description = "`too_many_sockets`: this client address holds its share of live feeds", body = ErrorBody),
    ),
)]
pub async fn ws_hall(
    ws: Upgrade,
    State(store): State<Store>,
    State(hub): State<Hub>,
) -> Result<Response, AppError> {
    Ok(upgrade(ws)?.on_upgrade(move |socket| run_feed(socket, store, hub, Feed::Hall)))
}

/// One counter's feed (WebSocket): its snapshot with the waiting list, then its changes.
///
/// Who may call: anyone (the counter's display, the clerk's console).
#[utoipa::path(
    get,
    path = "/ws/counters/{no}",
    tags = ["counter", "display"],
    params(("no" = u16, Path, description = "the counter's number")),
    responses(
        (status = 101, description = "a WebSocket: a `snapshot`, then `event` frames", body = crate::live::CounterFrame),
        (status = 400, description = "`not_a_websocket`", body = ErrorBody),
        (status = 429, description = "`too_many_sockets`: this client address holds its share of live feeds", body = ErrorBody),
        (status = 404, description = "`counter_not_found`", body = ErrorBody),
    ),
)]
pub async fn ws_counter(
    ws: Upgrade,
    State(store): State<Store>,
    State(hub): State<Hub>,
    Path(no): Path<String>,
) -> Result<Response, AppError> {
    let no = counter_no(&store.hall, &no)?;
    Ok(upgrade(ws)?.on_upgrade(move |socket| run_feed(socket, store, hub, Feed::Counter(no))))
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
        )
    }))
}
