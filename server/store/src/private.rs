//! Files for the server's own user only: the data directory `0700`, the database, its
//! `-wal` and `-shm`, backups and keys `0600`, whatever the umask the server was started
//! with (the shipped systemd unit sets `UMask=0077`, a hand-started `motcua serve` usually
//! runs with `0022`, which would leave the hall's tickets, sessions and password hashes
//! readable by every account on the box).
//!
//! What we create gets its mode set explicitly after creation (the umask can only take
//! bits away from what `open` asks for, never make it exact). What exists already loses
//! any group and other permission, and the server says so in its log. SQLite gives the
//! `-wal` and `-shm` it creates the database file's own mode, so a private database keeps
//! private journals.

use std::fs::{self, DirBuilder, OpenOptions, Permissions};
use std::io;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// The directory `dir`, made (with its parents) if missing: itself `0700`; an existing
/// one loses its group and other permissions.
pub fn dir(dir: &Path) -> io::Result<()> {
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent)?;
    }
    match DirBuilder::new().mode(0o700).create(dir) {
        Ok(()) => fs::set_permissions(dir, Permissions::from_mode(0o700)),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists && dir.is_dir() => tighten(dir),
        Err(e) => Err(e),
    }
}

/// The file at `path`, made empty if missing: itself `0600`; an existing one loses its
/// group and other permissions.
pub fn file(path: &Path) -> io::Result<()> {
    match OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(_) => fs::set_permissions(path, Permissions::from_mode(0o600)),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => tighten(path),
        Err(e) => Err(e),
    }
}

/// A SQLite database at `path`, for the owner only: its directory, the file, and the
/// journals a previous run left.
pub fn database(path: &Path) -> io::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        dir(parent)?;
    }
    file(path)?;
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut journal = path.as_os_str().to_owned();
        journal.push(suffix);
        let journal = Path::new(&journal);
        if journal.exists() {
            tighten(journal)?;
        }
    }
    Ok(())
}

/// Take away the group's and others' permissions from what exists, and say so.
pub fn tighten(path: &Path) -> io::Result<()> {
    let mode = fs::metadata(path)?.permissions().mode() & 0o7777;
    let private = mode & !0o077;
    if private != mode {
        fs::set_permissions(path, Permissions::from_mode(private))?;
        tracing::warn!(
            path = %path.display(),
            was = format!("{mode:o}"),
            now = format!("{private:o}"),
            "took away the group's and others' access: the hall's data is for the server's user only"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn what_is_made_is_the_owners_and_what_was_open_is_closed() {
        let root = tempfile::tempdir().unwrap();
        fs::set_permissions(root.path(), Permissions::from_mode(0o777)).unwrap();
        let data = root.path().join("a/data");
        dir(&data).unwrap();
        assert_eq!(mode(&data), 0o700);
        let db = data.join("x.sqlite3");
        database(&db).unwrap();
        assert_eq!(mode(&db), 0o600);

        fs::set_permissions(&data, Permissions::from_mode(0o755)).unwrap();
        fs::set_permissions(&db, Permissions::from_mode(0o664)).unwrap();
        let wal = data.join("x.sqlite3-wal");
        fs::write(&wal, b"").unwrap();
        fs::set_permissions(&wal, Permissions::from_mode(0o644)).unwrap();
        database(&db).unwrap();
        assert_eq!(mode(&data), 0o700);
        assert_eq!(mode(&db), 0o600);
        assert_eq!(mode(&wal), 0o600);
    }
}
