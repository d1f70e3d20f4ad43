//! The pages' fonts: Noto Sans cut to Latin and Vietnamese (`shared-web/fonts/*.woff2`, made
//! by `scripts/subset-fonts` from the printer's full TTFs). Every character the pages write
//! that the full font draws is still in each subset, `tokens.css` claims for them exactly
//! what they hold, and in real Chromium the kiosk and the hall TV load the subsets (a few
//! dozen KB), never the megabyte of full fonts, and draw their text with them.

use motcua_domain::DeviceKind;
use motcua_tests::TestHall;
use motcua_tests::browser::Browser;
use std::collections::BTreeSet;
use std::io::Read as _;
use std::path::{Path, PathBuf};

/// Every folder (and the one file) a page is made of.
const PAGES: [&str; 9] = [
    "kiosk-web",
    "display-web",
    "counter-web",
    "dashboard-web",
    "city-web",
    "phone-web",
    "book-web",
    "shared-web",
    "server/hall/src/http/home.html",
];

const SUBSETS: [&str; 2] = [
    "shared-web/fonts/NotoSans-Regular.woff2",
    "shared-web/fonts/NotoSans-Bold.woff2",
];

/// What the browser may download for the fonts of one page, on the wire.
const FONT_BUDGET: u64 = 150 * 1024;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace")
        .to_path_buf()
}

/// Every file under `at` (or `at` itself).
fn files(at: &Path, out: &mut Vec<PathBuf>) {
    if at.is_dir() {
        for entry in std::fs::read_dir(at).expect("read dir") {
            files(&entry.expect("entry").path(), out);
        }
    } else {
        out.push(at.to_path_buf());
    }
}

/// Every character above ASCII in the pages' text files (HTML, scripts, styles, strings),
/// with one file that has it.
fn page_characters() -> Vec<(char, PathBuf)> {
    let mut all = Vec::new();
    for page in PAGES {
        files(&root().join(page), &mut all);
    }
    all.sort();
    let mut seen = BTreeSet::new();
    let mut found = Vec::new();
    for file in all {
        // The fonts and pictures are not text.
        let Ok(text) = String::from_utf8(std::fs::read(&file).expect("read")) else {
            continue;
        };
        for c in text.chars().filter(|c| !c.is_ascii()) {
            if seen.insert(c) {
                found.push((c, file.clone()));
            }
        }
    }
    assert!(
        found.len() > 50,
        "the pages' Vietnamese was found: {found:?}"
    );
    found
}

/// A WOFF2 file's tables, decompressed: (tag, bytes). The transformed `glyf`/`loca` (which
/// WOFF2 rebuilds from its own encoding) are left out; the character map is never
/// transformed.
fn woff2_tables(woff2: &[u8]) -> Vec<([u8; 4], Vec<u8>)> {
    // The tags WOFF2 names by their index (the WOFF2 specification, 5.1).
    const KNOWN: [&[u8; 4]; 63] = [
        b"cmap", b"head", b"hhea", b"hmtx", b"maxp", b"name", b"OS/2", b"post", b"cvt ", b"fpgm",
        b"glyf", b"loca", b"prep", b"CFF ", b"VORG", b"EBDT", b"EBLC", b"gasp", b"hdmx", b"kern",
        b"LTSH", b"PCLT", b"VDMX", b"vhea", b"vmtx", b"BASE", b"GDEF", b"GPOS", b"GSUB", b"EBSC",
        b"JSTF", b"MATH", b"CBDT", b"CBLC", b"COLR", b"CPAL", b"SVG ", b"sbix", b"acnt", b"avar",
        b"bdat", b"bloc", b"bsln", b"cvar", b"fdsc", b"feat", b"fmtx", b"fvar", b"gvar", b"hsty",
        b"just", b"lcar", b"mort", b"morx", b"opbd", b"prop", b"trak", b"Zapf", b"Silf", b"Glat",
        b"Gloc", b"Feat", b"Sill",
    ];
    assert_eq!(&woff2[..4], b"wOF2", "a WOFF2 file");
    let u16_at = |at: usize| u16::from_be_bytes([woff2[at], woff2[at + 1]]);
    let u32_at = |at: usize| u32::from_be_bytes(woff2[at..at + 4].try_into().expect("4 bytes"));
    let tables = u16_at(12);
    let compressed = u32_at(20) as usize;
    let mut at = 48;
    let base128 = |at: &mut usize| {
        let mut value = 0u32;
        for _ in 0..5 {
            let byte = woff2[*at];
            *at += 1;
            value = (value << 7) | u32::from(byte & 0x7f);
            if byte & 0x80 == 0 {
                return value as usize;
            }
        }
        panic!("a UIntBase128 longer than 5 bytes");
    };
    let mut directory = Vec::new();
    for _ in 0..tables {
        let flags = woff2[at];
        at += 1;
        let tag = if flags & 0x3f == 63 {
            let tag: [u8; 4] = woff2[at..at + 4].try_into().expect("a tag");
            at += 4;
            tag
        } else {
            *KNOWN[usize::from(flags & 0x3f)]
        };
        let length = base128(&mut at);
        let version = flags >> 6;
        let transformed = if &tag == b"glyf" || &tag == b"loca" {
            version == 0
        } else {
            version != 0
        };
        let stored = if transformed {
            base128(&mut at)
        } else {
            length
        };
        directory.push((tag, stored, transformed));
    }
    let mut stream = Vec::new();
    brotli_decompressor::Decompressor::new(&woff2[at..at + compressed], 4096)
        .read_to_end(&mut stream)
        .expect("the WOFF2 stream decompresses");
    let mut out = Vec::new();
    let mut from = 0;
    for (tag, stored, transformed) in directory {
        if !transformed {
            out.push((tag, stream[from..from + stored].to_vec()));
        }
        from += stored;
    }
    assert_eq!(from, stream.len(), "the tables fill the stream");
    out
}

