//! Pairing a device by the code on its screen (`app::pairing`): the device asks and polls
//! with its secret; an admin looks the code up and accepts it, naming the device. The
//! device's token travels only in the one answer to the device's own poll.

use super::admin::DeviceView;
use super::*;
use crate::app::pairing::{self, Claim, Naming};
use motcua_domain::pairing::PairingCode;
use motcua_store::pairings::Pairing;

/// A device asking to be paired.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PairingRequest {
    /// What the device is: kiosk, display, printer or tablet (a counter's rating tablet).
    kind: String,
    /// For a tablet: the counter it is meant for, if it knows (the admin may choose another).
    #[serde(default)]
    counter: Option<u16>,
}

/// A pairing begun: the code to show, the secret to keep.
#[derive(Debug, Serialize, ToSchema)]
pub struct PairingStarted {
    /// Six digits to show large on the device's screen.
    pub code: String,
    /// The device's proof when it asks how its pairing stands: keep it, show it nowhere.
    pub secret: String,
    /// Seconds until the code lapses.
    pub expires_in_seconds: i64,
    /// When the code lapses on the hall's clock (`HH:MM`, its time zone), for a device
    /// that prints it (the print agent's slip) rather than counting down.
    #[schema(example = "09:42")]
    pub valid_until: String,
    /// The admin page's pairing with the code filled in: what the QR code opens.
    pub pair_url: String,
}

/// A device asking how its pairing stands.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimRequest {
    /// The secret `POST /api/pairings` gave it.
    secret: String,
}

/// How a pairing stands, as its device learns it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ClaimAnswer {
    /// No admin has taken the code yet: keep showing it.
    Waiting {
        code: String,
        expires_in_seconds: i64,
        /// When the code lapses on the hall's clock (`HH:MM`).
        valid_until: String,
        pair_url: String,
    },
    /// Paired: the device's token, this once (stored only as a hash).
    Paired {
        device: accounts::Device,
        token: String,
    },
}

/// A pending pairing as an admin sees it before accepting it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PairingView {
    pub code: String,
    /// What the device asked to be.
    #[schema(value_type = String, example = "kiosk")]
    pub kind: &'static str,
    /// For a tablet: the counter it asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counter: Option<u16>,
    /// The client address it asked from.
    pub addr: String,
    /// When it asked (the hall's local time).
    pub asked_at: String,
    /// Seconds until the code lapses.
    pub expires_in_seconds: i64,
}

/// An admin naming the device being paired.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptPairing {
    name: String,
    /// If given, what the admin takes the device for: it must be what the device asked.
    #[serde(default)]
    kind: Option<String>,
    /// For a printer: the name of the kiosk whose tickets it prints.
    #[serde(default)]
    kiosk: Option<String>,
    /// For a tablet: the counter it rates at (default: the one it asked for).
    #[serde(default)]
    counter: Option<u16>,
}

fn seconds_left(expires_at: i64, now: i64) -> i64 {
    ((expires_at - now).max(0) + 999) / 1000
}

fn pair_url(hall: &motcua_domain::Hall, code: &PairingCode) -> String {
    format!(
        "{}/admin/?pair={}#devices",
        hall.public_url.trim_end_matches('/'),
        code
    )
}

fn device_kind(kind: &str) -> Result<DeviceKind, AppError> {
    DeviceKind::parse(kind).ok_or_else(|| {
        AppError::invalid("unknown_kind", "kind is kiosk, display, printer or tablet")
    })
}

