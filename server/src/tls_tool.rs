//! `motcua tls self-signed`: a local certificate authority and the hall's certificate it
//! signs, for built-in HTTPS (`server.tls_cert`, `server.tls_key`) on a hall with no proxy.
//! The authority is trusted once on each device of the hall; the hall's certificate can
//! then be renewed without touching them.

use anyhow::Context;
use std::io::Write;
use std::net::IpAddr;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// Apple devices refuse server certificates valid for more than 825 days.
const SERVER_DAYS: i64 = 800;
const AUTHORITY_DAYS: i64 = 3650;

fn write_new(path: &Path, text: &str, mode: u32) -> anyhow::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
        .with_context(|| format!("cannot write {} (is it there already?)", path.display()))?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    Ok(())
}

/// Write `ca.crt`, `ca.key`, `motcua.crt` and `motcua.key` in `out` (never over existing
/// files), the certificate valid for `names` (host names and IP addresses), and say what to
/// do with them.
pub fn self_signed(out: &Path, names: &[String], say: &mut impl Write) -> anyhow::Result<()> {
    if names.is_empty() {
        anyhow::bail!(
            "give at least one --name: the address devices use (192.168.1.10, motcua.lan)"
        );
    }
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let now = time::OffsetDateTime::now_utc();
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new())?;
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Constrained(0));
    ca.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::CrlSign,
    ];
    ca.distinguished_name
        .push(rcgen::DnType::CommonName, "motcua local CA");
    ca.not_before = now - time::Duration::days(1);
    ca.not_after = now + time::Duration::days(AUTHORITY_DAYS);
    let ca_key = rcgen::KeyPair::generate()?;
    let ca_key_pem = ca_key.serialize_pem();
    let ca = rcgen::CertifiedIssuer::self_signed(ca, ca_key)?;
    let mut server = rcgen::CertificateParams::new(names.to_vec())
        .context("a --name is a host name or an IP address")?;
    server
        .distinguished_name
        .push(rcgen::DnType::CommonName, names[0].as_str());
    server.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    server.not_before = now - time::Duration::days(1);
    server.not_after = now + time::Duration::days(SERVER_DAYS);
    let key = rcgen::KeyPair::generate()?;
    let cert = server.signed_by(&key, &ca)?;
    write_new(&out.join("ca.crt"), &ca.pem(), 0o644)?;
    write_new(&out.join("ca.key"), &ca_key_pem, 0o600)?;
    write_new(&out.join("motcua.crt"), &cert.pem(), 0o644)?;
    write_new(&out.join("motcua.key"), &key.serialize_pem(), 0o600)?;
    let dir = out.display();
    let ips = names.iter().filter(|n| n.parse::<IpAddr>().is_ok()).count();
    writeln!(
        say,
        "Đã tạo trong {dir}: ca.crt, ca.key (CA nội bộ), motcua.crt, motcua.key (cho {} tên máy và {ips} địa chỉ IP, hiệu lực {SERVER_DAYS} ngày).",
        names.len() - ips
    )?;
    writeln!(
        say,
        "  1. Trong [server]: tls_cert = \"{dir}/motcua.crt\", tls_key = \"{dir}/motcua.key\"; khởi động lại motcua."
    )?;
    writeln!(
        say,
        "  2. Cài ca.crt lên mọi kiosk, TV, máy tính của phòng (README, mục HTTPS). Cất ca.key ra khỏi máy này."
    )?;
    writeln!(
        say,
        "Written in {dir}: ca.crt, ca.key (a local CA), motcua.crt, motcua.key (valid {SERVER_DAYS} days)."
    )?;
    writeln!(
        say,
        "  1. In [server]: tls_cert = \"{dir}/motcua.crt\", tls_key = \"{dir}/motcua.key\"; restart motcua."
    )?;
    writeln!(
        say,
        "  2. Install ca.crt on every kiosk, TV and PC of the hall (README, HTTPS). Keep ca.key off this box."
    )?;
    Ok(())
}
