//! Transactions with 1C's id are stored once: whatever step a move stopped at, and when 1C sent
//! them without their id first.

use domain::Guid;
use serde_json::json;

use super::{ACCOUNT, DECEMBER, ID_1, ID_2, OTHER_ACCOUNT, fresh_office, office, payment, stored};
use crate::helpers::TestApp;

/// `(account, date, amount)` of every stored copy of the transaction `id`.
async fn copies(app: &TestApp, id: &str) -> Vec<(String, String, i64)> {
    let mut copies = Vec::new();
    for account in [ACCOUNT, OTHER_ACCOUNT] {
        for t in stored(app, account).await {
            if t.id.map(|i| i.to_string()).as_deref() == Some(id) {
                let amount = t.amount.to_string().parse().unwrap();
                copies.push((t.account.to_string(), t.date.to_string(), amount));
            }
        }
    }
    copies
}

/// A plain import moves a transaction to another account and date in five write calls: the
/// period calendar's month, the pointer that names both keys, the record at its new key, the
/// delete of the old one, the pointer that names the new key only. It stops before each of them;
/// then the next import of the id, plain or for the period, sent to a third place or to where
/// the move went, leaves exactly one copy.
#[tokio::test]
async fn a_move_stopped_at_any_step_leaves_one_copy_after_the_next_import() {
    let app = office("idmoves").await;
    for calls in 0..5 {
        for (period, next_day, next_account) in [
            (false, "2018-12-03", ACCOUNT),
            (true, "2018-12-03", ACCOUNT),
            (false, "2018-12-02", OTHER_ACCOUNT),
            (true, "2018-12-02", OTHER_ACCOUNT),
        ] {
            let id = Guid::random().to_string();
            let first = json!([payment(Some(&id), ACCOUNT, "2018-12-01", -100)]);
            assert_eq!(app.post_transactions(first, &[]).await.0, 201);
            let moved = json!([payment(Some(&id), OTHER_ACCOUNT, "2018-12-02", -200)]);
            let (status, _) = app
                .crashing_after(calls)
                .post_transactions(moved, &[])
                .await;
            assert_eq!(status, 500, "stopped after {calls} write calls");
            let next = json!([payment(Some(&id), next_account, next_day, -300)]);
            let query: &[(&str, &str)] = if period { &DECEMBER } else { &[] };
            assert_eq!(app.post_transactions(next, query).await.0, 201);
            assert_eq!(
                copies(&app, &id).await,
                [(
                    next_account.to_owned(),
                    format!("{next_day}T00:00:00"),
                    -300
                )],
                "stopped after {calls} write calls, then a {} import",
                if period { "period" } else { "plain" }
            );
        }
    }
}

/// The integrator's guide tells offices to start sending ids; a payment 1C sent without one is then sent
/// with it, plainly or as a period import, and must not be counted twice.
#[tokio::test]
async fn a_payment_sent_without_its_id_then_with_it_is_stored_once() {
    let app = TestApp::new("idstart").await;
    for period in [false, true] {
        let app = fresh_office(&app, if period { "period" } else { "plain" }).await;
        let before = json!([payment(None, ACCOUNT, "2018-12-01", -2600)]);
        assert_eq!(app.post_transactions(before, &[]).await.0, 201);
        let with_id = json!([payment(Some(ID_1), ACCOUNT, "2018-12-01", -2600)]);
        let query: &[(&str, &str)] = if period { &DECEMBER } else { &[] };
        assert_eq!(app.post_transactions(with_id, query).await.0, 201);
        let stored = stored(&app, ACCOUNT).await;
        assert_eq!(stored.len(), 1, "{stored:?}");
        assert_eq!(stored[0].id.map(|i| i.to_string()).as_deref(), Some(ID_1));
    }
}

#[tokio::test]
async fn equal_payments_sent_without_ids_then_with_two_ids_stay_two() {
    let app = office("idtwins").await;
    let twins = json!([
        payment(None, ACCOUNT, "2018-12-01", -500),
        payment(None, ACCOUNT, "2018-12-01", -500)
    ]);
    assert_eq!(app.post_transactions(twins, &[]).await.0, 201);
    assert_eq!(stored(&app, ACCOUNT).await.len(), 2);
    let with_ids = json!([
        payment(Some(ID_1), ACCOUNT, "2018-12-01", -500),
        payment(Some(ID_2), ACCOUNT, "2018-12-01", -500)
    ]);
    for _ in 0..2 {
        assert_eq!(app.post_transactions(with_ids.clone(), &[]).await.0, 201);
        let ids: Vec<Option<Guid>> = stored(&app, ACCOUNT).await.iter().map(|t| t.id).collect();
        assert_eq!(ids.len(), 2, "{ids:?}");
        assert!(ids.iter().all(Option::is_some), "{ids:?}");
    }
}

/// The switch to ids split over requests: two equal payments stored without ids, then 1C's
/// first export with ids sent one id per request, as plain imports or as the two parts of an
/// exchange opened for December. Two payments stay, and sending them again changes nothing.
#[tokio::test]
async fn equal_payments_given_their_ids_one_request_each_stay_two() {
    let app = TestApp::new("idsplit").await;
    for exchange in [false, true] {
        let name = if exchange { "exchange" } else { "plain" };
        let app = fresh_office(&app, name).await;
        let twins = json!([
            payment(None, ACCOUNT, "2018-12-01", -500),
            payment(None, ACCOUNT, "2018-12-01", -500)
        ]);
        assert_eq!(app.post_transactions(twins, &[]).await.0, 201);
        assert_eq!(
            stored(&app, ACCOUNT).await.len(),
            2,
            "{name}: positive control"
        );
        for _ in 0..2 {
            let opening = json!({"kind": "transactions", "from": "2018-12-01",
                                 "to": "2018-12-31", "parts": 2});
            let (status, opened) = app.post_exchange(opening).await;
            assert_eq!(status, 201, "{opened}");
            let guid = opened["data"]["exchange"].as_str().unwrap().to_owned();
            for (part, id) in [("1", ID_1), ("2", ID_2)] {
                let one = json!([payment(Some(id), ACCOUNT, "2018-12-01", -500)]);
                let query: &[(&str, &str)] = if exchange {
                    &[("exchange", &guid), ("part", part)]
                } else {
                    &[]
                };
                assert_eq!(app.post_transactions(one, query).await.0, 201);
            }
            let ids: Vec<Option<Guid>> = stored(&app, ACCOUNT).await.iter().map(|t| t.id).collect();
            assert_eq!(ids.len(), 2, "{name}: {ids:?}");
            assert!(ids.iter().all(Option::is_some), "{name}: {ids:?}");
        }
    }
}
