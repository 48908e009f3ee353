//! Residents' readings back to 1C, through the handlers on DynamoDB Local: submission and its
//! rules, the office's window and time zone on a hand-set clock, idempotent re-sends, 1C's
//! pull and acknowledgement, and what the resident sees of it.

use std::collections::BTreeSet;
use std::sync::atomic::Ordering;

use chrono::{DateTime, Utc};
use domain::Scope;
use serde_json::{Value, json};

use crate::helpers::{TestApp, fixture};

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
    // A pending submission counts as the latest known value.
    assert_eq!(
        app.post_submission(METER, json!({"current_data1": 240}))
            .await
            .0,
        201
    );
    let (status, below) = app
        .post_submission(METER, json!({"current_data1": 230}))
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

#[tokio::test]
async fn one_c_pulls_acknowledges_and_pulls_again_and_the_resident_sees_the_reason() {
    let app = office("export").await;
    let mut ids = Vec::new();
    for (minute, value) in [(0, 221), (1, 222), (2, 223)] {
        app.clock()
            .set(utc(&format!("2026-11-22T12:0{minute}:00Z")));
        let (status, answer) = app
            .post_submission(METER, json!({"current_data1": value}))
            .await;
        assert_eq!(status, 201, "{answer}");
        ids.push(answer["data"]["id"].as_str().unwrap().to_owned());
    }
    let (status, page) = app.get_export(&[("limit", "2")]).await;
    assert_eq!(status, 200, "{page}");
    let pulled: Vec<&str> = page["data"]["counters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(pulled, [ids[0].as_str(), ids[1].as_str()], "oldest first");
    assert_eq!(page["data"]["more"], true);
    // What 1C pulls is an item of the readings import, taken back unchanged.
    let first = page["data"]["counters"][0].clone();
    assert_eq!(first["counter"], METER);
    assert_eq!(first["account"], ACCOUNT);
    assert_eq!(first["date"], "2026-11-22T15:00:00");
    assert_eq!(first["suspicious"], false);
    let (status, imported) = app.post_readings(json!([first]), &[]).await;
    assert_eq!(status, 201, "{imported}");

    let unknown = "0f3e9b7a-1c2d-4e5f-8a9b-6c7d8e9f0a1b";
    let ack = json!({"readings": [
        {"id": ids[0], "status": "applied"},
        {"id": ids[1], "status": "rejected", "reason": "Показание передано дважды"},
        {"id": unknown, "status": "applied"},
    ]});
    let (status, answer) = app.post_ack(ack.clone()).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer["data"],
        json!({"acknowledged": 2, "unknown": [unknown], "conflicting": []})
    );
    let (_, again) = app.get_export(&[]).await;
    assert_eq!(again["data"]["counters"].as_array().unwrap().len(), 1);
    assert_eq!(again["data"]["counters"][0]["id"], ids[2].as_str());
    assert_eq!(again["data"]["more"], false);
    // Acknowledging again the same way is harmless; another answer does not replace the first.
    let (status, same_again) = app.post_ack(ack).await;
    assert_eq!(status, 200, "{same_again}");
    assert_eq!(same_again["data"]["conflicting"], json!([]));
    assert_eq!(app.get_export(&[]).await.1, again);
    let otherwise = json!({"readings": [{"id": ids[1], "status": "applied"}]});
    let (status, refused) = app.post_ack(otherwise).await;
    assert_eq!(status, 200, "{refused}");
    assert_eq!(
        refused["data"],
        json!({"acknowledged": 0, "unknown": [], "conflicting": [ids[1]]})
    );
    // An unknown status is 400, with the item and field, and nothing is recorded.
    let bad = json!({"readings": [{"id": ids[2], "status": "applied"},
                                  {"id": ids[2], "status": "done"}]});
    let (status, answer) = app.post_ack(bad).await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["error"]["details"][0]["index"], 1);
    assert_eq!(answer["error"]["details"][0]["field"], "status");
    assert_eq!(app.get_export(&[]).await.1, again);

    // An id answered twice in one request counts once, with its last answer.
    let twice = json!({"readings": [{"id": ids[2], "status": "rejected", "reason": "нет"},
                                    {"id": ids[2], "status": "applied"}]});
    let (status, answer) = app.post_ack(twice).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer["data"],
        json!({"acknowledged": 1, "unknown": [], "conflicting": []})
    );
    assert_eq!(app.get_export(&[]).await.1["data"]["counters"], json!([]));

    // The resident's key sees each submission's fate, newest first, the reason included.
    let resident = app
        .key_bound_to("default", &Scope::FOR_ACCOUNT, ACCOUNT)
        .await;
    let resident = app.with_key(&resident);
    let (status, mine) = resident.get_submissions(METER, &[("limit", "2")]).await;
    assert_eq!(status, 200, "{mine}");
    let items = mine["data"]["items"].as_array().unwrap();
    assert_eq!(items[0]["id"], ids[2].as_str());
    assert_eq!(items[0]["status"], "applied");
    assert_eq!(items[0].get("reason"), None);
    assert_eq!(items[1]["status"], "rejected");
    assert_eq!(items[1]["reason"], "Показание передано дважды");
    let next = mine["data"]["next"].as_str().unwrap();
    let (_, rest) = resident
        .get_submissions(METER, &[("limit", "2"), ("next", next)])
        .await;
    assert_eq!(rest["data"]["items"][0]["id"], ids[0].as_str());
    assert_eq!(rest["data"]["items"][0]["status"], "applied");
    assert_eq!(rest["data"]["next"], Value::Null);
    // The resident may not pull or acknowledge.
    assert_eq!(resident.get_export(&[]).await.0, 403);
}

