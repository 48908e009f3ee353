//! Residents' personal data never reaches a log line, whatever the personal-data setting: every
//! line logged at any level while accounts with known personal values are imported (accepted,
//! rejected, and refused for a bad key) is captured and searched.
//!
//! The imports run in a process of their own (this test binary again, running only
//! [`imports_with_known_personal_data`]) under the functions' own subscriber as the process's
//! global one, as in a Lambda: a subscriber of one test thread among many would miss the events
//! of log sites that another test's thread reached first. A second process is a function as
//! Lambda runs it ([`a_function_under_the_lambda_runtime`]): `main`'s own lines, under the
//! Lambda runtime polling a local Runtime API, with `RUST_LOG=trace` for every target; its
//! events carry the key in `Authorization` and residents' data in the body.

use std::collections::BTreeMap;
use std::process::Command;

use api::Endpoint;
use domain::PersonalData;
use serde_json::json;

use crate::helpers::{TestApp, authorized, post};

const PERSONAL: [&str; 5] = [
    "Смирнова Юлия Валерьевна",
    "+79332211223",
    "user@mail.ru",
    "ул. Молодежная, д. 3, пом. 003",
    "47:14:1203001:814",
];

#[test]
fn no_log_line_carries_personal_data_in_any_mode() {
    let run = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "logs::imports_with_known_personal_data",
            "--ignored",
        ])
        .args(["--nocapture", "--test-threads", "1"])
        .env("LOGS_TEST_CHILD", "1")
        .output()
        .unwrap();
    let logs = String::from_utf8_lossy(&run.stdout).into_owned();
    assert!(
        run.status.success(),
        "{logs}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(
        logs.contains("\"imported\"") && logs.contains("request rejected"),
        "captured: {logs}"
    );
    assert!(
        logs.lines().count() > 10,
        "the SDK's own trace lines were captured too"
    );
    for value in PERSONAL.iter().chain(&FIGURES) {
        assert!(!logs.contains(value), "{value} was logged");
    }
    assert!(
        logs.contains("reading submitted") && logs.contains("submissions acknowledged"),
        "the submission's lines were captured: {logs}"
    );
}

/// What [`no_log_line_carries_personal_data_in_any_mode`] runs in a process of its own, every
/// line at trace level to standard output.
#[tokio::test]
#[ignore = "run by no_log_line_carries_personal_data_in_any_mode, in a process of its own"]
async fn imports_with_known_personal_data() {
    assert!(
        std::env::var_os("LOGS_TEST_CHILD").is_some(),
        "run by no_log_line_carries_personal_data_in_any_mode"
    );
    let subscriber = api::log_subscriber(
        std::io::stdout, // The SDK asked for at its most specific: still capped.
        tracing_subscriber::EnvFilter::new("trace,aws_smithy_runtime::client::orchestrator=trace"),
    );
    tracing::subscriber::set_global_default(subscriber).unwrap();

    let tables = TestApp::new("logs").await;
    let account = account();
    // Personal values in fields that reject them, so that error paths run too.
    let invalid = json!({"id": PERSONAL[0], "name": {"x": PERSONAL[1]}, "square": PERSONAL[2],
        "ownership": PERSONAL[3]});
    let bodies = [
        json!({"accounts": [account]}).to_string(),
        json!({"accounts": [account, invalid]}).to_string(),
        format!("{{\"accounts\": [{{\"full_name\": \"{}\"", PERSONAL[0]),
    ];
    let modes = [
        PersonalData::Store,
        PersonalData::from_settings(None, Some("k".repeat(32).as_bytes())).unwrap(),
        PersonalData::Drop,
    ];
    let mut statuses = Vec::new();
    for mode in modes {
        let app = tables.with_personal_data(mode);
        for body in &bodies {
            let request = authorized(post(body.clone()), &app.key);
            statuses.push(app.send(Endpoint::ImportAccounts, request).await.0);
            let unauthenticated = post(body.clone());
            statuses.push(app.send(Endpoint::ImportAccounts, unauthenticated).await.0);
        }
    }
    assert_eq!(statuses, [201, 401, 400, 401, 400, 401].repeat(3));

    // A resident's figures and the office's reasons are theirs too: submitted, refused,
    // pulled and rejected with a reason that names the resident.
    let app = &tables;
    for (endpoint, body) in [
        (
            Endpoint::ImportCounters,
            json!({"counters": [{"id": METER,
            "account": "c8c18070-c5a3-11e5-80e0-d8cb8a6e77cb"}]}),
        ),
        (
            Endpoint::ImportReadings,
            json!({"counters": [{"counter": METER,
            "date": "2018-12-05T00:00:00", "current_data1": FIGURES[0]}]}),
        ),
    ] {
        let request = authorized(post(body.to_string()), &app.key);
        assert_eq!(app.send(endpoint, request).await.0, 201);
    }
    let submitted = app
        .post_submission(
            METER,
            json!({"current_data1": FIGURES[1], "source": "call"}),
        )
        .await;
    assert_eq!(submitted.0, 201, "{submitted:?}");
    let refused = app
        .post_submission(METER, json!({"current_data1": FIGURES[2]}))
        .await;
    assert_eq!(refused.0, 422, "{refused:?}");
    let (_, export) = app.get_export(&[]).await;
    let id = export["data"]["counters"][0]["id"].clone();
    let reason = format!("{} сообщила другое показание", PERSONAL[0]);
    let ack = json!({"readings": [{"id": id, "status": "rejected", "reason": reason}]});
    assert_eq!(app.post_ack(ack).await.0, 200);
}

