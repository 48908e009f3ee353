//! 1C's pull and acknowledgement, submissions at once, their cost in DynamoDB requests, and ids
//! across meters and offices.

use super::*;

#[tokio::test]
async fn one_c_pulls_acknowledges_and_pulls_again_and_the_resident_sees_the_reason() {
    let app = office("export").await;
    let mut meters = vec![METER.to_owned()];
    meters.extend(more_meters(&app, 2).await);
    let mut ids = Vec::new();
    for (minute, value) in [(0, 221), (1, 222), (2, 223)] {
        app.clock()
            .set(utc(&format!("2026-11-22T12:0{minute}:00Z")));
        let (status, answer) = app
            .post_submission(&meters[minute], json!({"current_data1": value}))
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
    let status_of = |meter: usize| {
        let resident = &resident;
        let meter = meters[meter].clone();
        async move {
            let (status, mine) = resident.get_submissions(&meter, &[]).await;
            assert_eq!(status, 200, "{mine}");
            assert_eq!(mine["data"]["items"].as_array().unwrap().len(), 1, "{mine}");
            mine["data"]["items"][0].clone()
        }
    };
    let third = status_of(2).await;
    assert_eq!(third["id"], ids[2].as_str());
    assert_eq!(third["status"], "applied");
    assert_eq!(third.get("reason"), None);
    let second = status_of(1).await;
    assert_eq!(second["status"], "rejected");
    assert_eq!(second["reason"], "Показание передано дважды");
    assert_eq!(status_of(0).await["status"], "applied");
    // The resident may not pull or acknowledge.
    assert_eq!(resident.get_export(&[]).await.0, 403);
}

/// The ids the export serves now, in its order.
async fn pulled(app: &TestApp) -> Vec<String> {
    let (status, page) = app.get_export(&[]).await;
    assert_eq!(status, 200, "{page}");
    page["data"]["counters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_postponed_reading_leaves_the_export_for_its_hours_and_its_final_answer_is_taken_once() {
    let app = office("postponed").await;
    let meters = [METER.to_owned(), more_meters(&app, 1).await.remove(0)];
    let mut ids = Vec::new();
    for (minute, value) in [(0, 221), (1, 222)] {
        app.clock()
            .set(utc(&format!("2026-11-22T12:0{minute}:00Z")));
        let (_, answer) = app
            .post_submission(&meters[minute], json!({"current_data1": value}))
            .await;
        ids.push(answer["data"]["id"].as_str().unwrap().to_owned());
    }
    app.clock().set(utc("2026-11-22T13:00:00Z"));
    let postpone = json!({"readings": [{"id": ids[0], "status": "postponed", "hours": 2}]});
    let (status, answer) = app.post_ack(postpone).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer["data"],
        json!({"acknowledged": 1, "unknown": [], "conflicting": []})
    );
    // The pull reaches the other; the resident still sees it pending.
    assert_eq!(pulled(&app).await, [ids[1].clone()]);
    let (_, list) = app.get_submissions(METER, &[]).await;
    assert_eq!(list["data"]["items"][0]["status"], "pending");

    // A second before its hours are over it is still out; then it is back, after the one
    // that was due before it.
    app.clock().set(utc("2026-11-22T14:59:59Z"));
    assert_eq!(pulled(&app).await, [ids[1].clone()]);
    app.clock().set(utc("2026-11-22T15:00:00Z"));
    assert_eq!(pulled(&app).await, [ids[1].clone(), ids[0].clone()]);

    // Its final answer is taken, once: not conflicting, and it leaves for good.
    let applied = json!({"readings": [{"id": ids[0], "status": "applied"}]});
    let (_, answer) = app.post_ack(applied).await;
    assert_eq!(
        answer["data"],
        json!({"acknowledged": 1, "unknown": [], "conflicting": []})
    );
    assert_eq!(pulled(&app).await, [ids[1].clone()]);
    // Postponing it now, or answering otherwise, is conflicting; an unknown id is unknown.
    let unknown = "0f3e9b7a-1c2d-4e5f-8a9b-6c7d8e9f0a1b";
    let late = json!({"readings": [
        {"id": ids[0], "status": "postponed"},
        {"id": unknown, "status": "postponed"},
    ]});
    let (_, answer) = app.post_ack(late).await;
    assert_eq!(
        answer["data"],
        json!({"acknowledged": 0, "unknown": [unknown], "conflicting": [ids[0]]})
    );
    let (_, list) = app.get_submissions(METER, &[]).await;
    assert_eq!(list["data"]["items"][0]["status"], "applied");

    // A postponement by default is a day, and hours out of 1..168 are refused whole.
    let (_, answer) = app
        .post_ack(json!({"readings": [{"id": ids[1], "status": "postponed"}]}))
        .await;
    assert_eq!(answer["data"]["acknowledged"], 1);
    app.clock().set(utc("2026-11-23T14:59:59Z"));
    assert!(pulled(&app).await.is_empty());
    app.clock().set(utc("2026-11-23T15:00:00Z"));
    assert_eq!(pulled(&app).await, [ids[1].clone()]);
    for hours in [json!(0), json!(169), json!(1.5)] {
        let bad = json!({"readings": [{"id": ids[1], "status": "postponed", "hours": hours}]});
        let (status, answer) = app.post_ack(bad).await;
        assert_eq!(status, 400, "{hours}: {answer}");
        assert_eq!(answer["error"]["details"][0]["field"], "hours");
    }
    assert_eq!(pulled(&app).await, [ids[1].clone()], "nothing was recorded");
}

/// Submissions of one meter at once: each is kept, one stays pending (the other replaced,
/// whichever came first), and an id sent twice at once is kept once.
#[tokio::test]
async fn submissions_of_one_meter_at_once_leave_one_pending_and_one_id_is_kept_once() {
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
    let (_, listed) = app.get_submissions(METER, &[]).await;
    let items = listed["data"]["items"].as_array().unwrap();
    assert_eq!(items.len(), 3, "{listed}");
    assert_eq!(items.iter().filter(|s| s["id"] == id).count(), 1);
    let pending: Vec<&Value> = items.iter().filter(|s| s["status"] == "pending").collect();
    assert_eq!(pending.len(), 1, "{listed}");
    assert_eq!(pending[0]["id"], id, "the newest waits");
    let (_, export) = app.get_export(&[]).await;
    assert_eq!(export["data"]["counters"].as_array().unwrap().len(), 1);
}

/// A submission costs at most six DynamoDB requests, the key's included (docs/api.md).
#[tokio::test]
async fn a_submission_costs_at_most_six_dynamodb_requests() {
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
    assert_eq!(calls.swap(0, Ordering::SeqCst), 6);
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
