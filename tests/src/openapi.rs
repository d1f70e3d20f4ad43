//! The OpenAPI document a server serves, read as tests need it: its operations (the route
//! table, since the servers build both from the same `#[utoipa::path]`s), and a check of a
//! real answer against the schema the document gives for it.

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// The methods an OpenAPI path item may hold.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// A served OpenAPI document.
pub struct Document(pub Value);

impl Document {
    /// Every documented path and its methods (lowercase).
    pub fn routes(&self) -> BTreeMap<String, BTreeSet<String>> {
        let paths = self.0["paths"].as_object().expect("the document has paths");
        paths
            .iter()
            .map(|(path, item)| {
                let methods = item
                    .as_object()
                    .expect("a path item is an object")
                    .keys()
                    .filter(|k| METHODS.contains(&k.as_str()))
                    .cloned()
                    .collect();
                (path.clone(), methods)
            })
            .collect()
    }

    /// The operation at `method path`.
    pub fn operation(&self, method: &str, path: &str) -> Option<&Value> {
        self.0["paths"].get(path)?.get(method.to_lowercase())
    }

    /// The statuses documented for `method path`.
    pub fn statuses(&self, method: &str, path: &str) -> BTreeSet<u16> {
        self.operation(method, path)
            .and_then(|op| op["responses"].as_object())
            .map(|r| r.keys().filter_map(|k| k.parse().ok()).collect())
            .unwrap_or_default()
    }

    /// The JSON schema of the answer `status` to `method path`, if it has a JSON body.
    pub fn answer_schema(&self, method: &str, path: &str, status: u16) -> Option<&Value> {
        let response =
            self.resolve(self.operation(method, path)?["responses"].get(status.to_string())?);
        response["content"]["application/json"].get("schema")
    }

    /// Follow a `$ref` (to this document) to what it names.
    pub fn resolve<'a>(&'a self, value: &'a Value) -> &'a Value {
        match value.get("$ref").and_then(Value::as_str) {
            Some(target) => self
                .0
                .pointer(target.trim_start_matches('#'))
                .unwrap_or_else(|| panic!("{target} does not resolve")),
            None => value,
        }
    }

    /// Where `value` (found at `at`) departs from `schema`; empty when it fits.
    pub fn mismatches(&self, schema: &Value, value: &Value, at: &str) -> Vec<String> {
        let mut out = Vec::new();
        self.check(schema, value, at, &mut out);
        out
    }

    /// A JSON Schema check of the keywords utoipa writes: `$ref`, `type` (one or a list),
    /// `properties`/`required`, `items`, `enum`, `oneOf`, `anyOf`, `allOf`,
    /// `additionalProperties` as a schema.
    fn check(&self, schema: &Value, value: &Value, at: &str, out: &mut Vec<String>) {
        let schema = self.resolve(schema);
        if let Some(types) = schema.get("type") {
            let types: Vec<&str> = match types {
                Value::String(t) => vec![t.as_str()],
                Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            let fits = types.iter().any(|t| match *t {
                "null" => value.is_null(),
                "boolean" => value.is_boolean(),
                "string" => value.is_string(),
                "number" => value.is_number(),
                "integer" => value.is_i64() || value.is_u64(),
                "array" => value.is_array(),
                "object" => value.is_object(),
                _ => false,
            });
            if !fits {
                out.push(format!("{at}: {value} is not of type {types:?}"));
                return;
            }
        }
        if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
            && !allowed.contains(value)
        {
            out.push(format!("{at}: {value} is not one of {allowed:?}"));
        }
        if let Some(object) = value.as_object() {
            if let Some(required) = schema.get("required").and_then(Value::as_array) {
                for name in required.iter().filter_map(Value::as_str) {
                    if !object.contains_key(name) {
                        out.push(format!("{at}: the required {name:?} is missing"));
                    }
                }
            }
            let properties = schema.get("properties").and_then(Value::as_object);
            for (name, child) in object {
                let here = format!("{at}.{name}");
                match properties.and_then(|p| p.get(name)) {
                    Some(property) => self.check(property, child, &here, out),
                    None => match schema.get("additionalProperties") {
                        Some(extra) if extra.is_object() => self.check(extra, child, &here, out),
                        _ => {}
                    },
                }
            }
        }
        if let (Some(items), Some(array)) = (schema.get("items"), value.as_array()) {
            for (i, child) in array.iter().enumerate() {
                self.check(items, child, &format!("{at}[{i}]"), out);
            }
        }
        if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
            for part in all {
                self.check(part, value, at, out);
            }
        }
        for keyword in ["oneOf", "anyOf"] {
            if let Some(choices) = schema.get(keyword).and_then(Value::as_array) {
                let fitting = choices
                    .iter()
                    .filter(|choice| self.mismatches(choice, value, at).is_empty())
                    .count();
                let fits = if keyword == "oneOf" {
                    fitting == 1
                } else {
                    fitting >= 1
                };
                if !fits {
                    out.push(format!(
                        "{at}: {value} fits {fitting} of the {keyword} choices"
                    ));
                }
            }
        }
    }

    /// Check an answer against the document: its status is documented for the operation,
    /// and a JSON body fits the schema documented for that status.
    pub fn check_answer(&self, method: &str, path: &str, status: u16, body: &Value) -> Vec<String> {
        let what = format!("{} {path} -> {status}", method.to_uppercase());
        if !self.statuses(method, path).contains(&status) {
            return vec![format!(
                "{what}: the status is not documented (documented: {:?}); body {body}",
                self.statuses(method, path)
            )];
        }
        match self.answer_schema(method, path, status) {
            Some(schema) => self.mismatches(schema, body, &what),
            None if body.is_null() || body.is_string() => Vec::new(),
            None => vec![format!(
                "{what}: a JSON body where none is documented: {body}"
            )],
        }
    }
}

/// A documented path made concrete: each `{parameter}` replaced by `value(parameter)`.
pub fn concrete(path: &str, value: impl Fn(&str) -> String) -> String {
    path.split('/')
        .map(
            |segment| match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => value(name),
                None => segment.to_owned(),
            },
        )
        .collect::<Vec<_>>()
        .join("/")
}

/// Whether a documented path (with `{parameters}`) matches a concrete one.
pub fn path_matches(route: &str, path: &str) -> bool {
    let path = path.split('?').next().unwrap_or_default();
    let (a, b): (Vec<&str>, Vec<&str>) = (route.split('/').collect(), path.split('/').collect());
    a.len() == b.len()
        && a.iter()
            .zip(&b)
            .all(|(r, p)| (r.starts_with('{') && r.ends_with('}') && !p.is_empty()) || r == p)
}