/// The characters a font's character map gives a glyph to.
fn characters_of(face: &ttf_parser::Face) -> BTreeSet<u32> {
    let mut all = BTreeSet::new();
    for subtable in face.tables().cmap.expect("a cmap").subtables {
        if subtable.is_unicode() {
            subtable.codepoints(|c| {
                if face
                    .glyph_index(char::from_u32(c).unwrap_or('\0'))
                    .is_some()
                {
                    all.insert(c);
                }
            });
        }
    }
    all
}

/// A subset as the browser gets it, read back: the characters it has a glyph for.
fn subset_characters(path: &str) -> BTreeSet<u32> {
    let bytes = std::fs::read(root().join(path)).expect("the subset is committed");
    let tables = woff2_tables(&bytes);
    let table = |tag: &[u8; 4]| {
        tables
            .iter()
            .find(|(t, _)| t == tag)
            .map(|(_, bytes)| bytes.as_slice())
    };
    let face = ttf_parser::Face::from_raw_tables(ttf_parser::RawFaceTables {
        head: table(b"head").expect("head"),
        hhea: table(b"hhea").expect("hhea"),
        maxp: table(b"maxp").expect("maxp"),
        cmap: table(b"cmap"),
        ..Default::default()
    })
    .expect("the subset parses");
    characters_of(&face)
}

/// The full font the printer draws tickets with (the one the subset is cut from).
fn full_characters(path: &str) -> BTreeSet<u32> {
    let full = path
        .replace("shared-web/fonts/", "printer/fonts/")
        .replace(".woff2", ".ttf");
    let bytes = std::fs::read(root().join(full)).expect("the full font");
    characters_of(&ttf_parser::Face::parse(&bytes, 0).expect("the full font parses"))
}

/// The `unicode-range`s of tokens.css's `@font-face`s, one list per face.
fn unicode_ranges() -> Vec<Vec<(u32, u32)>> {
    let css = std::fs::read_to_string(root().join("shared-web/tokens.css")).expect("tokens.css");
    css.split("unicode-range:")
        .skip(1)
        .map(|rest| {
            let declared = rest.split(';').next().expect("a declaration");
            declared
                .split(',')
                .map(|range| {
                    let range = range.trim().trim_start_matches("U+");
                    let (lo, hi) = range.split_once('-').unwrap_or((range, range));
                    let hex = |h: &str| u32::from_str_radix(h, 16).expect("a hex code point");
                    (hex(lo), hex(hi))
                })
                .collect()
        })
        .collect()
}

