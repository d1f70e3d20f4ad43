//! How a print agent with no token gets one. A printer has no screen, but it has paper: the
//! agent asks the hall server for a pairing as a printer (`POST /api/pairings`), prints the
//! six digits and their QR code on a [`PairingSlip`], logs them too, and asks with the
//! secret it alone holds (`POST /api/pairings/claim`) until an admin accepts the code on
//! "Quản trị › Thiết bị", naming the kiosk it prints for. A code lapses after ten minutes:
//! the agent then asks for a new one and prints a new slip, up to [`SLIPS_IN_A_ROW`] slips
//! nobody took (an hour); after that new codes are only logged, so an unattended printer
//! does not empty its roll overnight.
//!
//! The token it receives is kept in the agent's state dir ([`remember`]: mode 0600, with
//! the server it is for) and never logged; the agent uses it at its next start, and
//! [`forget`]s it when the server refuses it (revoked), then pairs again.

use crate::transport::{Deadlines, Target, print_bytes};
use crate::{Layout, PairingSlip, encode_slip};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::time::Duration;
use tokio::time::Instant;

/// Slips printed for codes nobody took before the agent stops printing new ones.
pub const SLIPS_IN_A_ROW: u32 = 6;
/// The longest wait between two asks whether the code was taken.
pub const POLL_MAX: Duration = Duration::from_secs(5);
/// The longest wait before asking again after the server could not be reached.
const TROUBLE_MAX: Duration = Duration::from_secs(30);
/// The wait before printing a slip again after the printer could not print it.
const SLIP_RETRY: Duration = Duration::from_secs(5);
/// Each request's deadline.
const REQUEST_WITHIN: Duration = Duration::from_secs(10);
/// Where the token is kept in the state dir.
const TOKEN_FILE: &str = "printer-token.json";

/// How the agent pairs.
#[derive(Debug, Clone)]
pub struct Pairer {
    /// The hall server as configured (`http://…`, or `ws://…`, read as `http://`).
    pub server: String,
    pub printer: Target,
    pub layout: Layout,
    pub deadlines: Deadlines,
    /// The first wait between two asks whether the code was taken; it grows to [`POLL_MAX`].
    pub poll: Duration,
}

/// What the agent is given once an admin accepted its code.
pub struct Paired {
    /// The device's name, as the admin named it.
    pub name: String,
    pub token: String,
}

/// A pairing as the server describes it when it begins and while it waits.
#[derive(Debug, Deserialize)]
struct Pending {
    code: String,
    pair_url: String,
    expires_in_seconds: i64,
    /// The lapse on the hall's clock (`09:42`): servers before it say nothing.
    #[serde(default)]
    valid_until: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Begun {
    secret: String,
    #[serde(flatten)]
    pending: Pending,
}

// No Debug: it may hold the token.
#[derive(Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
enum ClaimAnswer {
    Waiting {},
    Paired { device: DeviceName, token: String },
}

#[derive(Debug, Deserialize)]
struct DeviceName {
    name: String,
}

/// Why an ask did not give an answer.
#[derive(Debug)]
enum Trouble {
    /// The server is not there (or not answering in time): try again.
    Unreachable(String),
    /// `pairing_busy`: the server holds its share of pending pairings; after this long.
    Busy(Duration),
    /// The pairing lapsed, was used, or the device was revoked before it came.
    Gone,
    /// Any other refusal: status and body, for the log.
    Refused(u16, String),
}

impl Pairer {
    fn http_base(&self) -> String {
        self.server
            .trim_end_matches('/')
            .replacen("ws://", "http://", 1)
            .replacen("wss://", "https://", 1)
    }

