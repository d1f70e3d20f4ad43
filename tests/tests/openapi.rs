//! The OpenAPI document (`server/openapi.json`, served at `GET /api/openapi.json`) keeps up
//! with the route table in `server/src/http/mod.rs`: every route and method is documented,
//! nothing else is, and every `$ref` in it points somewhere.

use motcua_tests::TestHall;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// The methods an OpenAPI path item may hold.
const SPEC_METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// A file of the workspace, from the tests crate's directory.
fn workspace_file(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(relative)
}

fn read(relative: &str) -> String {
    let path = workspace_file(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// The document as it is on disk (the server embeds this very file).
fn spec_on_disk() -> Value {
    serde_json::from_str(&read("../server/hall/openapi.json")).expect("server/openapi.json is JSON")
}

/// Every path of the document and the methods documented for it.
fn spec_routes(spec: &Value) -> BTreeMap<String, BTreeSet<String>> {
    let paths = spec["paths"].as_object().expect("the document has paths");
    paths
        .iter()
        .map(|(path, item)| {
            let item = item.as_object().expect("a path item is an object");
            let methods = item
                .keys()
                .filter(|k| SPEC_METHODS.contains(&k.as_str()))
                .cloned()
                .collect();
            (path.clone(), methods)
        })
        .collect()
}

/// Every `$ref` in the document, with where it was found.
fn collect_refs(value: &Value, at: &str, refs: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let here = format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
                if key == "$ref"
                    && let Some(target) = child.as_str()
                {
                    refs.push((here.clone(), target.to_owned()));
                }
                collect_refs(child, &here, refs);
            }
            // A discriminator's mapping names schemas by reference too.
            if let Some(mapping) = map
                .get("discriminator")
                .and_then(|d| d.get("mapping"))
                .and_then(Value::as_object)
            {
                for (name, target) in mapping {
                    if let Some(target) = target.as_str() {
                        refs.push((
                            format!("{at}/discriminator/mapping/{name}"),
                            target.to_owned(),
                        ));
                    }
                }
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                collect_refs(child, &format!("{at}/{i}"), refs);
            }
        }
        _ => {}
    }
}

/// Follow a parameter that may be a `$ref` to its definition.
fn resolve<'a>(spec: &'a Value, value: &'a Value) -> &'a Value {
    match value.get("$ref").and_then(Value::as_str) {
        Some(target) => spec
            .pointer(target.trim_start_matches('#'))
            .unwrap_or_else(|| panic!("{target} does not resolve")),
        None => value,
    }
}

#[tokio::test]
async fn the_server_serves_its_openapi_3_1_document_verbatim() {
    let hall = TestHall::start().await;
    let (status, served) = hall.anonymous().get("/api/openapi.json").await;
    assert_eq!(status, 200, "GET /api/openapi.json: {served}");
    assert!(
        served.is_object(),
        "the served document is a JSON object, not {served}"
    );
    let version = served["openapi"].as_str().unwrap_or_default();
    assert!(
        version.starts_with("3.1"),
        "openapi is 3.1.x, not {:?}",
        served["openapi"]
    );
    assert!(
        served["info"]["title"].is_string(),
        "the document has info.title"
    );
    assert!(
        served["info"]["version"].is_string(),
        "the document has info.version"
    );
    assert_eq!(
        served,
        spec_on_disk(),
        "the server serves server/openapi.json as it is on disk (rebuild after editing it)"
    );
}

#[tokio::test]
async fn every_route_of_the_router_is_documented_and_nothing_else_is() {
    let router = motcua_tests::route_table::router_routes();
    assert!(
        router.len() >= 10,
        "the route table parsed into too few routes: {router:?}"
    );
    assert_eq!(
        router.get("/api/session"),
        Some(
            &["delete", "get", "post"]
                .map(String::from)
                .into_iter()
                .collect()
        ),
        "the parser reads chained methods"
    );
    let spec = spec_on_disk();
    let documented = spec_routes(&spec);

    let mut missing = Vec::new();
    for (path, methods) in &router {
        for method in methods {
            if !documented.get(path).is_some_and(|m| m.contains(method)) {
                missing.push(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    assert!(missing.is_empty(), "routes the document lacks: {missing:?}");

    let mut extra = Vec::new();
    for (path, methods) in &documented {
        let Some(served) = router.get(path) else {
            extra.push(format!("{path} (no such route)"));
            continue;
        };
        for method in methods {
            // axum answers HEAD wherever it answers GET.
            let known = served.contains(method) || (method == "head" && served.contains("get"));
            if !known {
                extra.push(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    assert!(
        extra.is_empty(),
        "the document describes what the router lacks: {extra:?}"
    );
}

#[tokio::test]
async fn every_operation_declares_its_path_parameters_and_responses() {
    let spec = spec_on_disk();
    let paths = spec["paths"].as_object().expect("paths");
    let mut operation_ids = BTreeSet::new();
    for (path, item) in paths {
        let in_path: BTreeSet<String> = path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(str::to_owned)
            .collect();
        let shared = item
            .get("parameters")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for method in SPEC_METHODS {
            let Some(operation) = item.get(method) else {
                continue;
            };
            let what = format!("{} {path}", method.to_uppercase());
            let mut declared = BTreeSet::new();
            let own = operation
                .get("parameters")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            for parameter in shared.iter().chain(own.iter()) {
                let parameter = resolve(&spec, parameter);
                if parameter["in"] == "path" {
                    assert_eq!(
                        parameter["required"], true,
                        "{what}: path parameter {} is required",
                        parameter["name"]
                    );
                    declared.insert(parameter["name"].as_str().unwrap_or_default().to_owned());
                }
            }
            assert_eq!(
                declared, in_path,
                "{what}: declared path parameters match the path's"
            );
            let responses = operation["responses"]
                .as_object()
                .expect("an operation has responses");
            assert!(!responses.is_empty(), "{what} has responses");
            let id = operation["operationId"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            assert!(!id.is_empty(), "{what} has an operationId");
            assert!(
                operation_ids.insert(id.clone()),
                "operationId {id} is used twice"
            );
            let description = operation["description"].as_str().unwrap_or_default();
            assert!(
                description.contains("Who may call"),
                "{what} says who may call it"
            );
        }
    }
}

#[tokio::test]
async fn every_reference_in_the_document_resolves() {
    let spec = spec_on_disk();
    let mut refs = Vec::new();
    collect_refs(&spec, "#", &mut refs);
    assert!(refs.len() > 20, "the document uses components by reference");
    let broken: Vec<String> = refs
        .iter()
        .filter(|(_, target)| {
            target
                .strip_prefix('#')
                .filter(|pointer| pointer.starts_with('/'))
                .and_then(|pointer| spec.pointer(pointer))
                .is_none()
        })
        .map(|(at, target)| format!("{at} -> {target}"))
        .collect();
    assert!(
        broken.is_empty(),
        "references that resolve to nothing: {broken:?}"
    );
}