#[test]
fn every_character_the_pages_write_that_noto_sans_draws_is_in_both_subsets() {
    let characters = page_characters();
    for subset in SUBSETS {
        let has = subset_characters(subset);
        let full = full_characters(subset);
        let lost: Vec<String> = characters
            .iter()
            .filter(|(c, _)| full.contains(&u32::from(*c)) && !has.contains(&u32::from(*c)))
            .map(|(c, file)| format!("{c} (U+{:04X}, in {})", u32::from(*c), file.display()))
            .collect();
        assert!(
            lost.is_empty(),
            "{subset} lacks what the pages write (run scripts/subset-fonts): {lost:?}"
        );
        // Every Vietnamese letter, both cases, every tone, precomposed or as NFD input, even
        // those no page writes yet (a field's name, a notice, a citizen's comment).
        let vietnamese = "ĂăÂâĐđÊêÔôƠơƯư\u{300}\u{301}\u{303}\u{309}\u{323}";
        let letters = (0x1EA0..=0x1EF9)
            .chain(vietnamese.chars().map(u32::from))
            .chain(['₫', '–', '—', '‘', '’', '“', '”', '…', '•'].map(u32::from));
        let missing: Vec<u32> = letters.filter(|c| !has.contains(c)).collect();
        assert!(missing.is_empty(), "{subset} lacks {missing:x?}");
        // What Noto Sans never had (an arrow, ≥, an emoji) the system's fonts draw, as
        // before: said here, not an error.
        let elsewhere: String = characters
            .iter()
            .filter(|(c, _)| !full.contains(&u32::from(*c)))
            .map(|(c, _)| *c)
            .collect();
        eprintln!("{subset}: drawn by the system's fonts: {elsewhere}");
    }
}

#[test]
fn tokens_css_claims_for_each_subset_exactly_the_characters_it_holds() {
    let faces = unicode_ranges();
    assert_eq!(
        faces.len(),
        SUBSETS.len(),
        "one unicode-range per @font-face"
    );
    for (subset, ranges) in SUBSETS.iter().zip(&faces) {
        let has = subset_characters(subset);
        let full = full_characters(subset);
        let claimed = |c: u32| ranges.iter().any(|(lo, hi)| (*lo..=*hi).contains(&c));
        // A glyph outside the range would never be used; a character inside it that the
        // full font draws but the subset lacks would fall to system-ui, not to Noto Sans.
        let unused: Vec<u32> = has.iter().copied().filter(|c| !claimed(*c)).collect();
        assert!(
            unused.is_empty(),
            "{subset} has {unused:x?} outside its unicode-range"
        );
        let promised: Vec<u32> = full
            .iter()
            .copied()
            .filter(|c| claimed(*c) && !has.contains(c))
            .collect();
        assert!(
            promised.is_empty(),
            "tokens.css claims {promised:x?} for {subset}, which lacks them"
        );
    }
    // The full fonts stay the printer's: no page links them.
    let mut all = Vec::new();
    for page in PAGES {
        files(&root().join(page), &mut all);
    }
    let code = ["html", "css", "js"];
    for file in all
        .iter()
        .filter(|f| f.extension().is_some_and(|e| code.iter().any(|c| e == *c)))
    {
        if let Ok(text) = String::from_utf8(std::fs::read(file).expect("read")) {
            let linked = text.contains(".ttf") || text.contains("\"/fonts/");
            assert!(!linked, "{} links the full fonts", file.display());
        }
    }
}

/// What a page asked of the fonts, from Resource Timing: (address, bytes on the wire).
async fn fonts_fetched(b: &Browser) -> Vec<(String, u64)> {
    let entries = b
        .eval(
            "performance.getEntriesByType('resource')
               .filter((e) => /\\/fonts\\/|\\.(woff2?|ttf|otf)$/.test(new URL(e.name).pathname))
               .map((e) => [new URL(e.name).pathname, e.encodedBodySize])",
        )
        .await;
    serde_json::from_value(entries).expect("a list of fonts")
}

/// The page's Noto Sans faces once `document.fonts` is done: (weight, status).
async fn noto_faces(b: &Browser) -> Vec<(String, String)> {
    b.wait_for(
        "the fonts loaded",
        "document.fonts.status === 'loaded' && [...document.fonts].some((f) => f.status === 'loaded')",
    )
    .await;
    let faces = b
        .eval(
            "[...document.fonts].filter((f) => f.family.replaceAll('\"', '') === 'Noto Sans')
               .map((f) => [f.weight, f.status])",
        )
        .await;
    serde_json::from_value(faces).expect("a list of faces")
}