const METER: &str = "a7a747b2-24d8-11e7-ae76-0050569f0c67";

/// A resident's figures: an imported reading, a submission above it, and one below.
const FIGURES: [&str; 3] = ["73519.284", "73642.917", "71234.567"];

/// Every line a function writes under the Lambda runtime at `RUST_LOG=trace`, the runtime's own
/// and its HTTP client's included, while it takes an import of accounts with personal data (with
/// the key, and with a made-up key): none carries the key, the body or a personal value.
#[tokio::test]
async fn no_log_line_carries_a_key_or_personal_data_through_the_lambda_runtime_at_trace() {
    let app = TestApp::new("runtimelogs").await;
    let mut env: BTreeMap<String, String> = store::Table::ALL
        .iter()
        .map(|t| {
            (
                t.env_var().to_owned(),
                app.store().tables().name(*t).to_owned(),
            )
        })
        .collect();
    let endpoint = std::env::var("AWS_ENDPOINT_URL_DYNAMODB")
        .unwrap_or_else(|_| "http://127.0.0.1:8000".to_owned());
    for (name, value) in [
        ("AWS_ENDPOINT_URL_DYNAMODB", endpoint.as_str()),
        ("AWS_REGION", "eu-central-1"),
        ("AWS_ACCESS_KEY_ID", "local"),
        ("AWS_SECRET_ACCESS_KEY", "local"),
        ("PERSONAL_DATA", "pseudonymise"),
        ("PERSONAL_DATA_KEY", "logs-logs-logs-logs-logs-logs-logs"),
        ("RUST_LOG", "trace"),
        ("LOGS_TEST_RUNTIME", "1"),
    ] {
        env.insert(name.to_owned(), value.to_owned());
    }
    let exe = std::env::current_exe().unwrap();
    let args = [
        "--exact",
        "logs::a_function_under_the_lambda_runtime",
        "--ignored",
        "--nocapture",
    ];
    let mut function = runtime_api::Function::spawn_logged(&exe, &args, &env).await;
    function.init().await;
    let path = "/api/directory/importaccounts";
    let body = json!({"accounts": [account()]}).to_string();
    let made_up = domain::ApiKey::generate();
    let mut statuses = Vec::new();
    for key in [app.key.reveal(), made_up.reveal()] {
        let event = runtime_api::http_event("POST", path, "", key, &body);
        statuses.push(function.invoke(event).await.status);
    }
    assert_eq!(statuses, [201, 401]);
    let (stdout, stderr) = function.finish().await;
    // Positive controls: the run was at trace, and the function's own lines are there.
    assert!(
        stdout.contains("\"level\":\"TRACE\""),
        "trace lines: {stdout}"
    );
    assert!(stdout.contains("request rejected"), "{stdout}");
    let secrets = [app.key.reveal(), made_up.reveal(), "Bearer"];
    for logs in [&stdout, &stderr] {
        for secret in PERSONAL.iter().chain(&secrets) {
            assert!(!logs.contains(secret), "{secret} was logged:\n{logs}");
        }
    }
}

/// What [`no_log_line_carries_a_key_or_personal_data_through_the_lambda_runtime_at_trace`]
/// runs in a process of its own: the import of accounts exactly as its `main` runs it.
#[tokio::test]
#[ignore = "run by no_log_line_carries_a_key_or_personal_data_through_the_lambda_runtime_at_trace"]
async fn a_function_under_the_lambda_runtime() {
    assert!(
        std::env::var_os("LOGS_TEST_RUNTIME").is_some(),
        "run by the runtime logs test"
    );
    api::init_tracing();
    let app = api::App::from_env(Endpoint::ImportAccounts).await.unwrap();
    lambda_http::run(lambda_http::service_fn(|request| {
        Endpoint::ImportAccounts.handle(&app, request)
    }))
    .await
    .unwrap();
}

/// An account with every personal field.
fn account() -> serde_json::Value {
    json!({"id": "c8c18070-c5a3-11e5-80e0-d8cb8a6e77cb", "name": "М30400НЖ003",
        "full_name": PERSONAL[0], "phone": PERSONAL[1], "email": PERSONAL[2], "address": PERSONAL[3],
        "cadastral": PERSONAL[4]})
}
