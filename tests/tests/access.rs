//! Who may do what: every endpoint of the route table asked by every kind of caller
//! (nobody, each kind of device, an unknown token, each staff role), walked from one
//! table, plus the rules that depend on whose counter it is.
//!
//! Every request in the table is one that succeeds for an allowed caller (valid body, a
//! ticket in the right state, a counter held by the caller), so a refusal can only mean
//! "not you", never "bad input".

use motcua_domain::{DeviceKind, Role};
use motcua_store::{self as store, accounts};
use motcua_tests::{Client, Socket, TestHall, error_code, next_json};
use reqwest::Method;
use serde_json::{Value, json};

use tokio_tungstenite::tungstenite;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

// ---------------------------------------------------------------------------------------
// The callers.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    Nobody,
    Kiosk,
    Display,
    Printer,
    UnknownToken,
    Clerk,
    Manager,
    Admin,
}

/// The columns of the table, in order.
const CALLERS: [Who; 8] = [
    Who::Nobody,
    Who::Kiosk,
    Who::Display,
    Who::Printer,
    Who::UnknownToken,
    Who::Clerk,
    Who::Manager,
    Who::Admin,
];

impl Who {
    fn role(self) -> Option<Role> {
        match self {
            Who::Clerk => Some(Role::Clerk),
            Who::Manager => Some(Role::Manager),
            Who::Admin => Some(Role::Admin),
            _ => None,
        }
    }

    fn is_staff(self) -> bool {
        self.role().is_some()
    }
}

/// A caller speaking plain HTTP with explicit credentials (a bearer token or a session
/// cookie), so that any token, even an unknown one, can be sent, and the websocket feeds
/// can be opened with the same credentials.
struct Actor {
    who: Who,
    base: String,
    ws_base: String,
    http: reqwest::Client,
    credential: Option<(&'static str, String)>,
    /// For a printer: the token of the kiosk whose tickets it prints.
    printer_kiosk: Option<String>,
}

fn password_of(name: &str) -> String {
    format!("{name}-long-password")
}

/// Create a member of staff in the database, as `motcua user add` does.
fn add_user(hall: &TestHall, name: &str, role: Role) {
    let conn = store::open_for_admin(hall.data_dir()).expect("open db");
    motcua_web::accounts::add_user(&conn, name, role, &password_of(name), 0).expect("add user");
}

/// A kiosk or a display, as `motcua device add` makes it: its token.
fn add_device(hall: &TestHall, name: &str, kind: DeviceKind) -> String {
    let conn = store::open_for_admin(hall.data_dir()).expect("open db");
    let (_, token) = motcua_web::accounts::add_device(&conn, name, kind, 0).expect("add device");
    token
}

/// A printer and the kiosk it belongs to (`{name}-kiosk`): their tokens.
fn add_printer(hall: &TestHall, name: &str) -> (String, String) {
    let kiosk = format!("{name}-kiosk");
    let kiosk_token = add_device(hall, &kiosk, DeviceKind::Kiosk);
    (hall.printer(name, &kiosk), kiosk_token)
}

impl Actor {
    async fn new(hall: &TestHall, who: Who, name: &str) -> Actor {
        let http = reqwest::Client::new();
        let mut printer_kiosk = None;
        let credential = match who {
            Who::Nobody => None,
            Who::Kiosk => Some((
                "authorization",
                format!("Bearer {}", add_device(hall, name, DeviceKind::Kiosk)),
            )),
            Who::Display => Some((
                "authorization",
                format!("Bearer {}", add_device(hall, name, DeviceKind::Display)),
            )),
            Who::Printer => {
                let (token, kiosk) = add_printer(hall, name);
                printer_kiosk = Some(kiosk);
                Some(("authorization", format!("Bearer {token}")))
            }
            // Shaped like a real device token, known to nobody.
            Who::UnknownToken => Some(("authorization", format!("Bearer {}", "5eed".repeat(16)))),
            Who::Clerk | Who::Manager | Who::Admin => {
                let role = who.role().expect("a staff role");
                add_user(hall, name, role);
                let resp = http
                    .post(hall.url("/api/session"))
                    .json(&json!({"name": name, "password": password_of(name)}))
                    .send()
                    .await
                    .expect("login request");
                assert_eq!(resp.status().as_u16(), 200, "login of {name}");
                let cookie = resp
                    .headers()
                    .get_all("set-cookie")
                    .iter()
                    .filter_map(|v| v.to_str().ok())
                    .find(|v| v.starts_with("motcua_session="))
                    .and_then(|v| v.split(';').next())
                    .expect("a session cookie")
                    .to_owned();
                Some(("cookie", cookie))
            }
        };
        Actor {
            who,
            base: hall.base.clone(),
            ws_base: hall.ws_base.clone(),
            http,
            credential,
            printer_kiosk,
        }
    }

