//! Imports that run at once, as tokio tasks on one DynamoDB Local, as two Lambdas would: a
//! period import never removes what another one running beside it contained, and an exchange's
//! last part never removes what a plain import wrote meanwhile. Each round is a fresh tenant;
//! the outcome must be the same whichever request's calls land first.

use std::sync::Arc;

use serde_json::{Value, json};

use super::{ACCOUNT, DECEMBER, OTHER_ACCOUNT, SERVICE, fresh_office, payment, stored};
use crate::helpers::TestApp;

const ROUNDS: usize = 10;

fn tx(id: &str, account: &str, day: u32, amount: i64) -> Value {
    payment(Some(id), account, &format!("2018-12-{day:02}"), amount)
}

/// `(id's first digit, amount)` of every stored transaction of both accounts.
async fn held(app: &TestApp) -> Vec<(char, i64)> {
    let mut held = Vec::new();
    for account in [ACCOUNT, OTHER_ACCOUNT] {
        for t in stored(app, account).await {
            let id = t.id.map_or('-', |i| i.to_string().chars().next().unwrap());
            held.push((id, t.amount.to_string().parse().unwrap()));
        }
    }
    held.sort();
    held
}

const A: &str = "a0000000-0000-4000-8000-000000000000";
const B: &str = "b0000000-0000-4000-8000-000000000000";
const C: &str = "c0000000-0000-4000-8000-000000000000";
const D: &str = "d0000000-0000-4000-8000-000000000000";
const E: &str = "e0000000-0000-4000-8000-000000000000";

/// What 1C held long ago: A and D.
async fn long_ago(app: &TestApp) {
    let old = json!([tx(A, ACCOUNT, 1, -1), tx(D, OTHER_ACCOUNT, 4, -4)]);
    assert_eq!(app.post_transactions(old, &[]).await.0, 201);
    app.time_passes();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_period_imports_of_one_period_at_once_keep_what_either_contained() {
    let tables = TestApp::new("concperiods").await;
    for round in 0..ROUNDS {
        let app = Arc::new(fresh_office(&tables, &format!("round-{round}")).await);
        long_ago(&app).await;
        let first = json!([tx(A, ACCOUNT, 1, -1), tx(B, ACCOUNT, 2, -2)]);
        let second = json!([tx(B, ACCOUNT, 2, -2), tx(C, OTHER_ACCOUNT, 3, -3)]);
        let tasks = [first, second].map(|items| {
            let app = app.clone();
            tokio::spawn(async move { app.post_transactions(items, &DECEMBER).await })
        });
        for task in tasks {
            assert_eq!(task.await.unwrap().0, 201);
        }
        assert_eq!(
            held(&app).await,
            [('a', -1), ('b', -2), ('c', -3)],
            "round {round}: what either contained stays; D, in neither, goes"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exchanges_last_part_beside_a_plain_import_keeps_what_the_plain_import_wrote() {
    let tables = TestApp::new("concparts").await;
    for round in 0..ROUNDS {
        let app = Arc::new(fresh_office(&tables, &format!("round-{round}")).await);
        long_ago(&app).await;
        let exchange = format!("6f9619ff-8b86-d011-b42d-{round:012}");
        let part = move |k: &str| -> Vec<(String, String)> {
            [
                ("from", "2018-12-01"),
                ("to", "2018-12-31"),
                ("exchange", exchange.as_str()),
                ("part", k),
                ("parts", "2"),
            ]
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
            .into()
        };
        let first = json!([tx(A, ACCOUNT, 1, -1), tx(B, ACCOUNT, 2, -2)]);
        let first_part = part("1");
        assert_eq!(
            app.post_transactions(first, &pairs(&first_part)).await.0,
            201
        );
        // The last part, and beside it another 1C job: B corrected, E new.
        let last = {
            let app = app.clone();
            let last_part = part("2");
            tokio::spawn(async move {
                let items = json!([tx(C, OTHER_ACCOUNT, 3, -3)]);
                app.post_transactions(items, &pairs(&last_part)).await
            })
        };
        let plain = {
            let app = app.clone();
            tokio::spawn(async move {
                let items = json!([tx(B, ACCOUNT, 2, -22), tx(E, OTHER_ACCOUNT, 5, -5)]);
                app.post_transactions(items, &[]).await
            })
        };
        let (last, plain) = (last.await.unwrap(), plain.await.unwrap());
        assert_eq!((last.0, plain.0), (201, 201), "{last:?} {plain:?}");
        assert_eq!(last.1["removed"], 1, "{last:?}");
        assert_eq!(
            held(&app).await,
            [('a', -1), ('b', -22), ('c', -3), ('e', -5)],
            "round {round}: the exchange's items and the plain import's stay; D goes"
        );
    }
}

fn pairs(query: &[(String, String)]) -> Vec<(&str, &str)> {
    query
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect()
}

/// A balances period import that removes December's balance, beside a plain import that writes
/// that balance again: whichever lands first, the balance stays and is the account's latest
/// (the removal's latest-balance fall-back is set right when its delete finds the balance new).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_balance_written_again_during_its_removal_stays_the_latest() {
    let tables = TestApp::new("concbalances").await;
    let balance = |date: &str, amount: i64| json!({"account": ACCOUNT, "service": SERVICE, "date": date, "amount": amount});
    for round in 0..ROUNDS {
        let app = Arc::new(fresh_office(&tables, &format!("round-{round}")).await);
        let old = json!([
            balance("2018-11-30T23:59:59", -1),
            balance("2018-12-31T23:59:59", -2)
        ]);
        assert_eq!(app.post_balances(old, &[]).await.0, 201);
        app.time_passes();
        let removal = {
            let app = app.clone();
            tokio::spawn(async move { app.post_balances(json!([]), &DECEMBER).await })
        };
        let again = {
            let app = app.clone();
            let items = json!([balance("2018-12-31T23:59:59", -22)]);
            tokio::spawn(async move { app.post_balances(items, &[]).await })
        };
        assert_eq!(removal.await.unwrap().0, 201);
        assert_eq!(again.await.unwrap().0, 201);
        let (_, account) = app.get_account(ACCOUNT).await;
        assert_eq!(
            account["data"]["balances"],
            json!([balance("2018-12-31T23:59:59", -22)]),
            "round {round}: the balance written again is the latest"
        );
        let (_, history) = app.get_balances(ACCOUNT, &[]).await;
        let amounts: Vec<i64> = history["data"]["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["amount"].as_i64().unwrap())
            .collect();
        assert_eq!(amounts, [-22, -1], "round {round}");
    }
}
