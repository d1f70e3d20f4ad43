//! The route table as its source says it, for tests that check every route is covered
//! (by the OpenAPI description, by the access table).

use std::collections::{BTreeMap, BTreeSet};

/// Rust source without its `//` comments (string literals kept whole), so a commented-out
/// route is not taken for a real one.
fn strip_line_comments(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    for line in source.lines() {
        let mut in_string = false;
        let mut escaped = false;
        let mut prev = '\0';
        let mut cut = line.len();
        for (i, c) in line.char_indices() {
            if in_string {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == '"' {
                    in_string = false;
                }
            } else if c == '"' {
                in_string = true;
            } else if c == '/' && prev == '/' {
                cut = i - 1;
                break;
            }
            prev = c;
        }
        out.push_str(&line[..cut]);
        out.push('\n');
    }
    out
}

/// Every `.route("PATH", get(..).post(..))` of the route table: path -> methods.
pub fn router_routes() -> BTreeMap<String, BTreeSet<String>> {
    routes_in("../server/hall/src/http/mod.rs", ".merge(pages::routes())")
}

/// The city collector's route table (`server/src/city/http.rs`).
pub fn city_routes() -> BTreeMap<String, BTreeSet<String>> {
    let source = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../server/city/src/http.rs"),
    )
    .expect("read the city's routes");
    // Only the route table itself, not the pages' function after it.
    let table = source
        .split("pub fn router(")
        .nth(1)
        .and_then(|rest| rest.split("\nfn pages()").next())
        .expect("the city's router function");
    parse_routes(table, ".merge(pages())")
}

/// Every route of the route table in `relative` (from the tests crate), the pages' merge
/// (static documents, not API) left out.
fn routes_in(relative: &str, pages_merge: &str) -> BTreeMap<String, BTreeSet<String>> {
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    let source =
        std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("read {}: {e}", file.display()));
    parse_routes(&source, pages_merge)
}

fn parse_routes(source: &str, pages_merge: &str) -> BTreeMap<String, BTreeSet<String>> {
    let source = strip_line_comments(source);
    // The web pages are static documents with their own route function, not API.
    let source = source.replace(pages_merge, "");
    for other in [".nest(", ".nest_service(", ".route_service(", ".merge("] {
        assert!(
            !source.contains(other),
            "the route table uses {other}: teach tests/src/route_table.rs to read it, so its routes are checked too"
        );
    }
    let mut routes: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut rest = source.as_str();
    while let Some(at) = rest.find(".route(") {
        rest = &rest[at + ".route(".len()..];
        let after_quote = rest
            .trim_start()
            .strip_prefix('"')
            .expect(".route( is followed by a path literal");
        let end = after_quote.find('"').expect("the path literal ends");
        let path = after_quote[..end].to_owned();
        // The method router: everything up to the parenthesis that closes `.route(`.
        let args = &after_quote[end + 1..];
        let mut depth = 1usize;
        let mut close = args.len();
        for (i, c) in args.char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        close = i;
                        break;
                    }
                }
                _ => {}
            }
        }
        let methods = methods_in(&args[..close]);
        assert!(!methods.is_empty(), "no method found for route {path:?}");
        assert!(
            routes.insert(path.clone(), methods).is_none(),
            "route {path:?} appears twice in the route table"
        );
        rest = &args[close..];
    }
    routes
}

/// The HTTP methods named in a method router such as `post(api::a).get(api::b)`:
/// identifiers (last `::` segment) directly followed by `(`.
fn methods_in(method_router: &str) -> BTreeSet<String> {
    const METHODS: [&str; 8] = [
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];
    let mut methods = BTreeSet::new();
    let chars: Vec<char> = method_router.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == ':' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == ':')
            {
                i += 1;
            }
            if chars.get(i) == Some(&'(') {
                let word: String = chars[start..i].iter().collect();
                let name = word.rsplit("::").next().unwrap_or_default();
                assert!(
                    !matches!(
                        name,
                        "any"
                            | "on"
                            | "any_service"
                            | "on_service"
                            | "get_service"
                            | "post_service"
                    ),
                    "the route table uses {name}(..): teach tests/tests/access.rs which methods that means"
                );
                if METHODS.contains(&name) {
                    methods.insert(name.to_owned());
                }
            }
        } else {
            i += 1;
        }
    }
    methods
}