    /// Pair: ask for codes and print them until an admin accepts one. Runs until then
    /// (the caller races it with its shutdown); passing trouble is logged and waited out.
    pub async fn pair(&self) -> Paired {
        let base = self.http_base();
        let client = reqwest::Client::builder()
            .timeout(REQUEST_WITHIN)
            .build()
            .unwrap_or_default();
        let mut trouble_wait = Duration::from_millis(250);
        let mut slips = 0;
        loop {
            let begun = match ask(
                &client,
                &format!("{base}/api/pairings"),
                serde_json::json!({"kind": "printer"}),
            )
            .await
            .and_then(|body| serde_json::from_value::<Begun>(body).map_err(bad_answer))
            {
                Ok(begun) => begun,
                Err(Trouble::Gone) => {
                    tracing::warn!(
                        server = %base,
                        "the hall server does not pair devices (an older version?): update it, or give the agent a token with --token"
                    );
                    tokio::time::sleep(TROUBLE_MAX).await;
                    continue;
                }
                Err(Trouble::Busy(after)) => {
                    tracing::warn!(
                        seconds = after.as_secs(),
                        "the hall server holds many pairing codes already; asking again later"
                    );
                    tokio::time::sleep(after).await;
                    continue;
                }
                Err(trouble) => {
                    tracing::warn!(
                        server = %base,
                        trouble = %trouble.said(),
                        "cannot ask the hall server for a pairing code; will retry"
                    );
                    tokio::time::sleep(trouble_wait).await;
                    trouble_wait = (trouble_wait * 2).min(TROUBLE_MAX);
                    continue;
                }
            };
            trouble_wait = Duration::from_millis(250);
            let slip = PairingSlip {
                code: begun.pending.code.clone(),
                url: begun.pending.pair_url.clone(),
                valid_until: begun.pending.valid_until.clone(),
                server: base.clone(),
            };
            tell(&slip, begun.pending.expires_in_seconds);
            slips += 1;
            let mut slip_due = if slips <= SLIPS_IN_A_ROW {
                Some(Instant::now())
            } else {
                if slips == SLIPS_IN_A_ROW + 1 {
                    tracing::warn!(
                        "Đã in {SLIPS_IN_A_ROW} phiếu mã ghép nối mà chưa ai nhập: mã mới chỉ ghi ở nhật ký này; khởi động lại chương trình in để in lại / {SLIPS_IN_A_ROW} pairing slips printed and no code taken: new codes are only logged here; restart the agent to print again"
                    );
                }
                None
            };
            match self
                .wait_for_admin(&client, &base, &begun.secret, &slip, &mut slip_due)
                .await
            {
                Some(paired) => return paired,
                None => tracing::info!(
                    "Mã ghép nối đã hết hạn; xin mã mới / the pairing code lapsed; asking for a new one"
                ),
            }
        }
    }

    /// Print the slip (when due) and ask with the secret until the code is taken (the
    /// token) or gone (`None`: ask for a new code).
    async fn wait_for_admin(
        &self,
        client: &reqwest::Client,
        base: &str,
        secret: &str,
        slip: &PairingSlip,
        slip_due: &mut Option<Instant>,
    ) -> Option<Paired> {
        let mut wait = self.poll;
        let mut unreachable = false;
        loop {
            if slip_due.is_some_and(|due| due <= Instant::now()) {
                *slip_due = match self.print(slip).await {
                    Ok(()) => None,
                    Err(reason) => {
                        tracing::warn!(
                            %reason,
                            "Không in được phiếu mã ghép nối; sẽ in lại. Mã vẫn ở dòng trên / cannot print the pairing slip; will try again. The code is in the line above"
                        );
                        Some(Instant::now() + SLIP_RETRY)
                    }
                };
            }
            let answer = ask(
                client,
                &format!("{base}/api/pairings/claim"),
                serde_json::json!({"secret": secret}),
            )
            .await
            .and_then(|body| serde_json::from_value::<ClaimAnswer>(body).map_err(bad_answer));
            match answer {
                Ok(ClaimAnswer::Paired { device, token }) => {
                    return Some(Paired {
                        name: device.name,
                        token,
                    });
                }
                Ok(ClaimAnswer::Waiting {}) => {
                    if unreachable {
                        tracing::info!("the hall server answers again");
                    }
                    unreachable = false;
                }
                Err(Trouble::Gone) => return None,
                Err(trouble) => {
                    if !unreachable {
                        tracing::warn!(
                            trouble = %trouble.said(),
                            "cannot ask whether the pairing code was taken; will keep asking"
                        );
                    }
                    unreachable = true;
                }
            }
            tokio::time::sleep(wait).await;
            wait = (wait * 3 / 2).min(POLL_MAX);
        }
    }

