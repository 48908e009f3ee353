//! Residents' readings back to 1C, through the handlers on DynamoDB Local: submission and its
//! rules, the office's window and time zone on a hand-set clock, idempotent re-sends, 1C's
//! pull and acknowledgement, and what the resident sees of it.

use std::collections::BTreeSet;
use std::sync::atomic::Ordering;

use chrono::{DateTime, Utc};
use domain::Scope;
use serde_json::{Value, json};

use crate::helpers::{TestApp, fixture};

mod export;
mod flood;

const ACCOUNT: &str = "358d67ad-d66e-11e3-bd79-94de80e97e9a";
const METER: &str = "a7a747b2-24d8-11e7-ae76-0050569f0c67";

fn utc(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

/// An office with the prerequisites' account and meter, and monthly readings of one tariff,
/// ten a month, the newest 220 on 2026-10-25; the clock at 2026-11-22 12:00 UTC.
async fn office(test: &str) -> TestApp {
    let app = TestApp::new(test).await;
    app.post_ok(
        api::Endpoint::ImportServices,
        fixture("prerequisites/services.json"),
    )
    .await;
    app.post_ok(
        api::Endpoint::ImportAccounts,
        fixture("prerequisites/accounts.json"),
    )
    .await;
    app.post_ok(
        api::Endpoint::ImportCounters,
        fixture("prerequisites/counters.json"),
    )
    .await;
    let readings: Vec<Value> = (0..13)
        .map(|m| {
            let (year, month) = (2025 + (m + 9) / 12, (m + 9) % 12 + 1);
            json!({"counter": METER, "date": format!("{year}-{month:02}-25T00:00:00"),
                   "current_data1": 100 + 10 * m})
        })
        .collect();
    let (status, answer) = app.post_readings(json!(readings), &[]).await;
    assert_eq!(status, 201, "{answer}");
    app.clock().set(utc("2026-11-22T12:00:00Z"));
    app
}

/// `n` more meters of the office's account, without readings: one pending submission each.
async fn more_meters(app: &TestApp, n: usize) -> Vec<String> {
    let ids: Vec<String> = (0..n).map(|_| domain::Guid::random().to_string()).collect();
    let meters: Vec<Value> = ids
        .iter()
        .map(|id| json!({"id": id, "account": ACCOUNT}))
        .collect();
    let (status, answer) = app.post_counters(json!(meters)).await;
    assert_eq!(status, 201, "{answer}");
    ids
}

fn code(answer: &Value) -> &str {
    answer["error"]["code"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn a_submission_is_pending_dated_in_the_offices_time_and_sent_again_safely() {
    let app = office("submit").await;
    let id = "8a1f3c52-7b2e-4d10-9c55-0e6b9f7d2a11";
    let body = json!({"id": id, "current_data1": "230,5", "source": "call"});
    let (status, first) = app.post_submission(METER, body.clone()).await;
    assert_eq!(status, 201, "{first}");
    let data = &first["data"];
    assert_eq!(data["id"], id);
    assert_eq!(data["counter"], METER);
    assert_eq!(data["account"], ACCOUNT);
    // 12:00 UTC is 15:00 in Moscow, the default time zone.
    assert_eq!(data["date"], "2026-11-22T15:00:00");
    assert_eq!(data["current_data1"], json!(230.5));
    assert_eq!(data["source"], "call");
    assert_eq!(data["status"], "pending");
    assert_eq!(data["suspicious"], false);
    assert_eq!(data["submitted_at"], "2026-11-22T12:00:00Z");

    // The same id and figures again, later: the stored submission, not a second one.
    app.clock().set(utc("2026-11-22T13:00:00Z"));
    let (status, again) = app
        .post_submission(METER, json!({"id": id, "current_data1": 230.50}))
        .await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["data"], first["data"]);
    // Other figures under the same id: 409, and nothing changes.
    let (status, conflict) = app
        .post_submission(METER, json!({"id": id, "current_data1": 231}))
        .await;
    assert_eq!((status, code(&conflict)), (409, "conflict"), "{conflict}");
    let (_, listed) = app.get_submissions(METER, &[]).await;
    assert_eq!(listed["data"]["items"], json!([first["data"]]));

    // Without an id the API makes one; the source defaults to the app's.
    let (status, made) = app
        .post_submission(METER, json!({"current_data1": 231}))
        .await;
    assert_eq!(status, 201, "{made}");
    assert_ne!(made["data"]["id"], id);
    assert_eq!(made["data"]["source"], "app");

    // The readings history 1C imported is untouched.
    let (_, history) = app.get_readings(METER, &[("limit", "1")]).await;
    assert_eq!(history["data"]["items"][0]["current_data1"], json!(220));
}

#[tokio::test]
async fn the_window_is_judged_in_the_offices_time_zone_on_the_injected_clock() {
    let app = office("window").await;
    let window = json!({"time_zone": "Europe/Moscow",
                        "readings_window": {"from_day": 20, "to_day": 25}});
    let (status, set) = app.put_settings(window.clone()).await;
    assert_eq!(status, 200, "{set}");
    assert_eq!(set["data"], window);
    assert_eq!(app.get_settings().await.1["data"], window);

    // 23:30 in Moscow on the 25th: accepted.
    app.clock().set(utc("2026-11-25T20:30:00Z"));
    let (status, accepted) = app
        .post_submission(METER, json!({"current_data1": 225}))
        .await;
    assert_eq!(status, 201, "{accepted}");
    assert_eq!(accepted["data"]["date"], "2026-11-25T23:30:00");
    // 00:30 in Moscow on the 26th, still the 25th on the server's UTC clock: refused, and
    // the message names the window.
    app.clock().set(utc("2026-11-25T21:30:00Z"));
    let (status, refused) = app
        .post_submission(METER, json!({"current_data1": 226}))
        .await;
    assert_eq!(
        (status, code(&refused)),
        (422, "outside_window"),
        "{refused}"
    );
    let message = refused["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("с 20 по 25") && message.contains("Europe/Moscow"),
        "{message}"
    );
    assert_eq!(refused["error"]["details"][0]["field"], "date");
    // The same instant in Kaliningrad is 23:30 on the 25th.
    let kaliningrad = json!({"time_zone": "Europe/Kaliningrad",
                             "readings_window": {"from_day": 20, "to_day": 25}});
    assert_eq!(app.put_settings(kaliningrad).await.0, 200);
    let (status, there) = app
        .post_submission(METER, json!({"current_data1": 226}))
        .await;
    assert_eq!(status, 201, "{there}");
    assert_eq!(there["data"]["date"], "2026-11-25T23:30:00");

    // A window over the month's end, and null opens it.
    let wrapping = json!({"time_zone": "Europe/Moscow",
                          "readings_window": {"from_day": 25, "to_day": 5}});
    assert_eq!(app.put_settings(wrapping).await.0, 200);
    app.clock().set(utc("2026-12-03T09:00:00Z"));
    assert_eq!(
        app.post_submission(METER, json!({"current_data1": 227}))
            .await
            .0,
        201
    );
    app.clock().set(utc("2026-12-10T09:00:00Z"));
    let (status, shut) = app
        .post_submission(METER, json!({"current_data1": 228}))
        .await;
    assert_eq!((status, code(&shut)), (422, "outside_window"), "{shut}");
    assert!(
        shut["error"]["message"]
            .as_str()
            .unwrap()
            .contains("с 25 по 5")
    );
    let open = json!({"time_zone": "Europe/Moscow", "readings_window": null});
    assert_eq!(app.put_settings(open).await.0, 200);
    assert_eq!(
        app.post_submission(METER, json!({"current_data1": 228}))
            .await
            .0,
        201
    );
}

#[tokio::test]
async fn settings_refuse_what_cannot_be_and_default_to_moscow() {
    let app = office("settings").await;
    let (status, defaults) = app.get_settings().await;
    assert_eq!(status, 200);
    assert_eq!(
        defaults["data"],
        json!({"time_zone": "Europe/Moscow", "readings_window": null})
    );
    for bad in [
        json!({"time_zone": "Europe/Atlantis"}),
        json!({"time_zone": "europe/moscow"}),
        json!({"readings_window": {"from_day": 0, "to_day": 5}}),
        json!({"readings_window": {"from_day": 20, "to_day": 32}}),
        json!({"readings_window": {"from_day": "20", "to_day": 25}}),
        json!({"readings_window": {"from_day": 20}}),
        json!([]),
    ] {
        let (status, answer) = app.put_settings(bad.clone()).await;
        assert_eq!((status, code(&answer)), (400, "invalid_parameter"), "{bad}");
    }
    assert_eq!(app.get_settings().await.1, defaults, "nothing was stored");
}

#[tokio::test]
async fn each_rule_refuses_with_its_code_and_field() {
    let app = office("rules").await;
    let cases = [
        (
            json!({"current_data1": 219}),
            "reading_decreases",
            "current_data1",
        ),
        (
            json!({"current_data1": 221, "current_data2": 5}),
            "tariffs_mismatch",
            "current_data2",
        ),
    ];
    for (body, expected, field) in cases {
        let (status, answer) = app.post_submission(METER, body).await;
        assert_eq!((status, code(&answer)), (422, expected), "{answer}");
        assert_eq!(answer["error"]["details"][0]["field"], field);
    }
    // A pending submission is replaced by the next (a typo corrected: 240, then 230); one 1C
    // applied counts as the latest known value.
    assert_eq!(
        app.post_submission(METER, json!({"current_data1": 240}))
            .await
            .0,
        201
    );
    let (status, corrected) = app
        .post_submission(METER, json!({"current_data1": 230}))
        .await;
    assert_eq!(status, 201, "{corrected}");
    let applied = json!({"readings": [{"id": corrected["data"]["id"], "status": "applied"}]});
    assert_eq!(app.post_ack(applied).await.1["data"]["acknowledged"], 1);
    let (status, below) = app
        .post_submission(METER, json!({"current_data1": 229}))
        .await;
    assert_eq!((status, code(&below)), (422, "reading_decreases"));
    // Bad figures are 400 and name the field.
    for (body, field) in [
        (json!({"current_data1": -1}), "current_data1"),
        (json!({"current_data1": "-5"}), "current_data1"),
        (json!({"current_data1": 1e12}), "current_data1"),
        (
            json!({"current_data1": "1 000 000 000 000"}),
            "current_data1",
        ),
        (json!({"current_data2": 1}), "current_data1"),
        (json!({"current_data1": 241, "source": "звонок"}), "source"),
    ] {
        let (status, answer) = app.post_submission(METER, body.clone()).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert_eq!(answer["error"]["details"][0]["field"], field, "{body}");
    }
    // Far above the usual ten a month: accepted, flagged for the office.
    let (status, far) = app
        .post_submission(METER, json!({"current_data1": 400}))
        .await;
    assert_eq!(status, 201, "{far}");
    assert_eq!(far["data"]["suspicious"], true);

    // A meter removed in 1C takes nothing; one deleted in 1C is unknown.
    let removed = json!({"counters": [{"id": METER, "account": ACCOUNT,
                                       "date_removal": "2026-11-01T00:00:00"}]});
    app.post_ok(api::Endpoint::ImportCounters, removed.to_string())
        .await;
    let (status, answer) = app
        .post_submission(METER, json!({"current_data1": 500}))
        .await;
    assert_eq!(
        (status, code(&answer)),
        (422, "counter_removed"),
        "{answer}"
    );
    let deleted = json!({"counters": [{"id": METER, "deleted": true}]});
    app.post_ok(api::Endpoint::ImportCounters, deleted.to_string())
        .await;
    let (status, answer) = app
        .post_submission(METER, json!({"current_data1": 500}))
        .await;
    assert_eq!((status, code(&answer)), (404, "not_found"), "{answer}");
}

/// A resident's key lives on a phone and may be extracted: whatever `source` it sends, its
/// submissions are the app's. A key of the whole office (a call centre) names its own.
#[tokio::test]
async fn a_residents_key_always_submits_as_the_app() {
    let app = office("source").await;
    let resident = app
        .key_bound_to("default", &Scope::FOR_ACCOUNT, ACCOUNT)
        .await;
    let resident = app.with_key(&resident);
    let body = json!({"current_data1": 221, "source": "office"});
    let (status, answer) = resident.post_submission(METER, body).await;
    assert_eq!(status, 201, "{answer}");
    assert_eq!(answer["data"]["source"], "app");
    let (_, export) = app.get_export(&[]).await;
    assert_eq!(
        export["data"]["counters"][0]["source"], "app",
        "1C sees it is the app's"
    );
    // Positive control: the office's own key keeps the source it names (its reading, of the
    // same meter and account, replaces the resident's).
    let body = json!({"current_data1": 222, "source": "call"});
    let (status, answer) = app.post_submission(METER, body).await;
    assert_eq!(status, 201, "{answer}");
    assert_eq!(answer["data"]["source"], "call");
    let (_, export) = app.get_export(&[]).await;
    let sources: Vec<&str> = export["data"]["counters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["source"].as_str().unwrap())
        .collect();
    assert_eq!(sources, ["call"]);
}
