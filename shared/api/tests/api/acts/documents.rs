//! Acts that 1C numbers: an act may carry its document's `id`; a number stored with another
//! document is refused whole, and an act 1C deletes leaves every list, filter and total until
//! it is sent again. The totals and filters are checked against a model over generated
//! sequences of imports.

use fastrand::Rng;
use serde_json::{Value, json};

use crate::helpers::{TestApp, env_setting, spec_info_act};

const DOCUMENT_A: &str = "6f1c7a52-1b0e-11e9-80d4-0050569c3f5e";
const DOCUMENT_B: &str = "0b9d35a4-1b0f-11e9-80d4-0050569c3f5e";

fn act(number: u64, document: Option<&str>) -> Value {
    let mut act = spec_info_act();
    act["act_number"] = json!(number);
    if let Some(document) = document {
        act["id"] = json!(document);
    }
    act
}

#[tokio::test]
async fn a_number_taken_by_another_document_refuses_the_whole_request() {
    let app = TestApp::new("actreused").await;
    assert_eq!(app.post_acts(&[act(5, Some(DOCUMENT_A))]).await.0, 201);
    let (status, answer) = app
        .post_acts(&[act(6, None), act(5, Some(DOCUMENT_B))])
        .await;
    assert_eq!(status, 409, "{answer}");
    assert_eq!(answer["error"]["code"], "act_number_reused");
    assert_eq!(
        answer["error"]["details"],
        json!([{"index": 1, "field": "act_number",
                "message": answer["error"]["details"][0]["message"]}])
    );
    assert_eq!(app.get_act_info("6").await.0, 404, "nothing was written");
    // Positive controls: the same document replaces, and so does an act without an id.
    assert_eq!(app.post_acts(&[act(5, Some(DOCUMENT_A))]).await.0, 201);
    assert_eq!(app.post_acts(&[act(6, None), act(5, None)]).await.0, 201);
    assert_eq!(app.get_act_info("6").await.0, 200);
}

#[tokio::test]
async fn a_deleted_act_leaves_lists_filters_and_totals_and_comes_back() {
    let app = TestApp::new("actdeleted").await;
    let mut other = act(6, None);
    other["payer"] = json!({"id": 9, "name": "ООО «Другой»"});
    assert_eq!(
        app.post_acts(&[act(5, Some(DOCUMENT_A)), other]).await.0,
        201
    );
    assert_eq!(
        app.get_acts(&[], &[]).await.1["data"]["total"],
        2,
        "positive control"
    );

    let mut deleted = act(5, Some(DOCUMENT_A));
    deleted["deleted"] = json!(true);
    assert_eq!(app.post_acts(&[deleted.clone(), deleted]).await.0, 201);
    let (_, list) = app.get_acts(&[], &[]).await;
    assert_eq!(list["data"]["total"], 1, "{list}");
    assert_eq!(list["data"]["items"][0]["act_number"], 6);
    assert_eq!(
        app.get_payers().await,
        json!({"data": [{"id": 9, "name": "ООО «Другой»"}]})
    );
    assert_eq!(app.get_act_info("5").await.0, 404);
    assert_eq!(app.get_act_print("5").await.status(), 404);
    // Another document may take a deleted act's number.
    assert_eq!(app.post_acts(&[act(5, Some(DOCUMENT_B))]).await.0, 201);
    assert_eq!(app.get_acts(&[], &[]).await.1["data"]["total"], 2);
    assert_eq!(app.get_act_info("5").await.0, 200);
}

/// What the model holds of one act number: its document, status, payer, and whether deleted.
#[derive(Clone, Copy, Debug)]
struct Held {
    document: usize,
    sended: bool,
    payer: u64,
    deleted: bool,
}