/// A device without a token asks to be paired: it shows the code (a print agent prints it)
/// with the QR of `pair_url`, and asks `POST /api/pairings/claim` with the secret until an
/// admin accepts the code. A code lasts 10 minutes; an address may hold 3 pending pairings and the hall 20.
///
/// Who may call: anyone.
#[utoipa::path(
    post,
    path = "/api/pairings",
    tag = "devices",
    request_body = PairingRequest,
    responses(
        (status = 201, description = "the code to show and the secret to keep", body = PairingStarted),
        (status = 404, description = "`counter_not_found`: a tablet's counter the hall does not have", body = ErrorBody),
        (status = 422, description = "`unknown_kind`, `invalid_body`", body = ErrorBody),
        (status = 429, description = "`pairing_busy`: this address or the hall holds its share of pending pairings (`Retry-After`)", body = ErrorBody),
    ),
)]
pub async fn begin_pairing(
    State(store): State<Store>,
    ClientAddr(addr): ClientAddr,
    Body(req): Body<PairingRequest>,
) -> Result<Response, AppError> {
    let kind = device_kind(&req.kind)?;
    let counter = req
        .counter
        .map(|no| counter_no(&store.hall(), &no.to_string()))
        .transpose()?;
    let addr = addr.to_string();
    let started = store
        .write::<_, Error, _>(move |tx| pairing::begin(tx, kind, counter, &addr))
        .await?;
    let now = started.expires_at - motcua_domain::pairing::PAIRING_MS;
    let hall = store.hall();
    let answer = PairingStarted {
        pair_url: pair_url(&hall, &started.code),
        valid_until: motcua_domain::local_hhmm(&hall, started.expires_at),
        code: started.code.to_string(),
        secret: started.secret,
        expires_in_seconds: seconds_left(started.expires_at, now),
    };
    Ok((StatusCode::CREATED, Json(answer)).into_response())
}

/// The device asks, with its secret, how its pairing stands: still waiting (with its
/// code, so a reloaded page shows the same one), or paired (its token, this once; the
/// pairing is then gone).
///
/// Who may call: the device holding the pairing's secret.
#[utoipa::path(
    post,
    path = "/api/pairings/claim",
    tag = "devices",
    request_body = ClaimRequest,
    responses(
        (status = 200, description = "waiting, or paired with the device's token", body = ClaimAnswer),
        (status = 404, description = "`pairing_not_found`: lapsed, used, or revoked before the device came: ask for a new code", body = ErrorBody),
        (status = 422, description = "`invalid_body`", body = ErrorBody),
    ),
)]
pub async fn claim_pairing(
    State(store): State<Store>,
    State(clock): State<Arc<dyn Clock>>,
    Body(req): Body<ClaimRequest>,
) -> Result<Json<ClaimAnswer>, AppError> {
    if req.secret.is_empty() || req.secret.len() > 128 {
        return Err(AppError::not_found("pairing_not_found", "no such pairing"));
    }
    let claim = store
        .write::<_, Error, _>(move |tx| pairing::claim(tx, &req.secret))
        .await?;
    let now = millis(clock.now());
    Ok(Json(match claim {
        Claim::Waiting { code, expires_at } => ClaimAnswer::Waiting {
            pair_url: pair_url(&store.hall(), &code),
            valid_until: motcua_domain::local_hhmm(&store.hall(), expires_at),
            code: code.to_string(),
            expires_in_seconds: seconds_left(expires_at, now),
        },
        Claim::Paired { device, token } => {
            tracing::info!(device = %device.name, kind = device.kind.as_str(), "paired");
            ClaimAnswer::Paired { device, token }
        }
    }))
}

impl PairingView {
    fn of(pairing: Pairing, hall: &motcua_domain::Hall, now: i64) -> Self {
        PairingView {
            code: pairing.code.to_string(),
            kind: pairing.kind.as_str(),
            counter: pairing.counter,
            addr: pairing.addr,
            asked_at: views::local_time(hall, pairing.created_at),
            expires_in_seconds: seconds_left(pairing.expires_at, now),
        }
    }
}

/// What device shows this code: its kind, address and time left. A wrong code counts: after
/// 10 wrong codes in 10 minutes, no code is looked up until the oldest leaves the count.
///
/// Who may call: admins.
#[utoipa::path(
    get,
    path = "/api/pairings/{code}",
    tags = ["admin", "devices"],
    security(("session" = [])),
    params(("code" = String, Path, description = "the six digits on the device's screen")),
    responses(
        (status = 200, description = "the pending pairing", body = PairingView),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not an admin", body = ErrorBody),
        (status = 404, description = "`pairing_not_found`: no device shows this code now", body = ErrorBody),
        (status = 429, description = "`pairing_locked`: too many wrong codes (`Retry-After`)", body = ErrorBody),
    ),
)]
pub async fn look_up_pairing(
    State(store): State<Store>,
    State(clock): State<Arc<dyn Clock>>,
    _admin: Admin,
    Path(code): Path<String>,
) -> Result<Json<PairingView>, AppError> {
    let found = store
        .write::<_, Error, _>(move |tx| pairing::look_up(tx, &code))
        .await??;
    Ok(Json(PairingView::of(
        found,
        &store.hall(),
        millis(clock.now()),
    )))
}

