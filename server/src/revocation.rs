//! `motcua user list|disable|enable|reset-password` and `motcua device list|revoke`: the
//! admin's tools for taking credentials away, on the database beside the running server
//! (which notices within about a second and closes the sockets concerned). The rules are
//! the hall's own (`motcua_hall::access`), the same the admin API runs.

use motcua_hall::access;
use motcua_hall::config::Settings;
use motcua_store::{self as store, accounts};
use std::io::BufRead;

/// A refusal, said in Vietnamese first, then as the API says it.
fn refused(e: motcua_domain::Error) -> anyhow::Error {
    let en = e.to_string();
    let code = motcua_web::AppError::from(e).code();
    let vi = match code {
        "device_not_found" => "không có thiết bị này",
        "device_revoked" => "mã của thiết bị này đã bị thu hồi rồi",
        "user_not_found" => "không có người dùng này",
        "user_disabled" => "người dùng này đã bị vô hiệu hoá rồi",
        "user_enabled" => "người dùng này không bị vô hiệu hoá",
        "last_admin" => "đây là quản trị viên cuối cùng: thêm hoặc mở lại một người khác trước",
        "own_account" => "không thể tự vô hiệu hoá mình",
        "weak_password" => "mật khẩu quá yếu",
        "bad_name" => "tên không hợp lệ",
        _ => "không thực hiện được",
    };
    anyhow::anyhow!("{vi} / {en}")
}

/// Run a change in one transaction, as the server's writer would.
fn in_transaction<T>(
    conn: &rusqlite::Connection,
    change: impl FnOnce(&rusqlite::Connection) -> Result<T, motcua_domain::Error>,
) -> anyhow::Result<T> {
    let tx = conn.unchecked_transaction()?;
    let done = change(&tx).map_err(refused)?;
    tx.commit()?;
    Ok(done)
}

/// Every member of staff: name, role, added, disabled.
pub fn list_users(settings: &Settings) -> anyhow::Result<()> {
    let hall = settings.hall()?;
    let conn = store::open_for_admin(&settings.server.data_dir)?;
    let users = accounts::users(&conn)?;
    println!(
        "{:<24} {:<16} {:<26} vô hiệu hoá / disabled",
        "tên / name", "vai trò / role", "thêm lúc / added"
    );
    for u in users {
        println!(
            "{:<24} {:<16} {:<26} {}",
            u.user.name,
            u.user.role.as_str(),
            motcua_domain::local_time(&hall, u.created_at),
            u.disabled_at
                .map_or_else(|| "-".to_owned(), |at| motcua_domain::local_time(&hall, at)),
        );
    }
    Ok(())
}

/// Disable a member of staff (never the last admin).
pub fn disable_user(settings: &Settings, name: &str) -> anyhow::Result<()> {
    let conn = store::open_for_admin(&settings.server.data_dir)?;
    let id = access::user_named(&conn, name).map_err(refused)?;
    in_transaction(&conn, |c| {
        access::disable_user(c, id, None, super::now_ms())
    })?;
    eprintln!(
        "đã vô hiệu hoá {name:?}: không đăng nhập được nữa, các phiên đã kết thúc / disabled {name:?}: no more sign-ins, their sessions have ended"
    );
    Ok(())
}

/// Let a disabled member of staff sign in again.
pub fn enable_user(settings: &Settings, name: &str) -> anyhow::Result<()> {
    let conn = store::open_for_admin(&settings.server.data_dir)?;
    let id = access::user_named(&conn, name).map_err(refused)?;
    in_transaction(&conn, |c| access::enable_user(c, id))?;
    eprintln!("đã cho phép lại {name:?} / enabled {name:?}");
    Ok(())
}

/// A new password, read from standard input as `user add` reads it.
pub fn reset_password(settings: &Settings, name: &str) -> anyhow::Result<()> {
    let mut password = String::new();
    std::io::stdin().lock().read_line(&mut password)?;
    let password = password.trim_end_matches(['\r', '\n']);
    let conn = store::open_for_admin(&settings.server.data_dir)?;
    let id = access::user_named(&conn, name).map_err(refused)?;
    let role = accounts::user_by_id(&conn, id)?
        .map(|record| record.user.role)
        .ok_or_else(|| anyhow::anyhow!("no user {name:?}"))?;
    let hall = settings.hall()?;
    let hash = motcua_web::accounts::new_user_hash(name, role, password, &[&hall.name])
        .map_err(refused)?;
    in_transaction(&conn, |c| access::reset_password(c, id, &hash))?;
    eprintln!(
        "đã đặt mật khẩu mới cho {name:?}; các phiên cũ đã kết thúc / new password set for {name:?}; their old sessions have ended"
    );
    Ok(())
}

/// Every device: name, kind, added, last seen (time and address), revoked.
pub fn list_devices(settings: &Settings) -> anyhow::Result<()> {
    let hall = settings.hall()?;
    let conn = store::open_for_admin(&settings.server.data_dir)?;
    let devices = accounts::devices(&conn)?;
    let time = |at: Option<i64>| {
        at.map_or_else(|| "-".to_owned(), |at| motcua_domain::local_time(&hall, at))
    };
    println!(
        "{:<20} {:<12} {:<26} {:<26} {:<18} thu hồi / revoked",
        "tên / name",
        "loại / kind",
        "thêm lúc / added",
        "lần cuối / last seen",
        "địa chỉ / address"
    );
    for d in devices {
        println!(
            "{:<20} {:<12} {:<26} {:<26} {:<18} {}",
            d.device.name,
            d.device.kind.as_str(),
            motcua_domain::local_time(&hall, d.created_at),
            time(d.last_seen_at),
            d.last_seen_addr.as_deref().unwrap_or("-"),
            time(d.revoked_at),
        );
    }
    Ok(())
}

/// Revoke a device's token.
pub fn revoke_device(settings: &Settings, name: &str) -> anyhow::Result<()> {
    let conn = store::open_for_admin(&settings.server.data_dir)?;
    let id = access::device_named(&conn, name).map_err(refused)?;
    in_transaction(&conn, |c| access::revoke_device(c, id, super::now_ms()))?;
    eprintln!(
        "đã thu hồi mã của {name:?}: máy không kết nối được nữa / revoked {name:?}'s token: the device can no longer connect"
    );
    Ok(())
}
