//! Receipts payable by QR, each beside its floor:
//!
//! - an import of 1,000 receipts of ten lines by a warm `import-receipts`, against its stored
//!   items written again with nothing but BatchWriteItem calls, 8 in flight;
//! - a printed month of one account by a warm `receipt-print` (its key cached), against the
//!   same reads sent directly in two round trips: the account and the month's receipts (one
//!   GetItem, one Query) at once, then the payees and the services (one BatchGetItem each) at
//!   once; and the page's size.

use std::time::{Duration, Instant};

use api::Endpoint;
use domain::history::HistoryQuery;
use domain::{Organization, Receipt, Service, Tenant};
use runtime_api::{Function, routed_event};
use store::{Reader, Table};

use crate::stack::Stack;
use crate::{Row, floor, median};

const RECEIPTS: usize = 1_000;
const ROUNDS: usize = 3;
const PRINTS: usize = 30;

pub async fn receipts(bin: &std::path::Path) -> Vec<Row> {
    let (mut ours, mut floors) = (Vec::new(), Vec::new());
    let mut stack = None;
    for round in 0..ROUNDS {
        let (import, floor, imported) = import_round(bin, round).await;
        eprintln!("round {round} receipts: {import:?} vs floor {floor:?}");
        ours.push(import);
        floors.push(floor);
        stack = Some(imported);
    }
    let stack = stack.expect("a round ran");
    let (print, print_floor, size) = prints(bin, &stack).await;
    vec![
        Row::beside_floor(
            format!("import of {RECEIPTS} receipts of 10 lines"),
            ours,
            floors,
            "its items as plain batches, 8 in flight",
        ),
        Row::beside_floor(
            format!("a printed month (2 payees, 20 lines; page of {size} bytes)"),
            print,
            print_floor,
            "its 4 reads in two round trips, key cached",
        ),
    ]
}

/// A fresh office, its receipts imported by a warm function, then written again as the floor.
async fn import_round(bin: &std::path::Path, round: usize) -> (Duration, Duration, Stack) {
    let stack = Stack::new(&format!("bench-receipts-{round}")).await;
    let floor_stack = Stack::new(&format!("bench-receipts-floor-{round}")).await;
    let loads = [
        (Endpoint::ImportServices, 8, 0),
        (Endpoint::ImportAccounts, RECEIPTS, 0),
        (Endpoint::ImportOrganizations, 2, 0),
    ];
    stack.import(bin, &loads).await;
    let endpoint = Endpoint::ImportReceipts;
    let path = endpoint.paths()[0];
    let mut function = Function::spawn(&bin.join(endpoint.function()), &stack.env()).await;
    function.init().await;
    let empty = routed_event(
        "POST",
        path,
        path,
        &[],
        "",
        stack.key(),
        "{\"receipts\": []}",
    );
    function.invoke(empty).await;
    let body = samples::body(endpoint, 0..RECEIPTS, RECEIPTS);
    let event = routed_event("POST", path, path, &[], "", stack.key(), &body);
    let answer = function.invoke(event).await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    let items = floor::scan(&stack.client, stack.table(Table::Receipts)).await;
    let floor = floor::write(
        &floor_stack.client,
        floor_stack.table(Table::Receipts),
        items,
        8,
    )
    .await;
    (answer.took, floor, stack)
}

/// The first account's month, with the second payee's receipt beside the first's: printed
/// by a warm function, then read directly, round after round.
async fn prints(bin: &std::path::Path, stack: &Stack) -> (Vec<Duration>, Vec<Duration>, usize) {
    let account = samples::account_id(0);
    let second = samples::item(Endpoint::ImportReceipts, 0, 1)
        .replace(&samples::id(5, 0), &samples::id(5, 1));
    stack
        .post(
            bin,
            Endpoint::ImportReceipts,
            &format!("{{\"receipts\": [{second}]}}"),
            1,
        )
        .await;
    let endpoint = Endpoint::ReceiptPrint;
    let template = endpoint.paths()[0];
    let path = template
        .replace("{id}", &account)
        .replace("{period}", "2018-12");
    let params = [("id", account.as_str()), ("period", "2018-12")];
    let mut function = Function::spawn(&bin.join(endpoint.function()), &stack.env()).await;
    function.init().await;
    let tenant = Tenant::parse("bench").unwrap();
    let id = account.parse().unwrap();
    let month = chrono::NaiveDate::from_ymd_opt(2018, 12, 1).unwrap();
    let (mut ours, mut floors, mut size) = (Vec::new(), Vec::new(), 0);
    for _ in 0..=PRINTS {
        let event = routed_event("GET", template, &path, &params, "", stack.key(), "");
        let answer = function.invoke(event).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        size = answer.body.len();
        ours.push(answer.took);
        let started = Instant::now();
        let store = &stack.store;
        let query = HistoryQuery {
            range: domain::DateRange::days(month, month),
            limit: 10,
            after: None,
        };
        let (account, page) = futures::join!(
            store.account(&tenant, id),
            store.history::<Receipt>(&tenant, id, &query)
        );
        account.unwrap().unwrap();
        let page = page.unwrap();
        let payees: Vec<_> = page.items.iter().map(|r| r.organization).collect();
        let services: Vec<_> = page.items[0].lines.iter().map(|l| l.service).collect();
        let (payees, services) = futures::join!(
            store.entries::<Organization>(&tenant, &payees),
            store.entries::<Service>(&tenant, &services)
        );
        assert_eq!((payees.unwrap().len(), page.items.len()), (2, 2));
        assert!(!services.unwrap().is_empty());
        floors.push(started.elapsed());
    }
    // The first print also read the key; the floor's first is as cold.
    ours.remove(0);
    floors.remove(0);
    eprintln!(
        "prints: {:?} vs floor {:?}",
        median(ours.clone()),
        median(floors.clone())
    );
    (ours, floors, size)
}