/// The page draws `css`'s text in Noto Sans: its family first, and the face for its weight
/// and text loaded.
async fn drawn_in_noto(b: &Browser, css: &str) {
    let script = format!(
        "(() => {{ const e = document.querySelector({css:?}); const s = getComputedStyle(e);
            return [s.fontFamily, e.innerText.trim(),
                    document.fonts.check(`${{s.fontWeight}} ${{s.fontSize}} \"Noto Sans\"`, e.innerText)]; }})()"
    );
    let got = b.eval(&script).await;
    let family = got[0].as_str().unwrap_or_default();
    assert!(
        family.starts_with("\"Noto Sans\""),
        "{css} is set in {family}"
    );
    assert!(
        !got[1].as_str().unwrap_or_default().is_empty(),
        "{css} has text"
    );
    assert_eq!(got[2], true, "{css}: its Noto Sans face is loaded: {got}");
}

/// Both Noto Sans faces (regular for the text, bold for the headings and numbers) loaded.
fn both_faces_loaded(page: &str, faces: &[(String, String)]) {
    let want = [("400", "loaded"), ("700", "loaded")].map(|(w, s)| (w.to_owned(), s.to_owned()));
    assert_eq!(faces, want, "{page}'s Noto Sans faces");
}

/// The fonts a page fetched: the two subsets, under the budget; never the full TTFs.
fn only_the_subsets(page: &str, fetched: &[(String, u64)]) {
    for (path, _) in fetched {
        assert!(
            path.starts_with("/shared/fonts/NotoSans-") && path.ends_with(".woff2"),
            "{page} fetched {path}; fetched: {fetched:?}"
        );
    }
    assert!(!fetched.is_empty(), "{page} fetched no font");
    eprintln!("{page} fetched {fetched:?}");
    let wire: u64 = fetched.iter().map(|(_, bytes)| bytes).sum();
    assert!(
        wire < FONT_BUDGET,
        "{page}'s fonts weigh {wire} bytes on the wire (budget {FONT_BUDGET}): {fetched:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_kiosk_and_the_tv_draw_in_noto_sans_from_the_subsets_alone() {
    let hall = TestHall::start().await;
    let token = hall.device_token("kiosk-fonts", DeviceKind::Kiosk);

    let kiosk = Browser::open(1080, 1920).await;
    kiosk
        .goto(&hall.url(&format!("/kiosk/?token={token}")))
        .await;
    kiosk
        .wait_for(
            "the start screen",
            "document.body.dataset.screen === 'start' && document.body.dataset.connected === 'true'",
        )
        .await;
    let faces = noto_faces(&kiosk).await;
    both_faces_loaded("the kiosk", &faces);
    drawn_in_noto(&kiosk, "h1").await;
    drawn_in_noto(&kiosk, "button[data-field]").await;
    only_the_subsets("the kiosk", &fonts_fetched(&kiosk).await);
    kiosk.close().await;

    let tv = Browser::open(1920, 1080).await;
    tv.goto(&hall.url("/display/")).await;
    tv.wait_for(
        "the hall TV",
        "document.body.dataset.connected === 'true' && document.querySelectorAll('.field').length > 0",
    )
    .await;
    let faces = noto_faces(&tv).await;
    both_faces_loaded("the hall TV", &faces);
    drawn_in_noto(&tv, ".field").await;
    only_the_subsets("the hall TV", &fonts_fetched(&tv).await);
    tv.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_subsets_are_served_as_they_are_woff2_not_gzipped_again() {
    let hall = TestHall::start().await;
    let http = reqwest::Client::builder()
        .no_gzip()
        .build()
        .expect("a client");
    for subset in SUBSETS {
        let path = subset.replace("shared-web/", "/shared/");
        let answer = http
            .get(hall.url(&path))
            .header("accept-encoding", "gzip, br")
            .send()
            .await
            .expect("GET");
        assert_eq!(answer.status(), 200, "{path}");
        let headers = answer.headers().clone();
        assert_eq!(headers["content-type"], "font/woff2", "{path}");
        assert!(
            headers.get("content-encoding").is_none(),
            "{path} is Brotli inside: {headers:?}"
        );
        assert!(headers.contains_key("etag"), "{path}");
        let body = answer.bytes().await.expect("body");
        assert_eq!(
            body.as_ref(),
            std::fs::read(root().join(subset)).expect("file"),
            "{path}"
        );
    }
}