    async fn print(&self, slip: &PairingSlip) -> Result<(), String> {
        let bytes = encode_slip(slip, &self.layout).map_err(|e| e.to_string())?;
        let (target, deadlines) = (self.printer.clone(), self.deadlines);
        match tokio::task::spawn_blocking(move || print_bytes(&target, bytes, deadlines)).await {
            Ok(Ok(_)) => {
                tracing::info!("Đã in phiếu mã ghép nối / the pairing slip is printed");
                Ok(())
            }
            Ok(Err(reason)) => Err(reason.as_str().to_owned()),
            Err(e) => Err(e.to_string()),
        }
    }
}

/// The code on the terminal too: a printer out of paper, or a slip lost, still pairs.
fn tell(slip: &PairingSlip, expires_in_seconds: i64) {
    let code = slip.spaced_code();
    let until = slip
        .valid_until
        .as_deref()
        .map(|t| format!(" (đến {t} / until {t})"))
        .unwrap_or_default();
    tracing::info!(
        code = %code,
        expires_in_seconds,
        url = %slip.url,
        "Mã ghép nối máy in: {code} — nhập mã này ở trang Quản trị › Thiết bị{until} / printer pairing code: {code} — enter it on Admin › Devices"
    );
}

fn bad_answer(e: serde_json::Error) -> Trouble {
    Trouble::Refused(200, format!("an answer this agent does not read: {e}"))
}

impl Trouble {
    fn said(&self) -> String {
        match self {
            Trouble::Unreachable(e) => e.clone(),
            Trouble::Busy(after) => format!("busy for {} s", after.as_secs()),
            Trouble::Gone => "the pairing is gone".to_owned(),
            Trouble::Refused(status, body) => format!("{status}: {body}"),
        }
    }
}

/// POST `body` as JSON; the answer's JSON on a 2xx.
async fn ask(
    client: &reqwest::Client,
    url: &str,
    body: serde_json::Value,
) -> Result<serde_json::Value, Trouble> {
    let resp = client
        .post(url)
        .json(&body)
        .send()
        .await
        .map_err(|e| Trouble::Unreachable(e.to_string()))?;
    let status = resp.status().as_u16();
    let retry_after = resp
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let text = resp
        .text()
        .await
        .map_err(|e| Trouble::Unreachable(e.to_string()))?;
    match status {
        200..=299 => serde_json::from_str(&text).map_err(bad_answer),
        404 => Err(Trouble::Gone),
        429 => Err(Trouble::Busy(Duration::from_secs(
            retry_after.unwrap_or(60).clamp(1, 600),
        ))),
        502..=504 => Err(Trouble::Unreachable(format!("{status} from a proxy"))),
        _ => Err(Trouble::Refused(status, text.chars().take(200).collect())),
    }
}

/// The token as kept in the state dir, with the server it is for.
#[derive(Serialize, Deserialize)]
struct Kept {
    server: String,
    token: String,
}

/// A server address as kept: `ws://` read as `http://` (the agent takes either), no
/// trailing slash.
fn server_key(server: &str) -> String {
    server
        .trim()
        .trim_end_matches('/')
        .replacen("ws://", "http://", 1)
        .replacen("wss://", "https://", 1)
}

/// The token remembered in `dir` for `server`, if there is one. A token kept for another
/// server is not sent to this one.
pub fn remembered(dir: &Path, server: &str) -> std::io::Result<Option<String>> {
    let text = match std::fs::read_to_string(dir.join(TOKEN_FILE)) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let Ok(kept) = serde_json::from_str::<Kept>(&text) else {
        tracing::warn!(
            "the remembered printer token cannot be read; pairing again with a new code"
        );
        return Ok(None);
    };
    if server_key(&kept.server) != server_key(server) {
        tracing::warn!(
            remembered_for = %kept.server,
            server = %server,
            "the remembered printer token is for another server; pairing with this one"
        );
        return Ok(None);
    }
    Ok(Some(kept.token).filter(|t| !t.is_empty()))
}

/// Keep `token` for `server` in `dir`: readable by the agent's user alone, written whole
/// (a new file renamed over the old) and synced.
pub fn remember(dir: &Path, server: &str, token: &str) -> std::io::Result<()> {
    use std::io::Write;
    std::fs::create_dir_all(dir)?;
    let kept = serde_json::to_vec(&Kept {
        server: server_key(server),
        token: token.to_owned(),
    })?;
    let fresh = dir.join(format!("{TOKEN_FILE}.new"));
    let _ = std::fs::remove_file(&fresh);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&fresh)?;
    file.write_all(&kept)?;
    file.sync_all()?;
    std::fs::rename(&fresh, dir.join(TOKEN_FILE))?;
    if let Ok(dir) = std::fs::File::open(dir) {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// Forget the remembered token (the server refused it).
pub fn forget(dir: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(dir.join(TOKEN_FILE)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Where the token is kept in a state dir (for the docs and tests).
pub fn token_path(dir: &Path) -> std::path::PathBuf {
    dir.join(TOKEN_FILE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_kept_for_its_server_alone_and_readable_by_its_owner_only() {
        let dir = tempfile::tempdir().expect("dir");
        assert_eq!(
            remembered(dir.path(), "http://hall:8080").expect("read"),
            None
        );
        remember(dir.path(), "http://hall:8080/", "t0ken").expect("keep");
        assert_eq!(
            remembered(dir.path(), "http://hall:8080")
                .expect("read")
                .as_deref(),
            Some("t0ken")
        );
        assert_eq!(
            remembered(dir.path(), "ws://hall:8080")
                .expect("read")
                .as_deref(),
            Some("t0ken"),
            "the same server, as a WebSocket address"
        );
        assert_eq!(
            remembered(dir.path(), "http://other:8080").expect("read"),
            None
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(token_path(dir.path()))
                .expect("kept")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        remember(dir.path(), "http://hall:8080", "newer").expect("keep again");
        assert_eq!(
            remembered(dir.path(), "http://hall:8080")
                .expect("read")
                .as_deref(),
            Some("newer")
        );
        forget(dir.path()).expect("forget");
        forget(dir.path()).expect("forget twice");
        assert_eq!(
            remembered(dir.path(), "http://hall:8080").expect("read"),
            None
        );
    }
}
