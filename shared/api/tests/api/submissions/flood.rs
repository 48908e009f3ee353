//! One resident cannot flood 1C: a meter and account have one pending submission (the newest),
//! a resident's key stores at most thirty an hour, its ids are its account's own, and its pages
//! never reach another account's submissions.

use api::Endpoint;
use domain::submissions::SUBMISSIONS_PER_HOUR;

use super::*;
use crate::helpers::call;

const NEIGHBOUR: &str = "ad96e8ab-476f-11e7-8518-0050569f0c67";
const NEIGHBOURS_METER: &str = "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f";

/// The office of [`office`], with a resident's key of [`ACCOUNT`].
async fn with_resident(test: &str) -> (TestApp, TestApp) {
    let app = office(test).await;
    let key = app
        .key_bound_to("default", &Scope::FOR_ACCOUNT, ACCOUNT)
        .await;
    let resident = app.with_key(&key);
    (app, resident)
}

fn ids_of(page: &Value, list: &str) -> Vec<String> {
    page["data"][list]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_newest_pending_reading_replaces_the_one_before_and_1c_may_still_answer_that() {
    let (app, resident) = with_resident("replace").await;
    let (_, typo) = resident
        .post_submission(METER, json!({"current_data1": 2210}))
        .await;
    let pulled_before = ids_of(&app.get_export(&[]).await.1, "counters");
    assert_eq!(pulled_before.len(), 1);
    // A minute later the resident corrects the typo: lower than the pending one, and taken.
    app.clock().set(utc("2026-11-22T12:01:00Z"));
    let (status, fixed) = resident
        .post_submission(METER, json!({"current_data1": 221}))
        .await;
    assert_eq!(status, 201, "{fixed}");
    let (_, mine) = resident.get_submissions(METER, &[]).await;
    let statuses: Vec<(&Value, &Value)> = mine["data"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (&s["id"], &s["status"]))
        .collect();
    assert_eq!(
        statuses,
        [
            (&fixed["data"]["id"], &json!("pending")),
            (&typo["data"]["id"], &json!("replaced"))
        ]
    );
    let pulled = ids_of(&app.get_export(&[]).await.1, "counters");
    assert_eq!(pulled.len(), 1, "1C gets the newest only");
    assert_ne!(pulled, pulled_before);
    // 1C pulled the typo before it was replaced, and answers it: taken, not conflicting.
    let ack = json!({"readings": [{"id": pulled_before[0], "status": "rejected",
                                   "reason": "исправлено жителем"}]});
    let (_, answer) = app.post_ack(ack).await;
    assert_eq!(
        answer["data"],
        json!({"acknowledged": 1, "unknown": [], "conflicting": []})
    );
    assert_eq!(ids_of(&app.get_export(&[]).await.1, "counters"), pulled);
    // Positive control: another meter's pending reading is not replaced.
    let other = more_meters(&app, 1).await.remove(0);
    assert_eq!(
        resident
            .post_submission(&other, json!({"current_data1": 5}))
            .await
            .0,
        201
    );
    assert_eq!(ids_of(&app.get_export(&[]).await.1, "counters").len(), 2);
}

#[tokio::test]
async fn a_residents_key_stores_thirty_readings_an_hour_then_waits() {
    let (app, resident) = with_resident("flood").await;
    for i in 0..SUBMISSIONS_PER_HOUR {
        app.clock()
            .set(utc("2026-11-22T12:00:00Z") + chrono::Duration::seconds(i as i64));
        let (status, answer) = resident
            .post_submission(METER, json!({"current_data1": 221}))
            .await;
        assert_eq!(status, 201, "{i}: {answer}");
    }
    let request = call(Endpoint::CounterSubmit)
        .key(&resident.key)
        .at(&[METER])
        .json(&json!({"current_data1": 221}));
    let response = resident.respond(request).await;
    assert_eq!(response.status(), 429);
    // The first of the thirty leaves the hour at 13:00:00; it is 12:00:29.
    let retry = response.headers()["retry-after"].to_str().unwrap();
    assert_eq!(retry, "3571");
    let (_, answer) = crate::helpers::status_and_json(response);
    assert_eq!(code(&answer), "too_many_requests");
    // 1C's export holds one reading of the meter, not thirty.
    assert_eq!(ids_of(&app.get_export(&[]).await.1, "counters").len(), 1);
    // Positive controls: the office's own key is not limited, and an hour later the resident
    // submits again.
    let (status, _) = app
        .post_submission(METER, json!({"current_data1": 222}))
        .await;
    assert_eq!(status, 201);
    app.clock().set(utc("2026-11-22T13:00:00Z"));
    let (status, answer) = resident
        .post_submission(METER, json!({"current_data1": 223}))
        .await;
    assert_eq!(status, 201, "{answer}");
}

#[tokio::test]
async fn a_residents_ids_are_its_accounts_own_and_1c_tells_every_submission_apart() {
    let app = office("ids").await;
    let meter = json!([{"id": NEIGHBOURS_METER, "account": NEIGHBOUR}]);
    assert_eq!(app.post_counters(meter).await.0, 201);
    let mine = app
        .key_bound_to("default", &Scope::FOR_ACCOUNT, ACCOUNT)
        .await;
    let theirs = app
        .key_bound_to("default", &Scope::FOR_ACCOUNT, NEIGHBOUR)
        .await;
    let id = "1d2c3b4a-5f6e-4d7c-8b9a-0f1e2d3c4b5a";
    let body = json!({"id": id, "current_data1": 221});
    // The neighbour's app takes the id first: it tells this resident nothing, and takes
    // nothing from it.
    let (status, first) = app
        .with_key(&theirs)
        .post_submission(NEIGHBOURS_METER, body.clone())
        .await;
    assert_eq!((status, &first["data"]["id"]), (201, &json!(id)));
    let (status, second) = app.with_key(&mine).post_submission(METER, body).await;
    assert_eq!(
        (status, &second["data"]["id"]),
        (201, &json!(id)),
        "{second}"
    );
    let (_, export) = app.get_export(&[]).await;
    let pulled: BTreeSet<String> = ids_of(&export, "counters").into_iter().collect();
    assert_eq!(pulled.len(), 2, "two submissions, two ids: {export}");
    assert!(!pulled.contains(id), "1C's ids are the office's");
    // 1C answers one by its id: the other stays pending.
    let answered = export["data"]["counters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["counter"] == METER)
        .unwrap()["id"]
        .clone();
    let ack = json!({"readings": [{"id": answered, "status": "applied"}]});
    assert_eq!(app.post_ack(ack).await.1["data"]["acknowledged"], 1);
    let (_, listed) = app.with_key(&mine).get_submissions(METER, &[]).await;
    assert_eq!(listed["data"]["items"][0]["status"], "applied");
    assert_eq!(
        listed["data"]["items"][0]["id"], id,
        "the resident reads its own id"
    );
    // The office's key reads it by the id 1C pulls and answers.
    let (_, listed) = app.get_submissions(METER, &[]).await;
    assert_eq!(listed["data"]["items"][0]["id"], answered);
    let (_, listed) = app
        .with_key(&theirs)
        .get_submissions(NEIGHBOURS_METER, &[])
        .await;
    assert_eq!(listed["data"]["items"][0]["status"], "pending");
}

/// A meter that changed hands: the new occupant's pages hold its own submissions and end
/// there, with no cursor into the earlier occupant's.
#[tokio::test]
async fn a_residents_pages_end_at_its_own_submissions() {
    let app = office("pages").await;
    for value in [221, 222] {
        let (status, _) = app
            .post_submission(METER, json!({"current_data1": value}))
            .await;
        assert_eq!(status, 201);
    }
    let moved = json!([{"id": METER, "account": NEIGHBOUR}]);
    assert_eq!(app.post_counters(moved).await.0, 201);
    let key = app
        .key_bound_to("default", &Scope::FOR_ACCOUNT, NEIGHBOUR)
        .await;
    let newcomer = app.with_key(&key);
    let (status, _) = newcomer
        .post_submission(METER, json!({"current_data1": 223}))
        .await;
    assert_eq!(status, 201);
    let (_, page) = newcomer.get_submissions(METER, &[("limit", "1")]).await;
    assert_eq!(page["data"]["items"].as_array().unwrap().len(), 1);
    assert_eq!(page["data"]["next"], Value::Null, "{page}");
    // Positive control: the office's key pages on through the earlier occupant's.
    let (_, page) = app.get_submissions(METER, &[("limit", "1")]).await;
    assert!(page["data"]["next"].is_string(), "{page}");
}
