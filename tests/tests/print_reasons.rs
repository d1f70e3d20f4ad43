//! One list of reasons why a ticket did not print: the printer crate's `Reason::ALL` is the
//! list, and the kiosk's texts, the console's and the dashboard's, and the README's table
//! must say exactly these codes (no code without words, no words for a code that is not
//! in the list, the README's "waits" or "fails at once" as the code behaves).

use motcua_printer::Reason;
use std::collections::BTreeSet;
use std::path::PathBuf;

fn repo_file(path: &str) -> String {
    let full = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("read {}: {e}", full.display()))
}

fn codes() -> Vec<&'static str> {
    Reason::ALL.iter().map(|r| r.as_str()).collect()
}

/// The single-quoted (or backquoted) strings of a line, in order.
fn quoted(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\'' || c == '`' {
            let text: String = chars.by_ref().take_while(|&d| d != c).collect();
            out.push(text);
        }
    }
    out
}

/// The keys of a JS object literal's lines (`  key: …` or `  'key': …`).
fn object_keys<'a>(lines: impl Iterator<Item = &'a str>) -> Vec<String> {
    lines
        .filter_map(|line| {
            let line = line.trim_start();
            let (key, _) = line.split_once(':')?;
            let key = key.trim_matches('\'');
            (!key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
                .then(|| key.to_owned())
        })
        .collect()
}

/// The `vi` and `en` blocks of `const NAME = { vi: {…}, en: {…} }` in a strings file: the
/// reasons' texts of the console and the dashboard.
fn language_blocks(file: &str, name: &str) -> (Vec<String>, Vec<String>) {
    let text = repo_file(file);
    let start = text
        .find(&format!("const {name} = {{"))
        .unwrap_or_else(|| panic!("{file} has no `const {name}`"));
    let mut lines = text[start..].lines().skip(1);
    let mut block = |lang: &str| {
        let head = lines.next().map(str::trim).unwrap_or_default().to_owned();
        assert_eq!(
            head,
            format!("{lang}: {{"),
            "{file}: {name}.{lang} expected"
        );
        object_keys(lines.by_ref().take_while(|l| l.trim() != "},"))
    };
    let vi = block("vi");
    let en = block("en");
    (vi, en)
}

#[test]
fn every_reason_has_words_on_the_kiosk_in_vietnamese_and_english() {
    let list: Vec<String> = codes().into_iter().map(str::to_owned).collect();
    let (vi, en) = language_blocks("kiosk-web/strings.js", "printReasons");
    assert_eq!(
        vi, list,
        "kiosk-web/strings.js: printReasons.vi, in the order of Reason::ALL"
    );
    assert_eq!(
        en, list,
        "kiosk-web/strings.js: printReasons.en, in the order of Reason::ALL"
    );
    // Each with words of its own in each language.
    let text = repo_file("kiosk-web/strings.js");
    let start = text.find("const printReasons = {").expect("printReasons");
    let block = &text[start..start + text[start..].find("\n};").expect("its end")];
    let (vi_block, en_block) = block.split_once("\n  en: {").expect("an English block");
    for code in codes() {
        let words = |block: &str| -> String {
            let line = block
                .lines()
                .find(|l| l.trim_start().starts_with(&format!("{code}: ")))
                .unwrap_or_else(|| panic!("no words for {code}"));
            quoted(line).concat()
        };
        let (vi, en) = (words(vi_block), words(en_block));
        assert!(
            !vi.trim().is_empty() && !en.trim().is_empty() && vi != en,
            "{code} needs a Vietnamese and an English text: {vi:?} / {en:?}"
        );
    }
}

#[test]
fn the_kiosk_names_no_reason_outside_the_list() {
    let list: BTreeSet<&str> = codes().into_iter().collect();
    let text = repo_file("kiosk-web/strings.js");
    // The words it has for reasons are printReasons (the test above); a `why_` key beside them
    // is only the one for a code it does not know.
    let keys = object_keys(text.lines());
    for key in &keys {
        if let Some(code) = key.strip_prefix("why_") {
            assert_eq!(
                code, "other",
                "kiosk-web/strings.js has words for {code:?} outside printReasons"
            );
        }
    }
    // The codes its scripts say themselves (a reason they guess, a printer's trouble): every
    // quoted word that looks like a reason and is not one of its texts' keys.
    let keys: BTreeSet<&str> = keys.iter().map(String::as_str).collect();
    let looks_like_a_reason = |w: &str| {
        w.contains('_')
            && w.chars().all(|c| c.is_ascii_lowercase() || c == '_')
            && ["print", "paper", "cover", "expired"]
                .iter()
                .any(|p| w.contains(p))
    };
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../kiosk-web");
    let mut scripts = 0;
    for entry in std::fs::read_dir(&dir).expect("kiosk-web") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        if !name.ends_with(".js") || name == "strings.js" {
            continue;
        }
        scripts += 1;
        let script = repo_file(&format!("kiosk-web/{name}"));
        for line in script.lines() {
            for word in quoted(line) {
                if looks_like_a_reason(&word) && !keys.contains(word.as_str()) {
                    assert!(
                        list.contains(word.as_str()),
                        "kiosk-web/{name} says {word:?}, which is not a reason in printer/src/reason.rs: {line}"
                    );
                }
            }
        }
    }
    assert!(scripts >= 2, "the kiosk's scripts were read");
}

#[test]
fn the_staff_pages_have_words_for_exactly_the_reasons() {
    let list: Vec<String> = codes().into_iter().map(str::to_owned).collect();
    for (file, name) in [
        ("counter-web/strings.js", "printReasons"),
        ("dashboard-web/strings.js", "printerErrors"),
    ] {
        let (vi, en) = language_blocks(file, name);
        assert_eq!(vi, list, "{file}: {name}.vi, in the order of Reason::ALL");
        assert_eq!(en, list, "{file}: {name}.en, in the order of Reason::ALL");
    }
}

#[test]
fn the_readme_lists_exactly_the_reasons_and_which_wait() {
    let readme = repo_file("README.md");
    let start = readme
        .find("\n## Printing\n")
        .expect("the README has a Printing section");
    let section = &readme[start + 1..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |i| i + 3)];
    let rows: Vec<(String, String)> = section
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split('|').map(str::trim).collect();
            (
                cells[0].trim_matches('`').to_owned(),
                cells.last().copied().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let listed: Vec<&str> = rows.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(
        listed,
        codes(),
        "the README's table of reasons, in the order of Reason::ALL"
    );
    for ((code, job), reason) in rows.iter().zip(Reason::ALL) {
        let said = if reason.passes() {
            "waits"
        } else {
            "fails at once"
        };
        assert_eq!(job, said, "the README says {code} {job}");
    }
}