#[tokio::test]
async fn two_submissions_of_one_meter_at_once_are_both_kept_and_one_id_is_kept_once() {
    let app = office("concurrent").await;
    let (a, b) = tokio::join!(
        app.post_submission(METER, json!({"current_data1": 225})),
        app.post_submission(METER, json!({"current_data1": 226})),
    );
    assert_eq!((a.0, b.0), (201, 201), "{a:?} {b:?}");
    let id = "5b0d1c7e-3f2a-4b6c-9d8e-7f6a5b4c3d2e";
    let same = json!({"id": id, "current_data1": 230});
    let (c, d) = tokio::join!(
        app.post_submission(METER, same.clone()),
        app.post_submission(METER, same),
    );
    // One stores it (201), the other answers what it stored (200), however they interleave.
    let statuses: BTreeSet<u16> = [c.0, d.0].into();
    assert_eq!(statuses, BTreeSet::from([200, 201]), "{c:?} {d:?}");
    assert_eq!(c.1["data"], d.1["data"]);
    let (_, listed) = app.get_submissions(METER, &[]).await;
    let ids: Vec<&str> = listed["data"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 3, "{listed}");
    assert_eq!(ids.iter().filter(|&&i| i == id).count(), 1);
    let (_, export) = app.get_export(&[]).await;
    assert_eq!(export["data"]["counters"].as_array().unwrap().len(), 3);
}

/// A submission costs at most five DynamoDB requests, the key's included (docs/api.md).
#[tokio::test]
async fn a_submission_costs_at_most_five_dynamodb_requests() {
    let app = office("cost").await;
    // A fresh app: its key cache is empty, so the key's GetItem is counted.
    let (counted, calls) = app.counting_calls();
    let resident = app
        .key_bound_to("default", &Scope::FOR_ACCOUNT, ACCOUNT)
        .await;
    let resident = counted.with_key(&resident);
    let body = json!({"id": "6c1e2d8f-4a3b-4c7d-8e9f-0a1b2c3d4e5f", "current_data1": 225});
    let (status, _) = resident.post_submission(METER, body.clone()).await;
    assert_eq!(status, 201);
    assert_eq!(calls.swap(0, Ordering::SeqCst), 5);
    // Sent again (the key now cached for a minute): the one read that finds it.
    let (status, _) = resident.post_submission(METER, body).await;
    assert_eq!(status, 200);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

/// An id is one submission: sent for another meter it is `409`, and another office neither
/// sees this one's settings, submissions or export nor acknowledges its submissions.
#[tokio::test]
async fn an_id_belongs_to_one_meter_and_an_office_to_itself() {
    let app = office("oneoffice").await;
    let second = "67d00473-13c2-11e4-9dce-94de80eb2300";
    let meter = json!([{"id": second, "account": ACCOUNT}]);
    assert_eq!(app.post_counters(meter).await.0, 201);
    let id = "7d2e3f4a-5b6c-4d7e-8f9a-0b1c2d3e4f5a";
    let body = json!({"id": id, "current_data1": 225});
    assert_eq!(app.post_submission(METER, body.clone()).await.0, 201);
    let (status, other_meter) = app.post_submission(second, body).await;
    assert_eq!(
        (status, code(&other_meter)),
        (409, "conflict"),
        "{other_meter}"
    );
    let window = json!({"time_zone": "Asia/Vladivostok",
                        "readings_window": {"from_day": 1, "to_day": 2}});
    assert_eq!(app.put_settings(window).await.0, 200);

    let other = app.fresh_tenant("other-office").await;
    let (_, settings) = other.get_settings().await;
    assert_eq!(settings["data"]["time_zone"], "Europe/Moscow");
    let (_, export) = other.get_export(&[]).await;
    assert_eq!(export["data"]["counters"], json!([]));
    let (status, _) = other.get_submissions(METER, &[]).await;
    assert_eq!(status, 404);
    let ack = json!({"readings": [{"id": id, "status": "rejected", "reason": "чужое"}]});
    let (_, answer) = other.post_ack(ack).await;
    assert_eq!(answer["data"]["unknown"], json!([id]));
    let (_, mine) = app.get_submissions(METER, &[]).await;
    assert_eq!(mine["data"]["items"][0]["status"], "pending");
}
