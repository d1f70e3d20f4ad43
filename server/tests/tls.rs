//! `motcua tls self-signed`, then `motcua serve` with what it wrote: a client that trusts
//! only the written authority reaches the hall over HTTPS.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use common::{BIN, Server};
use std::os::unix::fs::PermissionsExt;
use std::process::Command;

#[test]
fn the_certificates_motcua_makes_serve_the_hall_over_https_to_devices_that_trust_its_authority() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("tls");
    let made = Command::new(BIN)
        .args([
            "tls",
            "self-signed",
            "--name",
            "127.0.0.1",
            "--name",
            "motcua.lan",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(made.status.success(), "{made:?}");
    let said = String::from_utf8(made.stdout).unwrap();
    assert!(said.starts_with("Đã tạo trong"), "Vietnamese first: {said}");
    for (file, mode) in [
        ("ca.crt", 0o644),
        ("ca.key", 0o600),
        ("motcua.crt", 0o644),
        ("motcua.key", 0o600),
    ] {
        let meta = std::fs::metadata(out.join(file)).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, mode, "{file}");
    }
    // Run again, it keeps what is there.
    let again = Command::new(BIN)
        .args(["tls", "self-signed", "--name", "127.0.0.1", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(!again.status.success());

    let data = dir.path().join("data");
    let mut serve = Command::new(BIN);
    serve
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(&data)
        .env("MOTCUA_SERVER__TLS_CERT", out.join("motcua.crt"))
        .env("MOTCUA_SERVER__TLS_KEY", out.join("motcua.key"));
    let server = Server::spawn(serve);
    assert!(server.base.starts_with("https://"), "{}", server.banner);
    let ca = std::fs::read(out.join("ca.crt")).unwrap();
    let client = reqwest::blocking::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&ca).unwrap())
        .build()
        .unwrap();
    let health = client
        .get(format!("https://127.0.0.1:{}/healthz", server.port()))
        .send()
        .unwrap();
    assert_eq!(health.status(), 200);
    // A client that does not trust the authority is turned away by its own TLS.
    let stranger = reqwest::blocking::get(format!("https://127.0.0.1:{}/healthz", server.port()));
    assert!(stranger.is_err());
}
