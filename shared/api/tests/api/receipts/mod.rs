//! Receipts payable by QR: payees checked as a bank checks them, receipts as 1C sent them, read
//! back with their codes, printed by Chromium and the codes read back by a real decoder.

mod imports;
mod model;
mod print;
mod reads;

use serde_json::{Value, json};

use crate::helpers::TestApp;

/// The account the receipts fixture bills, and the other one it bills.
const OWN: &str = "358d67ad-d66e-11e3-bd79-94de80e97e9a";
const OTHER: &str = "ad96e8ab-476f-11e7-8518-0050569f0c67";
/// The office (ТСЖ) and the capital-repair fund of `fixtures/receipts/organizations.json`.
const OFFICE: &str = "4c1d2a10-8f3e-11ee-9a51-0050569c4b1e";
const FUND: &str = "4c1d2a11-8f3e-11ee-9a51-0050569c4b1e";
/// Services of the prerequisites.
const UPKEEP: &str = "b712502b-005f-11e4-8679-d43d7e9efaeb";

/// An office with the prerequisites, the payees and November 2018's receipts.
async fn billed(test: &str) -> TestApp {
    let app = TestApp::new(test).await;
    app.import_examples().await;
    app.import_receipts().await;
    app
}

/// The fixture's office payee with some fields replaced.
fn payee(changes: Value) -> Value {
    let mut payee = json!({"id": OFFICE, "name": "ТСЖ «Окунево»", "inn": "7723012346",
        "kpp": "772301001", "bank_account": "40703810303800000123", "bic": "044525225",
        "bank_name": "ПАО Сбербанк", "correspondent_account": "30101810400000000225"});
    for (field, value) in changes.as_object().unwrap() {
        payee[field] = value.clone();
    }
    payee
}

/// The problems of a `400 invalid_items` answer as (index, field).
fn problems(answer: &Value) -> Vec<(u64, String)> {
    assert_eq!(answer["error"]["code"], "invalid_items", "{answer}");
    answer["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let field = d["field"].as_str().unwrap_or_default().to_owned();
            (d["index"].as_u64().unwrap(), field)
        })
        .collect()
}
