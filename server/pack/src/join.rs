//! A page's script as one file (the phone page's, at build time). `phone-web/phone.js` is an ES module built on the
//! front-end kit (`import { api } from '/shared/api.js'`), like every page; a cheap phone on a
//! weak network gets it joined with the kit modules it imports into one module: one request
//! instead of six, and one gzip stream (the budget is 15 KB gzipped for everything before the
//! ticket shows; six files zipped apart weigh about 1.4 KB more than one).
//!
//! The join is deliberately simple, for the kit's plain modules: each imported module once,
//! its own imports first, `import` statements dropped and `export` keywords removed, so every
//! module's top-level names share one module scope. Whole-line `//` comments stay in the
//! source and are left out of the phone's download (over 1 KB gzipped): the kit and the page
//! have no string spanning lines, where such a line could be text. Two modules declaring the same top-level
//! name would clash there: that is refused (a unit test builds the bundle), never served.

use std::path::Path;

/// The kit's modules, read from its folder on disk.
pub trait Kit {
    fn module(&self, name: &str) -> Option<String>;
}

impl Kit for Path {
    fn module(&self, name: &str) -> Option<String> {
        std::fs::read_to_string(self.join(name)).ok()
    }
}

/// The script `entry` (a module importing from `/shared/`) with the kit's modules from `kit`
/// joined in before it, or why it cannot be joined.
pub fn join(entry: &str, kit: &(impl Kit + ?Sized)) -> Result<String, String> {
    let mut order: Vec<String> = Vec::new();
    for name in imports(entry)? {
        visit(&name, kit, &mut order, &mut Vec::new())?;
    }
    let mut declared: Vec<(String, String)> = Vec::new();
    let mut out = String::from(
        "// Joined from the kit's modules and phone-web/phone.js when the hall was built (server/pack/src/join.rs).\n",
    );
    for name in &order {
        let source = source(kit, name)?;
        out.push_str(&format!("\n// ---- /shared/{name}\n"));
        out.push_str(&strip(name, &source, &mut declared)?);
    }
    out.push_str("\n// ---- /phone/phone.js\n");
    out.push_str(&strip("phone.js", entry, &mut declared)?);
    Ok(out)
}

fn source(kit: &(impl Kit + ?Sized), name: &str) -> Result<String, String> {
    kit.module(name)
        .ok_or_else(|| format!("no kit module {name}"))
}

/// Depth first, a module's imports before it; each once.
fn visit(
    name: &str,
    kit: &(impl Kit + ?Sized),
    order: &mut Vec<String>,
    path: &mut Vec<String>,
) -> Result<(), String> {
    if order.iter().any(|n| n == name) {
        return Ok(());
    }
    if path.iter().any(|n| n == name) {
        return Err(format!(
            "{name} imports itself through {}",
            path.join(" -> ")
        ));
    }
    path.push(name.to_owned());
    for dep in imports(&source(kit, name)?)? {
        visit(&dep, kit, order, path)?;
    }
    path.pop();
    order.push(name.to_owned());
    Ok(())
}

/// The import statements of a module: (their first line, the whole statement, the kit module
/// it names). Statements start at the line's start (the pages are formatted by Biome).
fn statements(source: &str) -> Result<Vec<(usize, usize, String)>, String> {
    let lines: Vec<&str> = source.lines().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if !lines[i].starts_with("import ") {
            i += 1;
            continue;
        }
        let first = i;
        while !lines[i].contains(" from ") && !lines[i].starts_with("} from ") {
            i += 1;
            if i == lines.len() {
                return Err(format!("an unfinished import: {}", lines[first]));
            }
        }
        let spec = lines[i]
            .split(['\'', '"'])
            .nth(1)
            .ok_or_else(|| format!("an import without a path: {}", lines[i]))?;
        let name = spec
            .strip_prefix("/shared/")
            .or_else(|| spec.strip_prefix("./"))
            .filter(|n| !n.contains('/'))
            .ok_or_else(|| format!("only the kit's modules can be joined, not {spec}"))?;
        found.push((first, i, name.to_owned()));
        i += 1;
    }
    Ok(found)
}