    async fn send(&self, method: Method, path: &str, body: Option<&Value>) -> (u16, Value) {
        let mut req = self.http.request(method, format!("{}{}", self.base, path));
        if let Some((name, value)) = &self.credential {
            req = req.header(*name, value);
        }
        if let Some(body) = body {
            req = req.json(body);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("body");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, body)
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.send(Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(Method::POST, path, Some(&body)).await
    }

    /// Open a websocket feed with this caller's credentials: 101 and the first frame, or
    /// the refusal's status and body.
    async fn ws(&self, path: &str) -> (u16, Value) {
        match self.connect(path).await {
            Ok((status, mut socket)) => (status, next_json(&mut socket).await),
            Err(refusal) => refusal,
        }
    }

    /// Open a websocket with this caller's credentials: the handshake's status and the
    /// socket, or the refusal's status and body.
    async fn connect(&self, path: &str) -> Result<(u16, Socket), (u16, Value)> {
        let mut request = format!("{}{}", self.ws_base, path)
            .into_client_request()
            .expect("ws request");
        if let Some((name, value)) = &self.credential {
            request
                .headers_mut()
                .insert(*name, value.parse().expect("header value"));
        }
        match tokio_tungstenite::connect_async(request).await {
            Ok((socket, response)) => Ok((response.status().as_u16(), socket)),
            Err(tungstenite::Error::Http(response)) => {
                let status = response.status().as_u16();
                let body = response
                    .body()
                    .as_ref()
                    .map(|b| {
                        serde_json::from_slice(b).unwrap_or_else(|_| {
                            Value::String(String::from_utf8_lossy(b).into_owned())
                        })
                    })
                    .unwrap_or(Value::Null);
                Err((status, body))
            }
            Err(e) => panic!("websocket {path}: {e}"),
        }
    }
}

// ---------------------------------------------------------------------------------------
// The table.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    /// Done, with this status.
    Ok(u16),
    /// 401 unauthenticated: say who you are.
    Unauth,
    /// 403 forbidden: you may not.
    Forbidden,
    /// 401 unknown_issuer: only an outside issuer's signature opens it.
    Unsigned,
}

const OK200: Expect = Expect::Ok(200);
const OK201: Expect = Expect::Ok(201);
const OK204: Expect = Expect::Ok(204);
const WS101: Expect = Expect::Ok(101);
const NO401: Expect = Expect::Unauth;
const NO403: Expect = Expect::Forbidden;
const SIGNED: Expect = Expect::Unsigned;

#[derive(Clone, Copy, Debug)]
enum Endpoint {
    Services,
    IssueTicket,
    ListTickets,
    TicketStatus,
    TicketQr,
    TicketAction(&'static str),
    Announcement,
    Rate,
    ListCounters,
    CounterDetail,
    CounterAction(&'static str),
    Login,
    WhoAmI,
    Logout,
    AddUser,
    AddDevice,
    ListUsers,
    ListDevices,
    RevokeDevice,
    DisableUser,
    EnableUser,
    ResetPassword,
    ChangeRole,
    SignInLocks,
    LiftSignInLock,
    ListPrinters,
    /// Staff list the day's tickets that did not print.
    UnprintedJobs,
    /// Staff print a kiosk's ticket again.
    Reprint,
    /// A manager cancels the waiting tickets of a kiosk in bulk.
    BulkCancel,
    /// A manager acknowledges an issuing alert.
    AcknowledgeAlert,
    /// A manager's read with nothing to set up: the figures, their exports, the uplink.
    ManagerRead(&'static str),
    /// An admin changes a live section of the settings, or sends it back to the file's.
    ChangeSettings,
    ResetSettings,
    OpenApi,
    Healthz,
    Metrics,
    WsHall,
    WsCounter,
    WsTicket,
    WsKiosk,
    WsPrinter,
    /// The booking page's reads (no booking needed).
    BookingRead(&'static str),
    MakeBooking,
    /// A booking's own reads and its cancellation (by its code).
    BookingStatus,
    BookingQr,
    CancelBooking,
    CheckIn,
    /// The dossiers on the ticket at the home counter: read, attach, detach.
    Dossiers(&'static str),
    /// A result pick-up ticket for a dossier's receipt.
    ResultTicket,
    /// An outside issuer's calls: signed, so nobody in the table may make them.
    IssuerBook,
    IssuerCancel,
    /// A citizen complains about a ticket (its token is the key), and reads its complaints.
    MakeComplaint,
    TicketComplaints,
    /// A manager acknowledges or resolves a complaint.
    ComplaintAction(&'static str),
    /// Pairing a device by its code: begun and asked after by the device, looked up and
    /// accepted by an admin; the code's QR.
    BeginPairing,
    ClaimPairing,
    LookUpPairing,
    AcceptPairing,
    PairingQr,
    /// The emergency button at the home counter (`raise`), and marking it handled.
    Emergency(&'static str),
    ListEmergencies,
    WsStaff,
    /// A manager speaks to the hall; anyone reads the messages; a manager withdraws one.
    PostMessage,
    ListMessages,
    PlanPredict,
    PlanSave,
    PlanForget,
    WithdrawMessage,
}

use Endpoint::*;

/// Every route of the route table, asked by every caller. Columns: nobody, kiosk, display,
/// printer, unknown token, clerk, manager, admin. `WS` is a GET that opens a WebSocket.
#[rustfmt::skip]
const MATRIX: &[(&str, Endpoint, [Expect; 8])] = &[
    //                                                        nobody kiosk  display printer unknown clerk  manager admin
    ("GET /api/services",                Services,             [OK200, OK200, OK200, OK200, OK200, OK200, OK200, OK200]),
    ("POST /api/tickets",                IssueTicket,          [NO401, OK201, NO403, NO403, NO401, OK201, OK201, OK201]),
    ("GET /api/tickets",                 ListTickets,          [NO401, NO403, NO403, NO403, NO401, OK200, OK200, OK200]),
    ("GET /api/tickets/{token}",         TicketStatus,         [OK200, OK200, OK200, OK200, OK200, OK200, OK200, OK200]),
    ("GET /api/tickets/{token}/qr.svg",  TicketQr,             [OK200, OK200, OK200, OK200, OK200, OK200, OK200, OK200]),
    ("POST /api/tickets/{id}/call",      TicketAction("call"),     [NO401, NO403, NO403, NO403, NO401, OK200, OK200, OK200]),
    ("POST /api/tickets/{id}/recall",    TicketAction("recall"),   [NO401, NO403, NO403, NO403, NO401, OK200, OK200, OK200]),
    ("POST /api/tickets/{id}/start",     TicketAction("start"),    [NO401, NO403, NO403, NO403, NO401, OK200, OK200, OK200]),
    ("POST /api/tickets/{id}/finish",    TicketAction("finish"),   [NO401, NO403, NO403, NO403, NO401, OK200, OK200, OK200]),
    ("POST /api/tickets/{id}/no-show",   TicketAction("no-show"),  [NO401, NO403, NO403, NO403, NO401, OK200, OK200, OK200]),
    ("POST /api/tickets/{id}/transfer",  TicketAction("transfer"), [NO401, NO403, NO403, NO403, NO401, OK200, OK200, OK200]),
    ("POST /api/tickets/{id}/return",    TicketAction("return"),   [NO401, NO403, NO403, NO403, NO401, OK200, OK200, OK200]),
    ("POST /api/tickets/{id}/cancel",    TicketAction("cancel"),   [NO401, NO403, NO403, NO403, NO401, OK200, OK200, OK200]),
    ("POST /api/tickets/{id}/hold",      TicketAction("hold"),     [NO401, NO403, NO403, NO403, NO401, OK200, OK200, OK200]),
    // Back to the front of its queue: a clerk whose counter serves the field, a manager.
    ("POST /api/tickets/{id}/undo-absent", TicketAction("undo-absent"), [NO401, NO403, NO403, NO403, NO401, OK200, OK200, OK200]),
    // Rated on the counter's tablet, signed in as the member of staff holding the counter
    // that served the ticket (each staff column serves it at their own counter).
    ("POST /api/tickets/{id}/rate",      TicketAction("rate"),     [NO401, NO403, NO403, NO403, NO401, OK200, OK200, OK200]),
    ("GET /api/announcements",           Announcement,         [OK200, OK200, OK200, OK200, OK200, OK200, OK200, OK200]),
    ("POST /api/ratings",                Rate,                 [OK201, OK201, OK201, OK201, OK201, OK201, OK201, OK201]),
    ("GET /api/counters",                ListCounters,         [OK200, OK200, OK200, OK200, OK200, OK200, OK200, OK200]),
    ("GET /api/counters/{no}",           CounterDetail,        [OK200, OK200, OK200, OK200, OK200, OK200, OK200, OK200]),
    ("POST /api/counters/{no}/open",     CounterAction("open"),      [NO401, NO403, NO403, NO403, NO401, OK200, OK200, OK200]),
    ("POST /api/counters/{no}/close",    CounterAction("close"),     [NO401, NO403, NO403, NO403, NO401, OK200, OK200, OK200]),
    ("POST /api/counters/{no}/pause",    CounterAction("pause"),     [NO401, NO403, NO403, NO403, NO401, OK200, OK200, OK200]),
    ("POST /api/counters/{no}/resume",   CounterAction("resume"),    [NO401, NO403, NO403, NO403, NO401, OK200, OK200, OK200]),
    ("POST /api/counters/{no}/call-next", CounterAction("call-next"), [NO401, NO403, NO403, NO403, NO401, OK200, OK200, OK200]),
    // The emergency button: the member of staff holding the counter (each staff column at
    // their own); handled by a manager or that clerk. Staff alone follow the emergencies.
    ("POST /api/counters/{no}/emergency", Emergency("raise"),   [NO401, NO403, NO403, NO403, NO401, OK200, OK200, OK200]),
    ("POST /api/counters/{no}/emergency/handled", Emergency("handled"), [NO401, NO403, NO403, NO403, NO401, OK200, OK200, OK200]),
    ("POST /api/messages",               PostMessage,          [NO401, NO403, NO403, NO403, NO401, NO403, OK201, OK201]),
    ("GET /api/messages",                ListMessages,         [OK200, OK200, OK200, OK200, OK200, OK200, OK200, OK200]),
    ("POST /api/messages/{id}/withdraw", WithdrawMessage,      [NO401, NO403, NO403, NO403, NO401, NO403, OK200, OK200]),
    ("GET /api/emergencies",             ListEmergencies,      [NO401, NO403, NO403, NO403, NO401, OK200, OK200, OK200]),
    ("WS /ws/staff",                     WsStaff,              [NO401, NO403, NO403, NO403, NO401, WS101, WS101, WS101]),
    // The dossiers on the ticket at a counter: its clerk (each staff column at their own).
    ("GET /api/counters/{no}/dossiers",  Dossiers("GET"),       [NO401, NO403, NO403, NO403, NO401, OK200, OK200, OK200]),
    ("POST /api/counters/{no}/dossiers", Dossiers("POST"),      [NO401, NO403, NO403, NO403, NO401, OK200, OK200, OK200]),
    ("DELETE /api/counters/{no}/dossiers/{code}", Dossiers("DELETE"), [NO401, NO403, NO403, NO403, NO401, OK200, OK200, OK200]),
    ("POST /api/session",                Login,                [OK200, OK200, OK200, OK200, OK200, OK200, OK200, OK200]),
    ("GET /api/session",                 WhoAmI,               [NO401, OK200, OK200, OK200, NO401, OK200, OK200, OK200]),
    ("DELETE /api/session",              Logout,               [OK204, OK204, OK204, OK204, OK204, OK204, OK204, OK204]),
    ("POST /api/users",                  AddUser,              [NO401, NO403, NO403, NO403, NO401, NO403, NO403, OK201]),
    ("POST /api/devices",                AddDevice,            [NO401, NO403, NO403, NO403, NO401, NO403, NO403, OK201]),
    ("GET /api/users",                   ListUsers,            [NO401, NO403, NO403, NO403, NO401, NO403, NO403, OK200]),
    ("GET /api/devices",                 ListDevices,          [NO401, NO403, NO403, NO403, NO401, NO403, NO403, OK200]),
    ("POST /api/devices/{id}/revoke",    RevokeDevice,         [NO401, NO403, NO403, NO403, NO401, NO403, NO403, OK200]),
    ("POST /api/users/{id}/disable",     DisableUser,          [NO401, NO403, NO403, NO403, NO401, NO403, NO403, OK200]),
    ("POST /api/users/{id}/enable",      EnableUser,           [NO401, NO403, NO403, NO403, NO401, NO403, NO403, OK200]),
    ("POST /api/users/{id}/password",    ResetPassword,        [NO401, NO403, NO403, NO403, NO401, NO403, NO403, OK200]),
    ("POST /api/users/{id}/role",        ChangeRole,           [NO401, NO403, NO403, NO403, NO401, NO403, NO403, OK200]),
    ("GET /api/security/sign-in",        SignInLocks,          [NO401, NO403, NO403, NO403, NO401, NO403, NO403, OK200]),
    ("POST /api/security/sign-in/unlock", LiftSignInLock,      [NO401, NO403, NO403, NO403, NO401, NO403, NO403, OK204]),
    ("GET /api/printers",                ListPrinters,         [NO401, NO403, NO403, NO403, NO401, NO403, OK200, OK200]),
    ("GET /api/print-jobs",              UnprintedJobs,        [NO401, NO403, NO403, NO403, NO401, OK200, OK200, OK200]),
    // A clerk at a counter serving the ticket's field (each staff column at their own).
    ("POST /api/tickets/{id}/reprint",   Reprint,              [NO401, NO403, NO403, NO403, NO401, OK200, OK200, OK200]),
    ("POST /api/bulk-cancellations",     BulkCancel,           [NO401, NO403, NO403, NO403, NO401, NO403, OK200, OK200]),
    ("POST /api/issuing-alerts/{id}/acknowledge", AcknowledgeAlert, [NO401, NO403, NO403, NO403, NO401, NO403, OK204, OK204]),
    ("GET /api/stats",                   ManagerRead("/api/stats"),      [NO401, NO403, NO403, NO403, NO401, NO403, OK200, OK200]),
    ("GET /api/stats/now",               ManagerRead("/api/stats/now"),  [NO401, NO403, NO403, NO403, NO401, NO403, OK200, OK200]),
    ("GET /api/stats.csv",               ManagerRead("/api/stats.csv"),  [NO401, NO403, NO403, NO403, NO401, NO403, OK200, OK200]),
    ("GET /api/stats.xlsx",              ManagerRead("/api/stats.xlsx"), [NO401, NO403, NO403, NO403, NO401, NO403, OK200, OK200]),
    ("GET /api/stats/dossiers.csv",      ManagerRead("/api/stats/dossiers.csv"), [NO401, NO403, NO403, NO403, NO401, NO403, OK200, OK200]),
    ("GET /api/uplink",                  ManagerRead("/api/uplink"),     [NO401, NO403, NO403, NO403, NO401, NO403, OK200, OK200]),
    ("GET /api/alerts",                  ManagerRead("/api/alerts"),     [NO401, NO403, NO403, NO403, NO401, NO403, OK200, OK200]),
    ("GET /api/plan",                    ManagerRead("/api/plan?days=2"), [NO401, NO403, NO403, NO403, NO401, NO403, OK200, OK200]),
    ("GET /api/plan/check",              ManagerRead("/api/plan/check?days=2"), [NO401, NO403, NO403, NO403, NO401, NO403, OK200, OK200]),
    ("GET /api/plan.csv",                ManagerRead("/api/plan.csv?days=1"), [NO401, NO403, NO403, NO403, NO401, NO403, OK200, OK200]),
    ("GET /api/plan.xlsx",               ManagerRead("/api/plan.xlsx?days=1"), [NO401, NO403, NO403, NO403, NO401, NO403, OK200, OK200]),
    ("POST /api/plan/predict",           PlanPredict,          [NO401, NO403, NO403, NO403, NO401, NO403, OK200, OK200]),
    ("PUT /api/plan/{day}",              PlanSave,             [NO401, NO403, NO403, NO403, NO401, NO403, OK200, OK200]),
    ("DELETE /api/plan/{day}",           PlanForget,           [NO401, NO403, NO403, NO403, NO401, NO403, OK200, OK200]),
    ("GET /api/openapi.json",            OpenApi,              [OK200, OK200, OK200, OK200, OK200, OK200, OK200, OK200]),
    ("GET /healthz",                     Healthz,              [OK200, OK200, OK200, OK200, OK200, OK200, OK200, OK200]),
    ("GET /metrics",                     Metrics,              [OK200, OK200, OK200, OK200, OK200, OK200, OK200, OK200]),
    // Open to all, but a token that is sent is checked: an unknown (or revoked) one is
    // refused, and a socket opened with a credential closes when it is taken away.
    ("WS /ws/hall",                      WsHall,               [WS101, WS101, WS101, WS101, NO401, WS101, WS101, WS101]),
    ("WS /ws/counters/{no}",             WsCounter,            [WS101, WS101, WS101, WS101, NO401, WS101, WS101, WS101]),
    ("WS /ws/tickets/{token}",           WsTicket,             [WS101, WS101, WS101, WS101, WS101, WS101, WS101, WS101]),
    // A device's own links: staff are known callers of the wrong kind, so 403 as a device
    // is on a staff route, not 401 (signing in again would not help).
    ("WS /ws/kiosk",                     WsKiosk,              [NO401, WS101, NO403, NO403, NO401, NO403, NO403, NO403]),
    ("WS /ws/printer",                   WsPrinter,            [NO401, NO403, NO403, WS101, NO401, NO403, NO403, NO403]),
    // The booking page: anyone, with no account; a booking's code is its holder's key.
    ("GET /api/bookings/fields",         BookingRead("/api/bookings/fields"),             [OK200, OK200, OK200, OK200, OK200, OK200, OK200, OK200]),
    ("GET /api/bookings/calendar",       BookingRead("/api/bookings/calendar?service=A"), [OK200, OK200, OK200, OK200, OK200, OK200, OK200, OK200]),
    ("POST /api/bookings",               MakeBooking,          [OK201, OK201, OK201, OK201, OK201, OK201, OK201, OK201]),
    ("GET /api/bookings/{code}",         BookingStatus,        [OK200, OK200, OK200, OK200, OK200, OK200, OK200, OK200]),
    ("GET /api/bookings/{code}/qr.svg",  BookingQr,            [OK200, OK200, OK200, OK200, OK200, OK200, OK200, OK200]),
    ("POST /api/bookings/{code}/cancel", CancelBooking,        [OK200, OK200, OK200, OK200, OK200, OK200, OK200, OK200]),
    // Checked in where tickets are issued: a kiosk, or staff at a counter.
    ("POST /api/check-in",               CheckIn,              [NO401, OK201, NO403, NO403, NO401, OK201, OK201, OK201]),
    // A result pick-up ticket: where tickets are issued, a kiosk or staff.
    ("POST /api/result-tickets",         ResultTicket,         [NO401, OK201, NO403, NO403, NO401, OK201, OK201, OK201]),
    // Outside issuers sign each request (tests/tests/bookings.rs): a device token or a
    // session is no signature.
    ("POST /api/issuers/bookings",       IssuerBook,           [SIGNED, SIGNED, SIGNED, SIGNED, SIGNED, SIGNED, SIGNED, SIGNED]),
    ("POST /api/issuers/bookings/{issuer_ref}/cancel", IssuerCancel, [SIGNED, SIGNED, SIGNED, SIGNED, SIGNED, SIGNED, SIGNED, SIGNED]),
    // Complaints: made and read by anyone with the ticket's token; listed, acknowledged and
    // resolved by the hall's managers.
    ("POST /api/complaints",             MakeComplaint,        [OK201, OK201, OK201, OK201, OK201, OK201, OK201, OK201]),
    ("GET /api/tickets/{token}/complaints", TicketComplaints,  [OK200, OK200, OK200, OK200, OK200, OK200, OK200, OK200]),
    ("GET /api/complaints",              ManagerRead("/api/complaints"), [NO401, NO403, NO403, NO403, NO401, NO403, OK200, OK200]),
    ("GET /api/audit",                   ManagerRead("/api/audit"), [NO401, NO403, NO403, NO403, NO401, NO403, OK200, OK200]),
    ("GET /api/admin/settings",          ManagerRead("/api/admin/settings"), [NO401, NO403, NO403, NO403, NO401, NO403, OK200, OK200]),
    ("PUT /api/admin/settings/{section}", ChangeSettings,       [NO401, NO403, NO403, NO403, NO401, NO403, NO403, OK200]),
    ("DELETE /api/admin/settings/{section}", ResetSettings,     [NO401, NO403, NO403, NO403, NO401, NO403, NO403, OK200]),
    ("POST /api/complaints/{id}/acknowledge", ComplaintAction("acknowledge"), [NO401, NO403, NO403, NO403, NO401, NO403, OK200, OK200]),
    ("POST /api/complaints/{id}/resolve", ComplaintAction("resolve"), [NO401, NO403, NO403, NO403, NO401, NO403, OK200, OK200]),
    // Pairing: a device without a token begins and asks with its secret (the secret is the
    // key); only an admin looks a code up and accepts it.
    ("POST /api/pairings",               BeginPairing,         [OK201, OK201, OK201, OK201, OK201, OK201, OK201, OK201]),
    ("POST /api/pairings/claim",         ClaimPairing,         [OK200, OK200, OK200, OK200, OK200, OK200, OK200, OK200]),
    ("GET /api/pairings/{code}",         LookUpPairing,        [NO401, NO403, NO403, NO403, NO401, NO403, NO403, OK200]),
    ("POST /api/pairings/{code}/accept", AcceptPairing,        [NO401, NO403, NO403, NO403, NO401, NO403, NO403, OK201]),
    ("GET /api/pairings/{code}/qr.svg",  PairingQr,            [OK200, OK200, OK200, OK200, OK200, OK200, OK200, OK200]),
];

// ---------------------------------------------------------------------------------------
// Walking one cell: a fresh hall, the state the request needs, the request, the verdict.

/// What a cell asks.
enum Request {
    Http {
        method: Method,
        path: String,
        body: Option<Value>,
    },
    Ws {
        path: String,
    },
    /// A print agent's link. Once it is open, the printer's kiosk (its feed open already)
    /// waits for its printer to come online and issues a ticket: the agent's first frame is
    /// that ticket's job. `None` for a caller that is no printer: it has no kiosk.
    Agent {
        path: String,
        kiosk: Option<Box<(Client, Socket)>>,
    },
}

fn post(path: String, body: Value) -> Request {
    Request::Http {
        method: Method::POST,
        path,
        body: Some(body),
    }
}

fn get(path: String) -> Request {
    Request::Http {
        method: Method::GET,
        path,
        body: None,
    }
}

/// What to look at afterwards, to see that a refused request changed nothing.
enum Watch {
    Nothing,
    Ticket { token: String, before: Value },
    Counter { no: u16, before: Value },
    UserAbsent(&'static str),
    DeviceAbsent(&'static str),
}

/// The counter every cell works at, and a field it serves.
const HOME: u16 = 1;
const HOME_FIELD: &str = "A";

async fn seq(hall: &TestHall) -> i64 {
    let (status, body) = hall.anonymous().get("/healthz").await;
    assert_eq!(status, 200, "healthz: {body}");
    body["seq"].as_i64().expect("seq")
}

async fn ticket_by_token(hall: &TestHall, token: &str) -> Value {
    let (status, body) = hall.anonymous().get(&format!("/api/tickets/{token}")).await;
    assert_eq!(status, 200, "ticket {token}: {body}");
    body
}

async fn counter(hall: &TestHall, no: u16) -> Value {
    let (status, body) = hall.anonymous().get(&format!("/api/counters/{no}")).await;
    assert_eq!(status, 200, "counter {no}: {body}");
    body["counter"].clone()
}

fn ok(context: &str, (status, body): (u16, Value), want: u16) -> Value {
    assert_eq!(status, want, "{context}: {body}");
    body
}

/// Prepare the hall for `endpoint` asked by `actor`: staff callers work at their own
/// counter; other callers find the state prepared by a clerk holding that counter, so the
/// same request would succeed for a clerk there.
async fn prepare(hall: &TestHall, actor: &Actor, endpoint: Endpoint) -> (Request, Watch) {
    let helper;
    let operator = if actor.who.is_staff() {
        actor
    } else {
        helper = Actor::new(hall, Who::Clerk, "helper-clerk").await;
        &helper
    };
    let kiosk = hall.device("setup-kiosk", DeviceKind::Kiosk);
    let open_home = || async {
        ok(
            "open the home counter",
            operator
                .post(&format!("/api/counters/{HOME}/open"), json!({}))
                .await,
            200,
        );
    };
    // A booking for today's 08:30 window (its check-in is open from 08:00).
    let booking = || async {
        let body = json!({"service": HOME_FIELD, "day": "2026-11-25", "window": "08:30",
            "person": "0912000001", "consent": true});
        let made = ok(
            "book",
            hall.anonymous().post("/api/bookings", body).await,
            201,
        );
        made["code"].as_str().expect("code").to_owned()
    };
    // A kiosk page without a token asking to be paired: its code and secret.
    let pairing = || async {
        let begun = ok(
            "begin a pairing",
            hall.anonymous()
                .post("/api/pairings", json!({"kind": "kiosk"}))
                .await,
            201,
        );
        (
            begun["code"].as_str().expect("code").to_owned(),
            begun["secret"].as_str().expect("secret").to_owned(),
        )
    };
    match endpoint {
        Services => (get("/api/services".into()), Watch::Nothing),
        BeginPairing => (
            post("/api/pairings".into(), json!({"kind": "display"})),
            Watch::Nothing,
        ),
        ClaimPairing => {
            let (_, secret) = pairing().await;
            (
                post("/api/pairings/claim".into(), json!({"secret": secret})),
                Watch::Nothing,
            )
        }
        LookUpPairing => (
            get(format!("/api/pairings/{}", pairing().await.0)),
            Watch::Nothing,
        ),
        AcceptPairing => (
            post(
                format!("/api/pairings/{}/accept", pairing().await.0),
                json!({"name": "paired-kiosk"}),
            ),
            Watch::DeviceAbsent("paired-kiosk"),
        ),
        PairingQr => (
            get(format!("/api/pairings/{}/qr.svg", pairing().await.0)),
            Watch::Nothing,
        ),
        BookingRead(path) => (get(path.into()), Watch::Nothing),
        MakeBooking => (
            post(
                "/api/bookings".into(),
                json!({"service": HOME_FIELD, "day": "2026-11-25", "window": "09:00",
                    "person": "0912000002", "consent": true}),
            ),
            Watch::Nothing,
        ),
        BookingStatus => (
            get(format!("/api/bookings/{}", booking().await)),
            Watch::Nothing,
        ),
        BookingQr => (
            get(format!("/api/bookings/{}/qr.svg", booking().await)),
            Watch::Nothing,
        ),
        CancelBooking => (
            post(
                format!("/api/bookings/{}/cancel", booking().await),
                json!({}),
            ),
            Watch::Nothing,
        ),
        CheckIn => (
            post("/api/check-in".into(), json!({"code": booking().await})),
            Watch::Nothing,
        ),
        ResultTicket => (
            post(
                "/api/result-tickets".into(),
                json!({"dossier": "H26.39-251207-0012", "procedure": "1.001193"}),
            ),
            Watch::Nothing,
        ),
        Dossiers(method) => {
            open_home().await;
            kiosk.issue(HOME_FIELD, "none").await;
            let dossiers = format!("/api/counters/{HOME}/dossiers");
            ok(
                "call-next",
                operator
                    .post(&format!("/api/counters/{HOME}/call-next"), json!({}))
                    .await,
                200,
            );
            let code = "H26.39-251207-0012";
            let request = match method {
                "GET" => get(dossiers),
                "POST" => post(dossiers, json!({ "code": code })),
                _ => {
                    ok(
                        "attach",
                        operator.post(&dossiers, json!({ "code": code })).await,
                        200,
                    );
                    Request::Http {
                        method: Method::DELETE,
                        path: format!("{dossiers}/{code}"),
                        body: None,
                    }
                }
            };
            (request, Watch::Nothing)
        }
        IssuerBook => (
            post(
                "/api/issuers/bookings".into(),
                json!({"issuer_ref": "X-1", "service": HOME_FIELD, "day": "2026-11-25", "window": "09:00"}),
            ),
            Watch::Nothing,
        ),
        IssuerCancel => (
            post("/api/issuers/bookings/X-1/cancel".into(), json!({})),
            Watch::Nothing,
        ),
        IssueTicket => (
            post(
                "/api/tickets".into(),
                json!({"service": HOME_FIELD, "priority": "elderly"}),
            ),
            Watch::Nothing,
        ),
        ListTickets => {
            kiosk.issue(HOME_FIELD, "none").await;
            (get("/api/tickets?status=waiting".into()), Watch::Nothing)
        }
        TicketStatus | TicketQr | WsTicket => {
            let ticket = kiosk.issue(HOME_FIELD, "none").await;
            let token = ticket["token"].as_str().expect("token").to_owned();
            let request = match endpoint {
                WsTicket => Request::Ws {
                    path: format!("/ws/tickets/{token}"),
                },
                TicketQr => get(format!("/api/tickets/{token}/qr.svg")),
                _ => get(format!("/api/tickets/{token}")),
            };
            (request, Watch::Nothing)
        }
        TicketAction(action) => {
            let ticket = kiosk.issue(HOME_FIELD, "none").await;
            let token = ticket["token"].as_str().expect("token").to_owned();
            let id = ticket["id"].as_i64().expect("id");
            // The state each move starts from.
            let (called, serving, served) = match action {
                "call" | "cancel" => (false, false, false),
                "recall" | "start" | "no-show" | "transfer" | "undo-absent" | "hold" => {
                    (true, false, false)
                }
                "finish" | "return" => (true, true, false),
                "rate" => (true, true, true),
                other => panic!("no such action {other}"),
            };
            open_home().await;
            if called {
                let called = ok(
                    "call-next",
                    operator
                        .post(&format!("/api/counters/{HOME}/call-next"), json!({}))
                        .await,
                    200,
                );
                assert_eq!(called["id"], id, "the prepared ticket is the one called");
            }
            if action == "undo-absent" {
                ok(
                    "no-show",
                    operator
                        .post(&format!("/api/tickets/{id}/no-show"), json!({}))
                        .await,
                    200,
                );
            }
            if serving {
                ok(
                    "start",
                    operator
                        .post(&format!("/api/tickets/{id}/start"), json!({}))
                        .await,
                    200,
                );
            }
            if served {
                ok(
                    "finish",
                    operator
                        .post(&format!("/api/tickets/{id}/finish"), json!({}))
                        .await,
                    200,
                );
            }
            let body = match action {
                "call" => json!({"counter": HOME}),
                "transfer" => json!({"service": "D"}),
                "rate" => json!({"level": 4}),
                "undo-absent" => json!({"to": "queue"}),
                _ => json!({}),
            };
            let before = ticket_by_token(hall, &token).await;
            (
                post(format!("/api/tickets/{id}/{action}"), body),
                Watch::Ticket { token, before },
            )
        }
        Rate => {
            let ticket = kiosk.issue(HOME_FIELD, "none").await;
            let token = ticket["token"].as_str().expect("token").to_owned();
            let id = ticket["id"].as_i64().expect("id");
            open_home().await;
            ok(
                "call-next",
                operator
                    .post(&format!("/api/counters/{HOME}/call-next"), json!({}))
                    .await,
                200,
            );
            ok(
                "start",
                operator
                    .post(&format!("/api/tickets/{id}/start"), json!({}))
                    .await,
                200,
            );
            ok(
                "finish",
                operator
                    .post(&format!("/api/tickets/{id}/finish"), json!({}))
                    .await,
                200,
            );
            let before = ticket_by_token(hall, &token).await;
            (
                post(
                    "/api/ratings".into(),
                    json!({"token": token, "level": 4, "comment": "nhanh, chu dao"}),
                ),
                Watch::Ticket { token, before },
            )
        }
        Announcement => {
            // Only a call the hall made today is spoken: a ticket called at the counter.
            let ticket = kiosk.issue(HOME_FIELD, "none").await;
            open_home().await;
            ok(
                "call-next",
                operator
                    .post(&format!("/api/counters/{HOME}/call-next"), json!({}))
                    .await,
                200,
            );
            let code = ticket["code"].as_str().expect("code").to_owned();
            (
                get(format!("/api/announcements?code={code}&counter={HOME}")),
                Watch::Nothing,
            )
        }
        ListCounters => (get("/api/counters".into()), Watch::Nothing),
        CounterDetail => (get(format!("/api/counters/{HOME}")), Watch::Nothing),
        CounterAction(action) => {
            let mut body = json!({});
            match action {
                "open" => {}
                "close" => open_home().await,
                "pause" => {
                    open_home().await;
                    body = json!({"reason": "lunch"});
                }
                "resume" => {
                    open_home().await;
                    ok(
                        "pause",
                        operator
                            .post(
                                &format!("/api/counters/{HOME}/pause"),
                                json!({"reason": "lunch"}),
                            )
                            .await,
                        200,
                    );
                }
                "call-next" => {
                    open_home().await;
                    kiosk.issue(HOME_FIELD, "none").await;
                }
                other => panic!("no such counter action {other}"),
            }
            let before = counter(hall, HOME).await;
            (
                post(format!("/api/counters/{HOME}/{action}"), body),
                Watch::Counter { no: HOME, before },
            )
        }
        Login => {
            add_user(hall, "visitor", Role::Clerk);
            (
                post(
                    "/api/session".into(),
                    json!({"name": "visitor", "password": password_of("visitor")}),
                ),
                Watch::Nothing,
            )
        }
        WhoAmI => (get("/api/session".into()), Watch::Nothing),
        Logout => (
            Request::Http {
                method: Method::DELETE,
                path: "/api/session".into(),
                body: None,
            },
            Watch::Nothing,
        ),
        AddUser => (
            post(
                "/api/users".into(),
                json!({"name": "new-clerk", "role": "clerk", "password": "tulip ferry granite 88"}),
            ),
            Watch::UserAbsent("new-clerk"),
        ),
        SignInLocks => (get("/api/security/sign-in".into()), Watch::Nothing),
        LiftSignInLock => {
            // A mistyped password: one failure counted for the name, for an admin to clear.
            let (status, _) = hall
                .anonymous()
                .post("/api/session", json!({"name": "mistyped", "password": "x"}))
                .await;
            assert_eq!(status, 401);
            (
                post(
                    "/api/security/sign-in/unlock".into(),
                    json!({"name": "mistyped"}),
                ),
                Watch::Nothing,
            )
        }
        AddDevice => (
            post(
                "/api/devices".into(),
                json!({"name": "kiosk-2", "kind": "kiosk"}),
            ),
            Watch::DeviceAbsent("kiosk-2"),
        ),
        ListUsers => (get("/api/users".into()), Watch::Nothing),
        ChangeSettings => {
            let mut value = serde_json::to_value(motcua_hall::config::Settings::default().hall)
                .expect("the hall's settings");
            value["notice"] = json!("Quầy 3 tạm nghỉ đến 14:00.");
            (
                Request::Http {
                    method: Method::PUT,
                    path: "/api/admin/settings/hall".into(),
                    body: Some(json!({ "value": value })),
                },
                Watch::Nothing,
            )
        }
        ResetSettings => (
            Request::Http {
                method: Method::DELETE,
                path: "/api/admin/settings/hall".into(),
                body: None,
            },
            Watch::Nothing,
        ),
        ListDevices => (get("/api/devices".into()), Watch::Nothing),
        RevokeDevice => {
            let id = device_id(hall, "setup-kiosk");
            (
                post(format!("/api/devices/{id}/revoke"), json!({})),
                Watch::Nothing,
            )
        }
        DisableUser | EnableUser | ResetPassword | ChangeRole => {
            add_user(hall, "colleague", Role::Clerk);
            let conn = store::open_for_admin(hall.data_dir()).expect("open db");
            let id = accounts::user_id_by_name(&conn, "colleague")
                .expect("look up user")
                .expect("the colleague");
            let request = match endpoint {
                DisableUser => post(format!("/api/users/{id}/disable"), json!({})),
                EnableUser => {
                    accounts::set_user_disabled(&conn, id, Some(0)).expect("disable");
                    post(format!("/api/users/{id}/enable"), json!({}))
                }
                ChangeRole => post(format!("/api/users/{id}/role"), json!({"role": "manager"})),
                _ => post(
                    format!("/api/users/{id}/password"),
                    json!({"password": "tulip ferry granite 88"}),
                ),
            };
            (request, Watch::Nothing)
        }
        OpenApi => (get("/api/openapi.json".into()), Watch::Nothing),
        Healthz => (get("/healthz".into()), Watch::Nothing),
        Metrics => (get("/metrics".into()), Watch::Nothing),
        WsHall => (
            Request::Ws {
                path: "/ws/hall".into(),
            },
            Watch::Nothing,
        ),
        WsStaff => (
            Request::Ws {
                path: "/ws/staff".into(),
            },
            Watch::Nothing,
        ),
        ListEmergencies => (get("/api/emergencies".into()), Watch::Nothing),
        PostMessage => (
            post(
                "/api/messages".into(),
                json!({"text_vi": "Lĩnh vực đất đai tạm dừng 30 phút", "service": "B"}),
            ),
            Watch::Nothing,
        ),
        ListMessages => (get("/api/messages?service=A".into()), Watch::Nothing),
        // The demo hall's Wednesday: ten hours (07:00 to 17:00), one counter of A each.
        PlanPredict => (
            post(
                "/api/plan/predict".into(),
                json!({"day": "2026-11-25", "counters": vec![vec![vec!["A"]]; 10]}),
            ),
            Watch::Nothing,
        ),
        PlanSave => (
            Request::Http {
                method: Method::PUT,
                path: "/api/plan/2026-11-26".into(),
                body: Some(json!({"counters": vec![vec![vec!["A"]]; 10]})),
            },
            Watch::Nothing,
        ),
        PlanForget => (
            Request::Http {
                method: Method::DELETE,
                path: "/api/plan/2026-11-26".into(),
                body: None,
            },
            Watch::Nothing,
        ),
        WithdrawMessage => {
            let manager = hall.staff("setup-manager", Role::Manager).await;
            let posted = ok(
                "post a message",
                manager
                    .post("/api/messages", json!({"text_vi": "Tạm dừng 10 phút"}))
                    .await,
                201,
            );
            let id = posted["id"].as_i64().expect("id");
            (
                post(format!("/api/messages/{id}/withdraw"), json!({})),
                Watch::Nothing,
            )
        }
        Emergency(step) => {
            open_home().await;
            let path = format!("/api/counters/{HOME}/emergency");
            if step == "raise" {
                (post(path, json!({})), Watch::Nothing)
            } else {
                ok("raise", operator.post(&path, json!({})).await, 200);
                (post(format!("{path}/handled"), json!({})), Watch::Nothing)
            }
        }
        WsCounter => (
            Request::Ws {
                path: format!("/ws/counters/{HOME}"),
            },
            Watch::Nothing,
        ),
        ListPrinters => {
            hall.printer("setup-printer", "setup-kiosk");
            (get("/api/printers".into()), Watch::Nothing)
        }
        UnprintedJobs => {
            // The setup kiosk has no printer: its ticket's job failed.
            kiosk.issue(HOME_FIELD, "none").await;
            (get("/api/print-jobs".into()), Watch::Nothing)
        }
        Reprint => {
            let ticket = kiosk.issue(HOME_FIELD, "none").await;
            let id = ticket["id"].as_i64().expect("id");
            open_home().await;
            (
                post(format!("/api/tickets/{id}/reprint"), json!({})),
                Watch::Nothing,
            )
        }
        ManagerRead(path) => (get(path.into()), Watch::Nothing),
        MakeComplaint => {
            let ticket = kiosk.issue(HOME_FIELD, "none").await;
            let token = ticket["token"].as_str().expect("token").to_owned();
            (
                post(
                    "/api/complaints".into(),
                    json!({"token": token, "topic": "wait", "text": "Chờ hơn một giờ"}),
                ),
                Watch::Nothing,
            )
        }
        TicketComplaints => {
            let ticket = kiosk.issue(HOME_FIELD, "none").await;
            let token = ticket["token"].as_str().expect("token");
            (
                get(format!("/api/tickets/{token}/complaints")),
                Watch::Nothing,
            )
        }
        ComplaintAction(action) => {
            let ticket = kiosk.issue(HOME_FIELD, "none").await;
            let token = ticket["token"].as_str().expect("token");
            let made = ok(
                "complaint",
                hall.anonymous()
                    .post(
                        "/api/complaints",
                        json!({"token": token, "topic": "attitude", "text": "Cán bộ không trả lời"}),
                    )
                    .await,
                201,
            );
            let id = made["id"].as_i64().expect("id");
            let body = match action {
                "resolve" => json!({"note": "Đã nhắc nhở cán bộ"}),
                _ => json!({}),
            };
            (
                post(format!("/api/complaints/{id}/{action}"), body),
                Watch::Nothing,
            )
        }
        BulkCancel => {
            let ticket = kiosk.issue(HOME_FIELD, "none").await;
            let token = ticket["token"].as_str().expect("token").to_owned();
            let before = ticket_by_token(hall, &token).await;
            (
                post(
                    "/api/bulk-cancellations".into(),
                    json!({"kiosk": "setup-kiosk", "reason": "access table"}),
                ),
                Watch::Ticket { token, before },
            )
        }
        AcknowledgeAlert => (
            post("/api/issuing-alerts/kiosk-1/acknowledge".into(), json!({})),
            Watch::Nothing,
        ),
        WsKiosk => (
            Request::Ws {
                path: "/ws/kiosk".into(),
            },
            Watch::Nothing,
        ),
        WsPrinter => {
            let kiosk = match &actor.printer_kiosk {
                Some(token) => Some(Box::new((
                    hall.device_with_token(token.clone()),
                    kiosk_feed(hall, token).await,
                ))),
                None => None,
            };
            (
                Request::Agent {
                    path: "/ws/printer".into(),
                    kiosk,
                },
                Watch::Nothing,
            )
        }
    }
}

/// A device's id, by name.
fn device_id(hall: &TestHall, name: &str) -> i64 {
    let conn = store::open_for_admin(hall.data_dir()).expect("open db");
    accounts::device_id_by_name(&conn, name)
        .expect("look up device")
        .expect("the device")
}

/// A kiosk's own feed, opened as a kiosk browser does (`?token=`), past its snapshot.
async fn kiosk_feed(hall: &TestHall, token: &str) -> Socket {
    let (mut feed, _) =
        tokio_tungstenite::connect_async(format!("{}/ws/kiosk?token={token}", hall.ws_base))
            .await
            .expect("the kiosk opens its feed");
    let snapshot = next_json(&mut feed).await;
    assert_eq!(
        snapshot["type"], "snapshot",
        "the kiosk feed starts with a snapshot: {snapshot}"
    );
    feed
}

/// The first job a print agent is sent, for a ticket its kiosk issues once it sees the
/// agent online (before that, the ticket would fail with `no_printer`).
async fn first_job(context: &str, kiosk: &Client, feed: &mut Socket, agent: &mut Socket) -> Value {
    loop {
        let frame = next_json(feed).await;
        if frame["type"] == "printer" && frame["printer"]["connected"] == true {
            break;
        }
    }
    let ticket = kiosk.issue(HOME_FIELD, "none").await;
    assert_eq!(
        ticket["print"]["status"], "sent",
        "{context}: the kiosk's ticket went to its agent: {ticket}"
    );
    let hello = next_json(agent).await;
    assert_eq!(
        hello["type"], "hello",
        "{context}: the hall introduces itself first: {hello}"
    );
    let job = next_json(agent).await;
    assert_eq!(
        job["type"], "job",
        "{context}: the agent is sent a job: {job}"
    );
    assert_eq!(
        job["job"], ticket["print"]["job"],
        "{context}: the ticket's job: {job}"
    );
    assert_eq!(
        job["ticket"]["code"], ticket["code"],
        "{context}: the job prints the ticket: {job}"
    );
    job
}

/// The refusal body: `{"error": {"code": ..., "message": ...}}` and nothing else.
fn assert_error_body(context: &str, body: &Value, code: &str) {
    let object = body
        .as_object()
        .unwrap_or_else(|| panic!("{context}: the error body is a JSON object: {body}"));
    assert_eq!(
        object.len(),
        1,
        "{context}: only \"error\" in the body: {body}"
    );
    let error = body["error"]
        .as_object()
        .unwrap_or_else(|| panic!("{context}: \"error\" is an object: {body}"));
    assert_eq!(
        error.len(),
        2,
        "{context}: the error has a code and a message: {body}"
    );
    assert_eq!(error_code(body), code, "{context}: error code: {body}");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(
        !message.trim().is_empty(),
        "{context}: the error has a message: {body}"
    );
}

/// Ask one cell of the table in a hall of its own; panics on a mismatch.
async fn walk_cell(label: &'static str, endpoint: Endpoint, who: Who, expect: Expect) {
    let hall = TestHall::start().await;
    let name = format!("{who:?}").to_lowercase();
    let actor = Actor::new(&hall, who, &name).await;
    let (request, watch) = prepare(&hall, &actor, endpoint).await;
    let seq_before = seq(&hall).await;
    let context = format!("{label} as {who:?}");
    let (status, body) = match request {
        Request::Http { method, path, body } => actor.send(method, &path, body.as_ref()).await,
        Request::Ws { path } => actor.ws(&path).await,
        Request::Agent { path, kiosk } => match actor.connect(&path).await {
            Err(refusal) => refusal,
            // Opened for a caller that is no printer: the status tells.
            Ok((status, _)) if kiosk.is_none() => (status, Value::Null),
            Ok((status, mut agent)) => {
                let (kiosk, mut feed) = *kiosk.expect("the printer's kiosk");
                let job = first_job(&context, &kiosk, &mut feed, &mut agent).await;
                (status, job)
            }
        },
    };
    match expect {
        Expect::Ok(want) => {
            assert_eq!(
                status, want,
                "{context}: expected {want}, got {status}: {body}"
            );
            assert!(
                body.get("error").is_none(),
                "{context}: a success has no error: {body}"
            );
            match endpoint {
                UnprintedJobs => {
                    let jobs = body["jobs"].as_array().cloned().unwrap_or_default();
                    assert!(
                        jobs.iter()
                            .any(|j| j["kiosk"] == "setup-kiosk" && j["reason"] == "no_printer"),
                        "{context}: the unprinted ticket is listed: {body}"
                    );
                }
                Reprint => {
                    assert!(
                        body["print"]["job"].is_i64() && body["print"]["reason"] == "no_printer",
                        "{context}: a new job, for a kiosk with no printer: {body}"
                    );
                }
                ListPrinters => {
                    let printers = body["printers"].as_array().cloned().unwrap_or_default();
                    assert!(
                        printers.iter().any(|p| p["name"] == "setup-printer"
                            && p["kiosk"] == "setup-kiosk"
                            && p["connected"] == false),
                        "{context}: the kiosk's printer is listed, not connected: {body}"
                    );
                }
                WsKiosk => {
                    assert_eq!(
                        body["type"], "snapshot",
                        "{context}: a snapshot first: {body}"
                    );
                    assert_eq!(
                        body["kiosk"],
                        name.as_str(),
                        "{context}: its own feed: {body}"
                    );
                    assert_eq!(
                        body["printer"],
                        Value::Null,
                        "{context}: no printer yet: {body}"
                    );
                }
                _ => {}
            }
            if matches!(endpoint, Logout) && who.is_staff() {
                let (status, body) = actor.get("/api/session").await;
                assert_eq!(
                    status, 401,
                    "{context}: the session is over after signing out: {body}"
                );
            }
        }
        Expect::Unauth | Expect::Forbidden | Expect::Unsigned => {
            let (want, code) = match expect {
                Expect::Unauth => (401, "unauthenticated"),
                Expect::Unsigned => (401, "unknown_issuer"),
                _ => (403, "forbidden"),
            };
            assert_eq!(
                status, want,
                "{context}: expected {want} {code}, got {status}: {body}"
            );
            assert_error_body(&context, &body, code);
            assert_eq!(
                seq(&hall).await,
                seq_before,
                "{context}: a refusal writes no event"
            );
            match &watch {
                Watch::Nothing => {}
                Watch::Ticket { token, before } => {
                    assert_eq!(
                        &ticket_by_token(&hall, token).await,
                        before,
                        "{context}: the ticket is unchanged"
                    );
                }
                Watch::Counter { no, before } => {
                    assert_eq!(
                        &counter(&hall, *no).await,
                        before,
                        "{context}: the counter is unchanged"
                    );
                }
                Watch::UserAbsent(user) => {
                    let conn = store::open_for_admin(hall.data_dir()).expect("open db");
                    let found = accounts::user_for_login(&conn, user).expect("look up user");
                    assert!(found.is_none(), "{context}: no user {user} was made");
                }
                Watch::DeviceAbsent(device) => {
                    let conn = store::open_for_admin(hall.data_dir()).expect("open db");
                    let n: i64 = conn
                        .query_row(
                            "SELECT COUNT(*) FROM devices WHERE name = ?1",
                            [device],
                            |r| r.get(0),
                        )
                        .expect("count devices");
                    assert_eq!(n, 0, "{context}: no device {device} was made");
                }
            }
        }
    }
}

/// One cell of the table: which row, which caller, what it must get.
type Cell = (&'static str, Endpoint, Who, Expect);

/// Walk `cells`, each in a hall of its own, a few at a time: what went wrong, cell by cell.
async fn walk_cells(cells: &[Cell]) -> Vec<String> {
    let mut failures = Vec::new();
    for chunk in cells.chunks(16) {
        let results =
            futures_util::future::join_all(chunk.iter().map(|(label, endpoint, who, expect)| {
                let (label, endpoint, who, expect) = (*label, *endpoint, *who, *expect);
                tokio::spawn(async move { walk_cell(label, endpoint, who, expect).await })
            }))
            .await;
        for (result, (label, _, who, _)) in results.into_iter().zip(chunk) {
            if let Err(join) = result {
                let why = match join.try_into_panic() {
                    Ok(panic) => panic
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                        .unwrap_or_default(),
                    Err(e) => e.to_string(),
                };
                failures.push(format!("- {label} as {who:?}: {why}"));
            }
        }
    }
    failures
}

/// Every cell of the table, as `(label, endpoint, caller, expectation)`.
fn all_cells() -> Vec<Cell> {
    MATRIX
        .iter()
        .flat_map(|(label, endpoint, expects)| {
            CALLERS
                .iter()
                .zip(expects.iter())
                .map(move |(who, expect)| (*label, *endpoint, *who, *expect))
        })
        .collect()
}

#[tokio::test]
async fn the_access_table_covers_every_route_of_the_route_table() {
    // The route table and the OpenAPI document are made from the same `#[utoipa::path]`s
    // (tests/tests/openapi.rs checks the router answers each): its operations are the routes.
    let document = serde_json::to_value(motcua_hall::http::openapi_document()).expect("JSON");
    let routes = motcua_tests::openapi::Document(document).routes();
    assert!(
        routes.len() >= 20,
        "the document has too few routes: {routes:?}"
    );
    assert_eq!(
        routes.get("/api/session"),
        Some(&["delete", "get", "post"].map(String::from).into()),
        "a path with several methods"
    );
    // The table's rows as (method, path); a WebSocket is opened with a GET.
    let rows: Vec<(String, &str)> = MATRIX
        .iter()
        .map(|(label, _, _)| {
            let (method, path) = label.split_once(' ').expect("METHOD path");
            let method = if method == "WS" { "get" } else { method };
            (method.to_lowercase(), path)
        })
        .collect();
    let mut missing = Vec::new();
    for (route, methods) in &routes {
        for method in methods {
            if !rows
                .iter()
                .any(|(m, path)| m == method && route_matches(route, path))
            {
                missing.push(format!("{} {route}", method.to_uppercase()));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "routes the access table lacks: {missing:?}"
    );
    let unknown: Vec<&str> = MATRIX
        .iter()
        .zip(&rows)
        .filter(|(_, (method, path))| {
            !routes
                .iter()
                .any(|(route, methods)| methods.contains(method) && route_matches(route, path))
        })
        .map(|((label, _, _), _)| *label)
        .collect();
    assert!(
        unknown.is_empty(),
        "rows of the access table that the route table does not serve: {unknown:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_endpoint_answers_every_caller_as_the_access_table_says() {
    let cells: Vec<Cell> = all_cells();
    let failures = walk_cells(&cells).await;
    assert!(
        failures.is_empty(),
        "{} of {} cells disagree with the table:\n{}",
        failures.len(),
        cells.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn a_device_may_open_its_own_link_with_its_token_in_the_query() {
    let hall = TestHall::start().await;
    let kiosk = add_device(&hall, "kiosk", DeviceKind::Kiosk);
    let display = add_device(&hall, "display", DeviceKind::Display);
    let printer = hall.printer("kiosk-printer", "kiosk");
    let unknown = "5eed".repeat(16);
    let nobody = Actor::new(&hall, Who::Nobody, "nobody").await;
    let clerk = Actor::new(&hall, Who::Clerk, "clerk").await;
    for (path, who, token, want) in [
        ("/ws/kiosk", "the kiosk", &kiosk, 101),
        ("/ws/kiosk", "the display", &display, 403),
        ("/ws/kiosk", "the printer", &printer, 403),
        ("/ws/kiosk", "an unknown token", &unknown, 401),
        ("/ws/printer", "the printer", &printer, 101),
        ("/ws/printer", "the kiosk", &kiosk, 403),
        ("/ws/printer", "an unknown token", &unknown, 401),
    ] {
        let (status, body) = match nobody.connect(&format!("{path}?token={token}")).await {
            Ok((status, _)) => (status, Value::Null),
            Err(refusal) => refusal,
        };
        let context = format!("{path}?token= of {who}");
        assert_eq!(status, want, "{context}: {body}");
        match want {
            401 => assert_error_body(&context, &body, "unauthenticated"),
            403 => assert_error_body(&context, &body, "forbidden"),
            _ => {}
        }
    }
    // A browser signed in as staff may still open the kiosk's feed with the kiosk's token.
    let (status, first) = clerk.ws(&format!("/ws/kiosk?token={kiosk}")).await;
    assert_eq!(
        status, 101,
        "a clerk's browser with the kiosk's token: {first}"
    );
    assert_eq!(first["kiosk"], "kiosk", "the kiosk's own feed: {first}");
    // A bearer token is judged alone: an unknown one is not saved by a good `?token=`.
    let stranger = Actor::new(&hall, Who::UnknownToken, "stranger").await;
    let answer = match stranger.connect(&format!("/ws/kiosk?token={kiosk}")).await {
        Ok((status, _)) => (status, Value::Null),
        Err(refusal) => refusal,
    };
    assert_refused(
        "an unknown bearer with a kiosk's ?token=",
        answer,
        401,
        "unauthenticated",
    )
    .await;
}

// ---------------------------------------------------------------------------------------
// The route table, read from its source (`server/src/http/mod.rs`), so that a new route
// missing from the access table fails the test above. The same reader as in
// `tests/tests/openapi.rs`.

/// Does the table's `path` (e.g. `/api/tickets/{id}/call`) ask the route `route` (e.g.
/// `/api/tickets/{id}/{action}`)? A `{parameter}` of the route matches any one segment.
fn route_matches(route: &str, path: &str) -> bool {
    let route: Vec<&str> = route.split('/').collect();
    let path: Vec<&str> = path.split('/').collect();
    route.len() == path.len()
        && route
            .iter()
            .zip(&path)
            .all(|(r, p)| r == p || (r.starts_with('{') && r.ends_with('}')))
}

// ---------------------------------------------------------------------------------------
// Whose counter it is.

async fn assert_refused(context: &str, (status, body): (u16, Value), want: u16, code: &str) {
    assert_eq!(
        status, want,
        "{context}: expected {want} {code}, got {status}: {body}"
    );
    assert_error_body(context, &body, code);
}

#[tokio::test]
async fn a_display_token_cannot_issue_tickets() {
    let hall = TestHall::start().await;
    let display = hall.device("hall-display", DeviceKind::Display);
    let kiosk = hall.device("kiosk", DeviceKind::Kiosk);
    let printer = hall.device_with_token(hall.printer("kiosk-printer", "kiosk"));
    let before = seq(&hall).await;
    for (who, device) in [("display", &display), ("printer", &printer)] {
        let answer = device.post("/api/tickets", json!({"service": "A"})).await;
        assert_refused(&format!("a {who} issuing"), answer, 403, "forbidden").await;
    }
    assert_eq!(seq(&hall).await, before, "no ticket was issued");
    // The kiosk beside them may.
    let ticket = kiosk.issue("A", "none").await;
    assert_eq!(
        ticket["code"], "A001",
        "the refused attempts used no number: {ticket}"
    );
}

#[tokio::test]
async fn nobody_and_an_unknown_token_must_say_who_they_are_before_issuing() {
    let hall = TestHall::start().await;
    let nobody = hall.anonymous();
    let answer = nobody.post("/api/tickets", json!({"service": "A"})).await;
    assert_refused("nobody issuing", answer, 401, "unauthenticated").await;

    // A device token from another hall is unknown here.
    let elsewhere = TestHall::start().await;
    let token = add_device(&elsewhere, "kiosk-elsewhere", DeviceKind::Kiosk);
    let resp = reqwest::Client::new()
        .post(hall.url("/api/tickets"))
        .bearer_auth(&token)
        .json(&json!({"service": "A"}))
        .send()
        .await
        .expect("request");
    let status = resp.status().as_u16();
    let body: Value = resp.json().await.expect("JSON body");
    assert_refused(
        "an unknown token issuing",
        (status, body),
        401,
        "unauthenticated",
    )
    .await;
    assert_eq!(seq(&hall).await, 0, "nothing was written");
}

#[tokio::test]
async fn a_malformed_authorization_header_is_unauthenticated_not_anonymous() {
    let hall = TestHall::start().await;
    let http = reqwest::Client::new();
    let long = format!("Bearer {}", "a".repeat(200));
    for header in [
        "Basic dXNlcjpwYXNz",
        "Bearer ",
        "Bearer",
        "token abc",
        long.as_str(),
    ] {
        for (method, path, body) in [
            (Method::POST, "/api/tickets", Some(json!({"service": "A"}))),
            (Method::GET, "/api/tickets", None),
            (Method::GET, "/api/session", None),
        ] {
            let mut req = http
                .request(method.clone(), hall.url(path))
                .header("authorization", header);
            if let Some(body) = &body {
                req = req.json(body);
            }
            let resp = req.send().await.expect("request");
            let status = resp.status().as_u16();
            let body: Value = resp.json().await.expect("JSON body");
            assert_refused(
                &format!("{method} {path} with Authorization: {header:.20}"),
                (status, body),
                401,
                "unauthenticated",
            )
            .await;
        }
    }
}

#[tokio::test]
async fn a_clerk_cannot_press_next_at_another_clerks_counter() {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk", DeviceKind::Kiosk);
    let ticket = kiosk.issue("A", "none").await;
    let _clerk_a = hall.clerk_at("clerk-a", 1).await;
    let clerk_b = hall.clerk_at("clerk-b", 3).await;
    let before = seq(&hall).await;
    let counter_before = counter(&hall, 1).await;

    let answer = clerk_b.post("/api/counters/1/call-next", json!({})).await;
    assert_refused(
        "clerk B pressing Next at counter 1",
        answer,
        403,
        "forbidden",
    )
    .await;

    // Nor can a clerk with no counter at all.
    let clerk_c = hall.staff("clerk-c", Role::Clerk).await;
    let answer = clerk_c.post("/api/counters/1/call-next", json!({})).await;
    assert_refused(
        "clerk C (no counter) pressing Next at counter 1",
        answer,
        403,
        "forbidden",
    )
    .await;

    assert_eq!(seq(&hall).await, before, "nothing was called");
    assert_eq!(
        counter(&hall, 1).await,
        counter_before,
        "counter 1 is unchanged"
    );
    let token = ticket["token"].as_str().expect("token");
    assert_eq!(ticket_by_token(&hall, token).await["status"], "waiting");
}

#[tokio::test]
async fn a_clerk_cannot_call_a_ticket_to_a_counter_they_did_not_open() {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk", DeviceKind::Kiosk);
    let ticket = kiosk.issue("A", "none").await;
    let _clerk_a = hall.clerk_at("clerk-a", 1).await;
    let clerk_b = hall.clerk_at("clerk-b", 3).await;
    let before = seq(&hall).await;
    let answer = clerk_b.act(&ticket, "call", json!({"counter": 1})).await;
    assert_refused(
        "clerk B calling a ticket to counter 1",
        answer,
        403,
        "forbidden",
    )
    .await;
    // A counter nobody opened.
    let answer = clerk_b.act(&ticket, "call", json!({"counter": 4})).await;
    assert_refused(
        "clerk B calling a ticket to closed counter 4",
        answer,
        403,
        "forbidden",
    )
    .await;
    assert_eq!(seq(&hall).await, before);
    // At their own counter they may.
    let (status, body) = clerk_b.act(&ticket, "call", json!({"counter": 3})).await;
    assert_eq!(status, 200, "clerk B calls to counter 3: {body}");
    assert_eq!(body["counter"], 3);
}

#[tokio::test]
async fn a_clerk_cannot_move_a_ticket_called_at_another_clerks_counter() {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk", DeviceKind::Kiosk);
    let called = kiosk.issue("A", "none").await;
    let clerk_a = hall.clerk_at("clerk-a", 1).await;
    // Counter 3 serves field A too, so only the counter, not the field, stands between
    // clerk B and the ticket.
    let clerk_b = hall.clerk_at("clerk-b", 3).await;
    let got = clerk_a.call_next(1).await.expect("a ticket to call");
    assert_eq!(got["id"], called["id"]);
    let token = called["token"].as_str().expect("token");
    let before_ticket = ticket_by_token(&hall, token).await;
    let before = seq(&hall).await;

    for (action, body) in [
        ("recall", json!({})),
        ("start", json!({})),
        ("no-show", json!({})),
        ("return", json!({})),
        ("transfer", json!({"service": "C"})),
        ("cancel", json!({})),
    ] {
        let answer = clerk_b.act(&called, action, body).await;
        assert_refused(
            &format!("clerk B: {action} of a ticket called at counter 1"),
            answer,
            403,
            "forbidden",
        )
        .await;
    }
    assert_eq!(
        ticket_by_token(&hall, token).await,
        before_ticket,
        "the ticket is unchanged"
    );
    assert_eq!(seq(&hall).await, before, "the refusals wrote nothing");

    // Serving, too.
    let (status, body) = clerk_a.act(&called, "start", json!({})).await;
    assert_eq!(status, 200, "clerk A starts: {body}");
    let before = seq(&hall).await;
    for action in ["finish", "return", "cancel"] {
        let answer = clerk_b.act(&called, action, json!({})).await;
        assert_refused(
            &format!("clerk B: {action} of a ticket served at counter 1"),
            answer,
            403,
            "forbidden",
        )
        .await;
    }
    assert_eq!(seq(&hall).await, before, "the refusals wrote nothing");
    assert_eq!(ticket_by_token(&hall, token).await["status"], "serving");
}

#[tokio::test]
async fn only_the_clerk_holding_the_counter_that_served_a_ticket_may_rate_it_there() {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk", DeviceKind::Kiosk);
    let ticket = kiosk.issue("A", "none").await;
    let clerk_a = hall.clerk_at("clerk-a", 1).await;
    // Counter 3 serves field A too: only the counter stands between clerk B and the ticket.
    let clerk_b = hall.clerk_at("clerk-b", 3).await;
    let manager = hall.staff("manager", Role::Manager).await;
    clerk_a.call_next(1).await.expect("a ticket to call");
    for action in ["start", "finish"] {
        let (status, body) = clerk_a.act(&ticket, action, json!({})).await;
        assert_eq!(status, 200, "clerk A: {action}: {body}");
    }
    let token = ticket["token"].as_str().expect("token");
    let before_ticket = ticket_by_token(&hall, token).await;
    let before = seq(&hall).await;
    for (who, caller) in [
        ("clerk B at counter 3", &clerk_b),
        ("a manager at no counter", &manager),
    ] {
        let answer = caller.act(&ticket, "rate", json!({"level": 5})).await;
        assert_refused(
            &format!("{who}: rate a ticket served at counter 1"),
            answer,
            403,
            "forbidden",
        )
        .await;
    }
    assert_eq!(seq(&hall).await, before, "the refusals wrote nothing");
    assert_eq!(
        ticket_by_token(&hall, token).await,
        before_ticket,
        "the ticket is unrated"
    );
    let (status, body) = clerk_a.act(&ticket, "rate", json!({"level": 5})).await;
    assert_eq!(status, 200, "clerk A rates at counter 1: {body}");
    assert_eq!(body["rating"], 5, "{body}");
}

#[tokio::test]
async fn a_manager_cannot_move_a_ticket_held_at_a_clerks_counter() {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk", DeviceKind::Kiosk);
    let ticket = kiosk.issue("A", "none").await;
    let clerk = hall.clerk_at("clerk-a", 1).await;
    clerk.call_next(1).await.expect("a ticket to call");
    let manager = hall.staff("manager", Role::Manager).await;
    let before = seq(&hall).await;
    for action in ["recall", "start", "no-show", "cancel"] {
        let answer = manager.act(&ticket, action, json!({})).await;
        assert_refused(
            &format!("the manager: {action} at clerk A's counter"),
            answer,
            403,
            "forbidden",
        )
        .await;
    }
    assert_eq!(seq(&hall).await, before);
}

#[tokio::test]
async fn a_clerk_whose_counter_does_not_serve_the_field_cannot_touch_a_waiting_ticket() {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk", DeviceKind::Kiosk);
    let ticket = kiosk.issue("A", "none").await;
    // Counter 2 serves B and E only.
    let clerk_b = hall.clerk_at("clerk-b", 2).await;
    let idle = hall.staff("idle-clerk", Role::Clerk).await;
    let before = seq(&hall).await;
    for (who, clerk) in [
        ("a clerk at counter 2", &clerk_b),
        ("a clerk at no counter", &idle),
    ] {
        let answer = clerk.act(&ticket, "cancel", json!({})).await;
        assert_refused(
            &format!("{who}: cancel an A ticket"),
            answer,
            403,
            "forbidden",
        )
        .await;
        let answer = clerk
            .act(&ticket, "transfer", json!({"service": "B"}))
            .await;
        assert_refused(
            &format!("{who}: transfer an A ticket"),
            answer,
            403,
            "forbidden",
        )
        .await;
    }
    assert_eq!(seq(&hall).await, before);
    // A manager may cancel a waiting ticket.
    let manager = hall.staff("manager", Role::Manager).await;
    let (status, body) = manager.act(&ticket, "cancel", json!({})).await;
    assert_eq!(status, 200, "the manager cancels: {body}");
    assert_eq!(body["status"], "cancelled");
}

#[tokio::test]
async fn a_clerk_cannot_pause_resume_or_close_another_clerks_counter() {
    let hall = TestHall::start().await;
    let clerk_a = hall.clerk_at("clerk-a", 1).await;
    let clerk_b = hall.clerk_at("clerk-b", 2).await;
    let before = seq(&hall).await;
    let answer = clerk_b
        .post("/api/counters/1/pause", json!({"reason": "lunch"}))
        .await;
    assert_refused("clerk B pausing counter 1", answer, 403, "forbidden").await;
    let answer = clerk_b.post("/api/counters/1/close", json!({})).await;
    assert_refused("clerk B closing counter 1", answer, 403, "forbidden").await;
    let (status, body) = clerk_a
        .post("/api/counters/1/pause", json!({"reason": "lunch"}))
        .await;
    assert_eq!(status, 200, "clerk A pauses: {body}");
    let paused = seq(&hall).await;
    assert_eq!(paused, before + 1);
    let answer = clerk_b.post("/api/counters/1/resume", json!({})).await;
    assert_refused("clerk B resuming counter 1", answer, 403, "forbidden").await;
    assert_eq!(seq(&hall).await, paused);
    assert_eq!(counter(&hall, 1).await["state"], "paused");
}

#[tokio::test]
async fn a_manager_may_close_a_counter_a_clerk_left_open() {
    let hall = TestHall::start().await;
    let _clerk = hall.clerk_at("forgetful-clerk", 1).await;
    let manager = hall.staff("manager", Role::Manager).await;
    let (status, body) = manager.post("/api/counters/1/close", json!({})).await;
    assert_eq!(status, 200, "the manager closes counter 1: {body}");
    assert_eq!(body["state"], "closed", "{body}");
    assert_eq!(counter(&hall, 1).await["state"], "closed");
    // The counter is free for the next clerk.
    let (status, body) = hall
        .staff("next-clerk", Role::Clerk)
        .await
        .post("/api/counters/1/open", json!({}))
        .await;
    assert_eq!(status, 200, "the next clerk opens counter 1: {body}");
}

#[tokio::test]
async fn two_clerks_cannot_open_the_same_counter() {
    let hall = TestHall::start().await;
    let _first = hall.clerk_at("first-clerk", 1).await;
    let second = hall.staff("second-clerk", Role::Clerk).await;
    let before = seq(&hall).await;
    let answer = second.post("/api/counters/1/open", json!({})).await;
    assert_refused(
        "a second clerk opening counter 1",
        answer,
        409,
        "counter_taken",
    )
    .await;
    assert_eq!(seq(&hall).await, before);
    // Nor a manager.
    let manager = hall.staff("manager", Role::Manager).await;
    let answer = manager.post("/api/counters/1/open", json!({})).await;
    assert_refused("a manager opening counter 1", answer, 409, "counter_taken").await;
    assert_eq!(seq(&hall).await, before);
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let hall = TestHall::start().await;
    let clerk = hall.staff("clerk", Role::Clerk).await;
    let (status, body) = clerk.get("/api/session").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["user"]["role"], "clerk");
    let (status, body) = clerk.delete("/api/session").await;
    assert_eq!(status, 204, "{body}");
    let answer = clerk.get("/api/session").await;
    assert_refused("who am I after signing out", answer, 401, "unauthenticated").await;
    let answer = clerk.post("/api/counters/1/open", json!({})).await;
    assert_refused(
        "opening a counter after signing out",
        answer,
        401,
        "unauthenticated",
    )
    .await;
}

#[tokio::test]
async fn a_session_ends_after_the_working_day() {
    let hall = TestHall::start().await;
    let clerk = hall.staff("clerk", Role::Clerk).await;
    let (status, _) = clerk.get("/api/tickets").await;
    assert_eq!(status, 200);
    hall.clock.advance(chrono::Duration::hours(15));
    let answer = clerk.get("/api/tickets").await;
    assert_refused(
        "listing tickets with an expired session",
        answer,
        401,
        "unauthenticated",
    )
    .await;
}

#[tokio::test]
async fn who_is_asking_is_checked_before_what_they_sent() {
    let hall = TestHall::start().await;
    let display = Actor::new(&hall, Who::Display, "display").await;
    let nobody = Actor::new(&hall, Who::Nobody, "nobody").await;
    let clerk = Actor::new(&hall, Who::Clerk, "clerk").await;
    let broken = |actor: &Actor, path: &str, body: &'static [u8]| {
        let mut req = actor
            .http
            .post(format!("{}{}", actor.base, path))
            .header("content-type", "application/json")
            .body(body);
        if let Some((name, value)) = &actor.credential {
            req = req.header(*name, value);
        }
        req
    };
    let huge: &'static [u8] = Box::leak(vec![b' '; 1024 * 1024].into_boxed_slice());
    for (path, who, want, code) in [
        ("/api/tickets", &nobody, 401, "unauthenticated"),
        ("/api/tickets", &display, 403, "forbidden"),
        ("/api/tickets/1/recall", &nobody, 401, "unauthenticated"),
        ("/api/tickets/1/recall", &display, 403, "forbidden"),
        ("/api/counters/1/open", &nobody, 401, "unauthenticated"),
        ("/api/counters/1/pause", &display, 403, "forbidden"),
        ("/api/users", &nobody, 401, "unauthenticated"),
        ("/api/users", &clerk, 403, "forbidden"),
        ("/api/devices", &display, 403, "forbidden"),
        ("/api/devices", &clerk, 403, "forbidden"),
    ] {
        for (what, body) in [
            ("malformed JSON", &b"{\"service\": "[..]),
            ("a 1 MiB body", huge),
        ] {
            let resp = broken(who, path, body).send().await.expect("request");
            let status = resp.status().as_u16();
            let answer: Value = resp.json().await.expect("JSON body");
            assert_refused(
                &format!("POST {path} with {what} as {:?}", who.who),
                (status, answer),
                want,
                code,
            )
            .await;
        }
    }
    assert_eq!(seq(&hall).await, 0, "nothing was written");
}