/// Accept the pairing showing this code, naming the device: it is added now and receives
/// its token at its next poll (within 10 minutes; revoked before that, it gets none). The
/// token is never shown here. Wrong codes count as for the look-up.
///
/// Who may call: admins.
#[utoipa::path(
    post,
    path = "/api/pairings/{code}/accept",
    tags = ["admin", "devices"],
    security(("session" = [])),
    params(("code" = String, Path, description = "the six digits on the device's screen")),
    request_body = AcceptPairing,
    responses(
        (status = 201, description = "the new device (its token goes to the device alone)", body = DeviceAnswer),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not an admin", body = ErrorBody),
        (status = 404, description = "`pairing_not_found`: no device shows this code now; `counter_not_found`", body = ErrorBody),
        (status = 409, description = "`name_taken`", body = ErrorBody),
        (status = 422, description = "`bad_name`, `unknown_kind`, `kind_mismatch` (the device asked to be another kind), `missing_kiosk`, `unknown_kiosk`, `unexpected_kiosk`, `missing_counter` (a tablet), `unexpected_counter`, `invalid_body`", body = ErrorBody),
        (status = 429, description = "`pairing_locked`: too many wrong codes (`Retry-After`)", body = ErrorBody),
    ),
)]
#[tracing::instrument(skip_all)]
pub async fn accept_pairing(
    State(store): State<Store>,
    State(access): State<crate::access::Access>,
    Admin(admin): Admin,
    Path(code): Path<String>,
    Body(req): Body<AcceptPairing>,
) -> Result<Response, AppError> {
    let kind = req.kind.as_deref().map(device_kind).transpose()?;
    let counter = req
        .counter
        .map(|no| counter_no(&store.hall(), &no.to_string()))
        .transpose()?;
    let kiosk_name = req.kiosk.clone();
    let naming = Naming {
        name: req.name,
        kind,
        kiosk: req.kiosk,
        counter,
    };
    let (device, _pairing) = store
        .write::<_, Error, _>(move |tx| {
            let accepted = pairing::accept(tx, &code, naming)?;
            if let Ok((device, pairing)) = &accepted {
                // What was paired, from where: the code has lapsed by any later reading,
                // and the token is made only when the device comes for it.
                let mut after = serde_json::json!({
                    "name": device.name,
                    "kind": device.kind.as_str(),
                    "code": pairing.code.as_str(),
                    "from": pairing.addr,
                });
                if let Some(kiosk) = &kiosk_name {
                    after["kiosk"] = kiosk.clone().into();
                }
                if let Some(counter) = device.counter {
                    after["counter"] = counter.into();
                }
                let subject = format!("device:{}", device.name);
                crate::app::audit::record(tx, &admin, &subject, "paired", None, Some(after))?;
            }
            Ok(accepted)
        })
        .await??;
    let id = device.id;
    let record = store
        .read(move |conn| accounts::device_by_id(conn, id))
        .await?
        .ok_or_else(|| AppError::internal("the device just added is gone"))?;
    let device = DeviceView::of(record, &store.hall(), &access);
    Ok((StatusCode::CREATED, Json(DeviceAnswer { device })).into_response())
}

/// The QR code of the admin page's pairing with this code filled in, for the device's
/// screen. Any six digits draw: it says nothing of whether a device shows them.
///
/// Who may call: anyone.
#[utoipa::path(
    get,
    path = "/api/pairings/{code}/qr.svg",
    tag = "devices",
    params(("code" = String, Path, description = "six digits")),
    responses(
        (status = 200, description = "the QR code", body = String, content_type = "image/svg+xml"),
        (status = 404, description = "`pairing_not_found`: not six digits", body = ErrorBody),
    ),
)]
pub async fn pairing_qr(
    State(store): State<Store>,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    let code = PairingCode::parse(&code)
        .ok_or_else(|| AppError::not_found("pairing_not_found", "a code is six digits"))?;
    let url = pair_url(&store.hall(), &code);
    let qr = qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M)
        .map_err(AppError::internal)?;
    let svg = qr
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build();
    Ok(([(axum::http::header::CONTENT_TYPE, "image/svg+xml")], svg).into_response())
}