fn imports(source: &str) -> Result<Vec<String>, String> {
    Ok(statements(source)?
        .into_iter()
        .map(|(_, _, name)| name)
        .collect())
}

/// The module without its import statements, export keywords and whole-line `//` comments;
/// its top-level names noted in `declared`, refusing one another module has declared.
fn strip(
    module: &str,
    source: &str,
    declared: &mut Vec<(String, String)>,
) -> Result<String, String> {
    let skip = statements(source)?;
    let mut out = String::with_capacity(source.len());
    for (n, line) in source.lines().enumerate() {
        if skip.iter().any(|&(a, b, _)| (a..=b).contains(&n)) || line.trim_start().starts_with("//")
        {
            continue;
        }
        let line = match line.strip_prefix("export ") {
            Some(rest) if rest.starts_with("default") || rest.starts_with('{') => {
                return Err(format!(
                    "{module}: only `export` before a declaration is joined: {line}"
                ));
            }
            Some(rest) => rest,
            None => line,
        };
        if let Some(name) = top_level_name(line) {
            if let Some((other, _)) = declared.iter().find(|(_, d)| *d == name) {
                return Err(format!("{module} and {other} both declare `{name}`"));
            }
            declared.push((module.to_owned(), name));
        }
        out.push_str(line);
        out.push('\n');
    }
    Ok(out)
}

/// The name a top-level declaration introduces (`const x =`, `function f(`, `class C`), if
/// the line is one. Destructuring is not used at the top level of the kit or the page.
fn top_level_name(line: &str) -> Option<String> {
    let rest = [
        "const ",
        "let ",
        "var ",
        "function ",
        "async function ",
        "class ",
    ]
    .iter()
    .find_map(|k| line.strip_prefix(k))?;
    let name: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
        .collect();
    (!name.is_empty()).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kit() -> &'static Path {
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared-web"))
    }

    #[test]
    fn the_phone_script_joins_with_every_kit_module_it_uses_once_and_in_order() {
        let entry = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../phone-web/phone.js"
        ))
        .expect("phone.js");
        let joined = join(&entry, kit()).expect("the phone's script joins");
        let at = |m: &str| {
            joined
                .find(&format!("// ---- {m}\n"))
                .unwrap_or_else(|| panic!("{m} missing"))
        };
        // clock.js before the modules importing it; the page last.
        assert!(at("/shared/clock.js") < at("/shared/api.js"));
        assert!(at("/shared/api.js") < at("/shared/i18n.js"));
        assert!(at("/shared/feed.js") < at("/phone/phone.js"));
        assert_eq!(joined.matches("// ---- /shared/clock.js").count(), 1);
        assert!(!joined.lines().any(|l| l.starts_with("import ")));
        assert!(!joined.lines().any(|l| l.starts_with("export ")));
        assert!(joined.contains("\nfunction follow("));
        // The comments are the source's: only the join's own markers are left.
        let comments: Vec<&str> = joined
            .lines()
            .filter(|l| l.trim_start().starts_with("//") && !l.starts_with("// ---- "))
            .collect();
        assert_eq!(comments.len(), 1, "{comments:?}");
        assert!(
            entry.lines().any(|l| l.starts_with("// ")),
            "the source keeps them"
        );
    }

    #[test]
    fn two_modules_declaring_one_name_are_refused() {
        let entry = "import { api } from '/shared/api.js';\nconst clock = 1;\n";
        let err = join(entry, kit()).expect_err("clock is the kit's");
        assert!(err.contains("`clock`"), "{err}");
        let err = join("import x from 'https://cdn.example/x.js';\n", kit()).expect_err("not ours");
        assert!(err.contains("only the kit's modules"), "{err}");
    }
}