/// Generated sequences of imports of a few numbers (new, resent, status and payer changed,
/// deleted, back, another document on a taken or a freed number, several in one request):
/// after each, the totals per status and the payers filter are those of the acts the model
/// holds, and a refused request changed nothing.
#[tokio::test]
async fn totals_and_filters_follow_every_sequence_of_imports_and_deletions() {
    let app = TestApp::new("actmodel").await;
    let first = env_setting("MODEL_SEED", 1);
    for seed in first..first + env_setting("MODEL_CASES", 4) {
        let app = app.fresh_tenant(&format!("acts-{seed}")).await;
        let mut rng = Rng::with_seed(seed);
        let mut held: [Option<Held>; 4] = [None; 4];
        let mut log = Vec::new();
        for _ in 0..25 {
            let mut body = Vec::new();
            let mut next = held;
            let mut refused = false;
            for _ in 0..rng.usize(1..4) {
                let number = rng.usize(0..4);
                let version = Held {
                    document: rng.usize(0..3),
                    sended: rng.bool(),
                    payer: rng.u64(1..4),
                    deleted: rng.u32(0..4) == 0,
                };
                let documents = ["", DOCUMENT_A, DOCUMENT_B];
                let mut sent = act(100 + number as u64, Some(documents[version.document]))
                    .as_object()
                    .cloned()
                    .unwrap();
                if version.document == 0 {
                    sent.remove("id");
                }
                sent.insert(
                    "act_status".into(),
                    json!(if version.sended {
                        "sended"
                    } else {
                        "not_sended"
                    }),
                );
                sent.insert(
                    "payer".into(),
                    json!({"id": version.payer, "name": "Плательщик"}),
                );
                sent.insert("deleted".into(), json!(version.deleted));
                body.push(Value::Object(sent));
                // A version naming another document than the live one: refused, or, deleted,
                // nothing. Otherwise it is what the number holds next.
                let live = next[number].filter(|h| !h.deleted && h.document != 0);
                match live {
                    Some(h) if version.document != 0 && version.document != h.document => {
                        refused |= !version.deleted;
                    }
                    _ => next[number] = Some(version),
                }
            }
            let (status, answer) = app.post_acts(&body).await;
            let sent: Vec<String> = body
                .iter()
                .map(|a| {
                    let id = a.get("id").map_or("-", |id| &id.as_str().unwrap()[..4]);
                    let (number, payer) = (&a["act_number"], &a["payer"]["id"]);
                    format!(
                        "{number} {id} {} payer {payer} deleted {}",
                        a["act_status"], a["deleted"]
                    )
                })
                .collect();
            log.push(format!("{} → {status}", sent.join(", ")));
            let expected = if refused { 409 } else { 201 };
            assert_eq!(
                status,
                expected,
                "seed {seed}: {answer}\n{}",
                log.join("\n")
            );
            if !refused {
                held = next;
            }
            let live: Vec<&Held> = held.iter().flatten().filter(|h| !h.deleted).collect();
            let sended = live.iter().filter(|h| h.sended).count();
            let counts = app.store().act_counts(&app.tenant).await.unwrap();
            let have = (counts.total, counts.sended, counts.not_sended);
            let want = (
                live.len() as u64,
                sended as u64,
                (live.len() - sended) as u64,
            );
            assert_eq!(have, want, "seed {seed}:\n{}", log.join("\n"));
            let mut payers: Vec<u64> = live.iter().map(|h| h.payer).collect();
            payers.sort();
            payers.dedup();
            let listed: Vec<u64> = app.get_payers().await["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["id"].as_u64().unwrap())
                .collect();
            assert_eq!(listed, payers, "seed {seed}:\n{}", log.join("\n"));
            let (_, list) = app.get_acts(&[], &[]).await;
            assert_eq!(list["data"]["total"], live.len(), "seed {seed}");
        }
    }
}

/// Acts are stored as sent under every personal-data setting: their names and signatories are
/// what the printed act shows (docs/operations.md says why). Accounts' personal fields are
/// pseudonymised in the same office, as the positive control.
#[tokio::test]
async fn an_acts_names_and_signatories_print_as_sent_whatever_the_personal_data_setting() {
    let tables = TestApp::new("actpersonal").await;
    let secret = "s".repeat(32);
    let app = tables.with_personal_data(
        domain::PersonalData::from_settings(None, Some(secret.as_bytes())).unwrap(),
    );
    let act = spec_info_act();
    assert_eq!(app.post_acts(std::slice::from_ref(&act)).await.0, 201);
    let (status, info) = app.get_act_info("777").await;
    assert_eq!(status, 200, "{info}");
    for field in [
        "general_manager",
        "customer_general_manager",
        "postal_address",
    ] {
        assert_eq!(info["data"][field], act[field], "{field}");
    }
    let (_, list) = app.get_acts(&[], &[]).await;
    let listed = &list["data"]["items"][0];
    assert_eq!(listed["send_address"], act["send_address"]);
    let account = json!([{"id": "c8c18070-c5a3-11e5-80e0-d8cb8a6e77cb", "name": "1",
                          "full_name": "Смирнова Юлия Валерьевна"}]);
    assert_eq!(app.post_accounts(account).await.0, 201);
    let (_, view) = app
        .get_account("c8c18070-c5a3-11e5-80e0-d8cb8a6e77cb")
        .await;
    assert_ne!(
        view["data"]["full_name"], "Смирнова Юлия Валерьевна",
        "{view}"
    );
}
