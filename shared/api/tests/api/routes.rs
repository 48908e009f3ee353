//! The routes are listed once, in `api::Endpoint`; what else names them must agree with it:
//! template.yaml (what AWS serves), Cargo.toml's cargo lambda router (what `make run` serves),
//! docs/openapi.yaml (what integrators read), and each function's `main.rs` (which handler its
//! Lambda runs). And the spec's own example bodies must fit the documented schemas.

use std::collections::BTreeSet;
use std::path::Path;

use api::Endpoint;
use serde_json::Value;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// (method, path) → function, as `api::Endpoint` lists them.
fn listed() -> BTreeSet<(String, String, String)> {
    Endpoint::ALL
        .into_iter()
        .flat_map(|e| {
            e.paths().iter().map(move |path| {
                (
                    e.method().to_string(),
                    path.to_string(),
                    e.function().to_owned(),
                )
            })
        })
        .collect()
}

#[test]
fn template_and_router_serve_exactly_the_listed_endpoints_with_their_functions() {
    let template = local_tables::Template::load(&local_tables::template_path()).unwrap();
    let from_template: BTreeSet<(String, String, String)> = template
        .routes
        .iter()
        .map(|((method, path), function)| (method.clone(), path.clone(), function.clone()))
        .collect();
    assert_eq!(from_template, listed());
    let router = local_tables::router(Path::new(ROOT).join("Cargo.toml")).unwrap();
    assert_eq!(router, listed());
}

/// Each function is given exactly the secrets its endpoint lists (`Endpoint::secrets`): the
/// variable naming the secret, and a policy to read it; no secret is given to every function.
#[test]
fn every_function_is_given_exactly_its_secrets() {
    let template = local_tables::Template::load(&local_tables::template_path()).unwrap();
    for secret in domain::Secret::ALL {
        assert!(
            !template.global_variables.contains(secret.arn_variable())
                && !template.global_variables.contains(secret.value_variable()),
            "{secret:?} is given to every function"
        );
    }
    for endpoint in Endpoint::ALL {
        let given = &template.secrets[endpoint.function()];
        let expected: BTreeSet<(String, String)> = endpoint
            .secrets()
            .iter()
            .map(|s| (s.arn_variable().to_owned(), s.resource().to_owned()))
            .collect();
        let variables: BTreeSet<(String, String)> = given.variables.clone().into_iter().collect();
        assert_eq!(variables, expected, "{endpoint:?}'s variables");
        let readable: BTreeSet<String> = expected.into_iter().map(|(_, r)| r).collect();
        assert_eq!(given.readable, readable, "{endpoint:?}'s policies");
    }
}

#[test]
fn every_function_main_runs_its_endpoint() {
    let mut functions = BTreeSet::new();
    for entry in std::fs::read_dir(Path::new(ROOT).join("functions")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        let endpoint = Endpoint::of_function(&name)
            .unwrap_or_else(|| panic!("functions/{name} serves no listed endpoint"));
        let main = std::fs::read_to_string(
            Path::new(ROOT)
                .join("functions")
                .join(&name)
                .join("src/main.rs"),
        )
        .unwrap();
        let runs = format!("Endpoint::{endpoint:?}.handle(");
        let builds = format!("App::from_env(Endpoint::{endpoint:?})");
        assert!(
            main.contains(&builds),
            "functions/{name}/src/main.rs must build {builds}"
        );
        assert!(
            main.contains(&runs),
            "functions/{name}/src/main.rs must run {runs}…)"
        );
        let route = format!("`{} {}", endpoint.method(), endpoint.paths()[0]);
        assert!(
            main.contains(&route),
            "functions/{name}/src/main.rs names {route}`"
        );
        functions.insert(name);
    }
    let listed: BTreeSet<String> = Endpoint::ALL
        .iter()
        .map(|e| e.function().to_owned())
        .collect();
    assert_eq!(functions, listed, "one function per endpoint");
}

pub(crate) fn openapi() -> Value {
    let text = std::fs::read_to_string(Path::new(ROOT).join("docs/openapi.yaml")).unwrap();
    let yaml: serde_norway::Value = serde_norway::from_str(&text).unwrap();
    serde_json::to_value(yaml).unwrap()
}

#[test]
fn openapi_describes_exactly_the_listed_routes() {
    let from_list: BTreeSet<(String, String)> =
        listed().into_iter().map(|(m, p, _)| (m, p)).collect();
    let doc = openapi();
    let mut from_openapi = BTreeSet::new();
    for (path, operations) in doc["paths"].as_object().unwrap() {
        for method in operations.as_object().unwrap().keys() {
            from_openapi.insert((method.to_uppercase(), path.clone()));
        }
    }
    assert_eq!(from_openapi, from_list);
}

#[test]
fn every_operation_documents_its_errors() {
    let doc = openapi();
    for (path, operations) in doc["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            let responses = operation["responses"].as_object().unwrap();
            for status in ["401", "403", "500"] {
                assert!(
                    responses.contains_key(status),
                    "{method} {path} lacks {status}"
                );
            }
            assert!(
                responses.keys().any(|s| s == "200" || s == "201"),
                "{method} {path} lacks its success"
            );
        }
    }
}

/// The spec's example bodies, verbatim apart from what the API forgives (BOM, trailing commas),
/// and every example in the document, fit the request schemas.
#[test]
fn the_spec_examples_fit_the_request_schemas() {
    let doc = openapi();
    let cases = [
        ("/api/directory/importservices", "spec/services.json"),
        ("/api/directory/importaccounts", "spec/accounts.json"),
        ("/api/directory/importcounters", "spec/counters.json"),
        ("/api/counter/import", "spec/readings.json"),
        ("/api/balance/import", "spec/balances.json"),
        ("/api/transaction/import", "spec/transactions.json"),
        (
            "/api/directory/importservices",
            "prerequisites/services.json",
        ),
        (
            "/api/directory/importaccounts",
            "prerequisites/accounts.json",
        ),
        (
            "/api/directory/importcounters",
            "prerequisites/counters.json",
        ),
    ];
    for (path, fixture) in cases {
        let body = std::fs::read_to_string(Path::new(ROOT).join("fixtures").join(fixture)).unwrap();
        let body: Value = serde_json::from_str(&domain::json::normalise(&body)).unwrap();
        assert_valid(&doc, path, &body, fixture);
    }
    for (path, operations) in doc["paths"].as_object().unwrap() {
        if let Some(example) =
            operations["post"]["requestBody"]["content"]["application/json"].get("example")
        {
            assert_valid(&doc, path, example, "the document's example");
        }
    }
}

fn assert_valid(doc: &Value, path: &str, body: &Value, what: &str) {
    let schema_ref =
        &doc["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"];
    // The schema is the whole document with a root reference, so that $refs resolve in it.
    let mut schema = doc.clone();
    schema["$ref"] = schema_ref.clone();
    schema["$schema"] = Value::from("https://json-schema.org/draft/2020-12/schema");
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(body)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what} for {path}: {errors:?}");
    // And a body missing its collection does not fit.
    assert!(
        !validator.is_valid(&serde_json::json!({})),
        "{path} requires its collection"
    );
}
