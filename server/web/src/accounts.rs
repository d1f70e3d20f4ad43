//! Staff and devices, as both servers add and sign them in: names checked, passwords held
//! to a policy ([`check_password`]) and hashed with argon2 (slow on purpose: a server does
//! it through its bounded [`crate::hashing::Hasher`]), and a name taken said as a refusal. The rows themselves are the store's
//! ([`motcua_store::accounts`]).

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, SaltString};
use motcua_domain::{DeviceKind, Error, Refusal, Role};
use motcua_store::StoreError;
use motcua_store::accounts::{self, Device, User};
use rusqlite::Connection;

/// Hash a password on this thread (a command-line tool's one hash; servers use
/// [`crate::hashing::Hasher`]).
pub fn hash_password(password: &str) -> Result<String, Error> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(Error::internal)
}

fn valid_name(name: &str) -> Result<(), Error> {
    let n = name.chars().count();
    if n == 0 || n > 64 || name.chars().any(char::is_control) || name.trim() != name {
        return Err(Error::invalid(
            "bad_name",
            "a name is 1 to 64 characters, no spaces at the ends",
        ));
    }
    Ok(())
}

/// A unique name taken: said as the refusal `name_taken`.
pub fn taken(e: StoreError) -> Error {
    match e {
        StoreError::Duplicate(what) => {
            Refusal::other("name_taken", format!("{what} exists already")).into()
        }
        other => other.into(),
    }
}

/// The fewest characters a password may have.
pub const PASSWORD_MIN: usize = 10;
/// The most a new password may have (the strength check reads every character).
pub const PASSWORD_MAX: usize = 128;

/// Refuse a weak password (`weak_password`, saying why): fewer than [`PASSWORD_MIN`]
/// characters, or one a guesser finds within 10^10 tries by zxcvbn's measure (score below
/// 3): common passwords, repeats, keyboard rows, dates, and anything built on the user's
/// name, the role, "motcua" or the words of `place` (the hall's or the office's name).
pub fn check_password(password: &str, name: &str, role: Role, place: &[&str]) -> Result<(), Error> {
    let weak = |why: &str| Error::invalid("weak_password", why.to_owned());
    let chars = password.chars().count();
    if chars > PASSWORD_MAX {
        return Err(weak("a password has at most 128 characters"));
    }
    if password.trim().chars().count() < PASSWORD_MIN {
        return Err(weak(
            "a password has at least 10 characters (not counting spaces at the ends)",
        ));
    }
    let mut words: Vec<&str> = vec![
        name,
        role.as_str(),
        "motcua",
        "mot cua",
        "một cửa",
        "phuong",
        "phường",
        "ubnd",
        "hanh chinh",
        "hành chính",
        "quay",
        "quầy",
        "canbo",
        "cán bộ",
        "quanly",
        "quản lý",
    ];
    words.extend(
        name.split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.len() > 2),
    );
    for p in place {
        words.push(p);
        words.extend(p.split_whitespace().filter(|w| w.chars().count() > 2));
    }
    let folded: Vec<String> = words.iter().map(|w| fold(w)).collect();
    let mut inputs: Vec<&str> = words.clone();
    inputs.extend(folded.iter().map(String::as_str));
    // Spaces and punctuation between guessable words look random to zxcvbn: judge the
    // password without them too, and demand the top score of one built on those words.
    let compact: String = password.chars().filter(|c| c.is_alphanumeric()).collect();
    let strength = [password, compact.as_str()]
        .into_iter()
        .map(|p| zxcvbn::zxcvbn(p, &inputs))
        .min_by_key(|s| s.score())
        .unwrap_or_else(|| zxcvbn::zxcvbn(password, &inputs));
    // What is left once the name's, the role's and the hall's words are taken out.
    let mut rest = fold(password);
    let mut known: Vec<&String> = folded.iter().filter(|w| w.len() >= 3).collect();
    known.sort_by_key(|w| std::cmp::Reverse(w.len()));
    for w in known {
        rest = rest.replace(w.as_str(), "");
    }
    if rest.len() < 6 {
        return Err(weak(
            "this password is built on the name, the role or the hall's name: use unrelated words",
        ));
    }
    if strength.score() >= zxcvbn::Score::Three {
        return Ok(());
    }
    let why = strength
        .feedback()
        .and_then(|f| f.warning())
        .map(|w| w.to_string())
        .unwrap_or_else(|| "it is easy to guess".to_owned());
    Err(Error::invalid(
        "weak_password",
        format!(
            "this password is too easy to guess: {why} Use a few unrelated words, not the \
             name, the role or the hall's name"
        ),
    ))
}

