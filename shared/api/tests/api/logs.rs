//! Residents' personal data never reaches a log line, whatever the personal-data setting: every
//! line logged at any level while accounts with known personal values are imported (accepted,
//! rejected, and refused for a bad key) is captured and searched.

use std::io::Write;
use std::sync::{Arc, Mutex};

use api::Endpoint;
use domain::PersonalData;
use serde_json::json;

use crate::helpers::{TestApp, authorized, post};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

const PERSONAL: [&str; 5] = [
    "Смирнова Юлия Валерьевна",
    "+79332211223",
    "user@mail.ru",
    "ул. Молодежная, д. 3, пом. 003",
    "47:14:1203001:814",
];

#[tokio::test]
async fn no_log_line_carries_personal_data_in_any_mode() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = api::log_subscriber(
        move || writer.clone(),
        tracing_subscriber::EnvFilter::new("trace"),
    );
    let _guard = tracing::subscriber::set_default(subscriber);

    let tables = TestApp::new("logs").await;
    let account = json!({"id": "c8c18070-c5a3-11e5-80e0-d8cb8a6e77cb", "name": "М30400НЖ003",
        "full_name": PERSONAL[0], "phone": PERSONAL[1], "email": PERSONAL[2], "address": PERSONAL[3],
        "cadastral": PERSONAL[4]});
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
        PersonalData::from_settings(None, Some(&"k".repeat(32))).unwrap(),
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

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("\"imported\"") && logs.contains("request rejected"),
        "captured: {logs}"
    );
    assert!(
        logs.lines().count() > 10,
        "the SDK's own trace lines were captured too"
    );
    for value in PERSONAL {
        assert!(!logs.contains(value), "{value} was logged");
    }
}
