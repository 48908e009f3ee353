//! A read that sends several DynamoDB calls for one request keeps a bound on those in flight:
//! the account view of a common-property account with hundreds of meters sends their newest
//! readings' Queries eight at a time, not all at once.

use std::sync::atomic::Ordering;

use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::helpers::interceptors::InFlight;

#[tokio::test]
async fn the_account_view_of_hundreds_of_meters_keeps_eight_calls_in_flight() {
    let app = TestApp::new("fanout").await;
    let account = "c8c18070-c5a3-11e5-80e0-d8cb8a6e77cb";
    let service = "8fff0fca-9d15-11e3-8e0e-60a44c3c8a48";
    assert_eq!(app.post_services(json!([{"id": service}])).await.0, 201);
    let accounts = json!([{"id": account, "name": "ОДИ"}]);
    assert_eq!(app.post_accounts(accounts).await.0, 201);
    let meters: Vec<Value> = (0..300)
        .map(|i| {
            json!({"id": format!("00000000-0000-4000-8000-{i:012}"), "account": account,
                        "service": service})
        })
        .collect();
    assert_eq!(app.post_counters(json!(meters)).await.0, 201);
    let in_flight = InFlight::default();
    let watched = app.intercepted(in_flight.clone());
    let (status, view) = watched.get_account(account).await;
    assert_eq!(status, 200, "{view}");
    let shown = view["data"]["counters"].as_array().unwrap().len();
    let most = in_flight.most.load(Ordering::SeqCst);
    assert!(shown > 8, "the page shows its meters: {shown}");
    // Positive control: they do go side by side.
    assert!((2..=store::IN_FLIGHT).contains(&most), "{most} in flight");
}