/// Lowercase ASCII letters and digits of `text`, Vietnamese letters without their marks
/// (`Hoàn Kiếm` -> `hoankiem`): how a password reuses a name, typed any way.
fn fold(text: &str) -> String {
    const FROM: [(&str, char); 7] = [
        ("àáảãạăằắẳẵặâầấẩẫậ", 'a'),
        ("èéẻẽẹêềếểễệ", 'e'),
        ("ìíỉĩị", 'i'),
        ("òóỏõọôồốổỗộơờớởỡợ", 'o'),
        ("ùúủũụưừứửữự", 'u'),
        ("ỳýỷỹỵ", 'y'),
        ("đ", 'd'),
    ];
    text.chars()
        .flat_map(char::to_lowercase)
        .map(|c| {
            FROM.iter()
                .find(|(marked, _)| marked.contains(c))
                .map_or(c, |(_, plain)| *plain)
        })
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

/// Check a new user's name and password (not hashed: see [`crate::hashing::Hasher`]).
pub fn check_new_user(name: &str, role: Role, password: &str, place: &[&str]) -> Result<(), Error> {
    valid_name(name)?;
    check_password(password, name, role, place)
}

/// Check a new user's name and password and hash the password on this thread: for
/// command-line tools, which hash once and exit (a server hashes through its
/// [`crate::hashing::Hasher`]).
pub fn new_user_hash(
    name: &str,
    role: Role,
    password: &str,
    place: &[&str],
) -> Result<String, Error> {
    check_new_user(name, role, password, place)?;
    hash_password(password)
}

/// Store a user whose password [`new_user_hash`] checked and hashed.
pub fn insert_user(
    conn: &Connection,
    name: &str,
    role: Role,
    hash: &str,
    now_ms: i64,
) -> Result<User, Error> {
    accounts::insert_user(conn, name, role, hash, now_ms).map_err(taken)
}

/// Add a user (checked, hashed, stored): for command-line tools and tests.
pub fn add_user(
    conn: &Connection,
    name: &str,
    role: Role,
    password: &str,
    now_ms: i64,
) -> Result<User, Error> {
    add_user_in(conn, name, role, password, &[], now_ms)
}

/// [`add_user`] for a hall or office named `place` (its words are refused in passwords).
pub fn add_user_in(
    conn: &Connection,
    name: &str,
    role: Role,
    password: &str,
    place: &[&str],
    now_ms: i64,
) -> Result<User, Error> {
    let hash = new_user_hash(name, role, password, place)?;
    insert_user(conn, name, role, &hash, now_ms)
}

/// Adds a kiosk or a display and returns its token: the only time it is ever seen. (A
/// printer: [`add_printer`].)
pub fn add_device(
    conn: &Connection,
    name: &str,
    kind: DeviceKind,
    now_ms: i64,
) -> Result<(Device, String), Error> {
    add(conn, name, kind, None, now_ms)
}

/// Adds a printer that prints the tickets of the kiosk named `kiosk`.
pub fn add_printer(
    conn: &Connection,
    name: &str,
    kiosk: &str,
    now_ms: i64,
) -> Result<(Device, String), Error> {
    add(conn, name, DeviceKind::Printer, Some(kiosk), now_ms)
}

fn add(
    conn: &Connection,
    name: &str,
    kind: DeviceKind,
    kiosk: Option<&str>,
    now_ms: i64,
) -> Result<(Device, String), Error> {
    valid_name(name)?;
    let kiosk_id = match (kind, kiosk) {
        (DeviceKind::Printer, Some(kiosk)) => {
            Some(accounts::kiosk_id_by_name(conn, kiosk)?.ok_or_else(|| {
                Error::invalid("unknown_kiosk", format!("no kiosk named {kiosk:?}"))
            })?)
        }
        (DeviceKind::Printer, None) => {
            return Err(Error::invalid(
                "missing_kiosk",
                "a printer prints for a kiosk: name it",
            ));
        }
        (_, Some(_)) => {
            return Err(Error::invalid(
                "unexpected_kiosk",
                "only a printer belongs to a kiosk",
            ));
        }
        (_, None) => None,
    };
    accounts::insert_device(conn, name, kind, kiosk_id, now_ms).map_err(taken)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(r: Result<(), Error>) -> String {
        match r {
            Ok(()) => "ok".to_owned(),
            Err(Error::Invalid { code, message }) => format!("{code}: {message}"),
            Err(e) => format!("{e:?}"),
        }
    }

    #[test]
    fn short_common_repeated_and_hall_derived_passwords_are_refused() {
        let place = ["UBND phường Hoàn Kiếm"];
        for weak in [
            "12345678",
            "        ",
            "          x",
            "1234567890",
            "password123",
            "aaaaaaaaaaaaaaaa",
            "qwertyuiop",
            "abcabcabcabc",
            "lan.nguyen2024",
            "motcua2025!",
            "Hoàn Kiếm 2025",
            "hoankiem2025",
            "HoanKiem@2025",
            "lan nguyen 1990",
            "clerk-clerk-clerk",
        ] {
            let answer = code(check_password(weak, "lan.nguyen", Role::Clerk, &place));
            assert!(answer.starts_with("weak_password"), "{weak:?}: {answer}");
        }
        for strong in [
            "Mây trắng bay qua đồi chè",
            "tulip-ferry-granite-88",
            "lan.nguyen-secret-pw",
        ] {
            let answer = code(check_password(strong, "lan.nguyen", Role::Clerk, &place));
            assert_eq!(answer, "ok", "{strong:?}");
        }
        // What the tests and benches sign in with.
        for (name, password) in [
            ("clerk1", "clerk1-bench-pw"),
            ("lan", "lan-secret-pw"),
            ("admin", "admin-secret-pw"),
        ] {
            assert_eq!(code(check_password(password, name, Role::Clerk, &[])), "ok");
        }
    }
}
