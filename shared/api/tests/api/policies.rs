//! Least privilege, proven by running: each endpoint's handler is run through its usual
//! requests (and the ones that reach its other paths: exchanges, print links, keys bound to an
//! account, a submission sent again) with an interceptor that records every DynamoDB action
//! and the table or index it touches. What an endpoint did must be exactly what its function's
//! policy in `template.yaml` allows: an action it lacks fails in AWS with AccessDenied (a `500`
//! that no test on DynamoDB Local sees), a grant it never uses is a privilege to take away.

use std::collections::{BTreeMap, BTreeSet};

use api::Endpoint;
use domain::{Guid, Scope};
use serde_json::{Value, json};
use serde_norway::Value as Yaml;
use store::Table;

use crate::helpers::interceptors::{Recorder, Touch, WriteCounter};
use crate::helpers::{TestApp, fixture, spec_info_act};

/// An action on a table (by its logical name in `template.yaml`) or on one of its indexes.
type Grant = (String, String, Option<String>);

const OWN: &str = "358d67ad-d66e-11e3-bd79-94de80e97e9a";
const METER: &str = "a7a747b2-24d8-11e7-ae76-0050569f0c67";
const PAYEE: &str = "4c1d2a10-8f3e-11ee-9a51-0050569c4b1e";

fn template() -> Yaml {
    let text = std::fs::read_to_string(local_tables::template_path()).unwrap();
    serde_norway::from_str(&text).unwrap()
}

/// A tag's name and value (`!GetAtt X.Arn`), or the value itself.
fn untagged(value: &Yaml) -> (Option<String>, &Yaml) {
    match value {
        Yaml::Tagged(tagged) => (
            Some(tagged.tag.to_string().trim_start_matches('!').to_owned()),
            &tagged.value,
        ),
        other => (None, other),
    }
}

fn strings(value: &Yaml) -> Vec<&Yaml> {
    match value {
        Yaml::Sequence(items) => items.iter().collect(),
        one => vec![one],
    }
}

/// A statement's resource as (table, index): `!GetAtt XTable.Arn`, or
/// `!Sub "${XTable.Arn}/index/Name"`. Other resources (secrets) are not DynamoDB's.
fn resource(value: &Yaml) -> Option<(String, Option<String>)> {
    let (tag, value) = untagged(value);
    let text = value.as_str()?;
    match tag.as_deref() {
        Some("GetAtt") => Some((text.strip_suffix("Table.Arn")?.to_owned(), None)),
        Some("Sub") => {
            let rest = text.strip_prefix("${")?;
            let (table, index) = rest.split_once("Table.Arn}/index/")?;
            Some((table.to_owned(), Some(index.to_owned())))
        }
        _ => None,
    }
}

fn statement_grants(statement: &Yaml, grants: &mut BTreeSet<Grant>) {
    assert_eq!(statement["Effect"].as_str(), Some("Allow"), "{statement:?}");
    for action in strings(&statement["Action"]) {
        let Some(action) = action.as_str().and_then(|a| a.strip_prefix("dynamodb:")) else {
            continue;
        };
        for place in strings(&statement["Resource"]) {
            let (table, index) = resource(place).unwrap_or_else(|| {
                panic!("a DynamoDB grant on a resource this test cannot read: {place:?}")
            });
            grants.insert((action.to_owned(), table, index));
        }
    }
}

/// Every DynamoDB grant of each function of the template, by the function's binary name.
fn policies(template: &Yaml) -> BTreeMap<String, BTreeSet<Grant>> {
    let resources = template["Resources"].as_mapping().unwrap();
    let mut all = BTreeMap::new();
    for (_, function) in resources {
        if function["Type"].as_str() != Some("AWS::Serverless::Function") {
            continue;
        }
        let binary = function["Metadata"]["BuildProperties"]["Binary"]
            .as_str()
            .unwrap();
        let mut grants = BTreeSet::new();
        for policy in function["Properties"]["Policies"]
            .as_sequence()
            .into_iter()
            .flatten()
        {
            let statements = match untagged(policy) {
                (Some(tag), name) if tag == "Ref" => {
                    let managed = &resources[name.as_str().unwrap()];
                    strings(&managed["Properties"]["PolicyDocument"]["Statement"])
                }
                (None, Yaml::Mapping(map)) if map.contains_key("Statement") => {
                    strings(&policy["Statement"])
                }
                (None, Yaml::Mapping(map)) => {
                    let name = map.keys().next().and_then(Yaml::as_str).unwrap_or_default();
                    assert!(
                        !name.starts_with("DynamoDB"),
                        "{binary}: the SAM template {name} grants more than the code uses"
                    );
                    Vec::new()
                }
                other => panic!("{binary}: a policy this test cannot read: {other:?}"),
            };
            for statement in statements {
                statement_grants(statement, &mut grants);
            }
        }
        all.insert(binary.to_owned(), grants);
    }
    all
}

/// Whether `grants` allow `done`: the grant itself, or the same action on every index of the
/// table (`index/*`).
fn covers(grants: &BTreeSet<Grant>, done: &Grant) -> bool {
    let (action, table, index) = done;
    grants.contains(done)
        || (index.is_some() && grants.contains(&(action.clone(), table.clone(), Some("*".into()))))
}

/// Whether `grant` was used by something `done`.
fn used(grant: &Grant, done: &BTreeSet<Grant>) -> bool {
    done.iter()
        .any(|d| covers(&BTreeSet::from([grant.clone()]), d))
}

/// What the recorder saw, as grants on the template's logical tables.
fn grants_of(app: &TestApp, touched: BTreeSet<Touch>) -> BTreeSet<Grant> {
    let tables = app.store().tables();
    touched
        .into_iter()
        .map(|t| {
            let table = Table::ALL
                .into_iter()
                .find(|table| tables.name(*table) == t.table)
                .unwrap_or_else(|| panic!("a table of no Table: {}", t.table));
            (
                t.action.to_owned(),
                table.logical_name().to_owned(),
                t.index,
            )
        })
        .collect()
}

/// The office's data every endpoint's requests refer to: directories, figures, an act, a key
/// bound to the account `OWN`, a pending submission of its meter.
async fn office() -> (TestApp, TestApp) {
    let app = TestApp::new("policies").await;
    app.import_examples().await;
    app.import_receipts().await;
    assert_eq!(app.post_acts(&[spec_info_act()]).await.0, 201);
    let resident = app.with_key(&app.key_bound_to("default", &Scope::FOR_ACCOUNT, OWN).await);
    (app, resident)
}

/// The spec's body of a period import, and an item of the same kind dated later in 2018.
fn figures_of(endpoint: Endpoint) -> (&'static str, Value) {
    match endpoint {
        Endpoint::ImportReadings => (
            "spec/readings.json",
            json!({"counter": METER, "date": "2018-12-20T00:00:00",
                   "current_data1": 50, "current_data2": 20, "current_data3": 40}),
        ),
        Endpoint::ImportBalances => (
            "spec/balances.json",
            json!({"account": "ad96e8ab-476f-11e7-8518-0050569f0c67",
                   "service": "b712502b-005f-11e4-8679-d43d7e9efaeb",
                   "date": "2018-12-20T00:00:00", "amount": 1}),
        ),
        Endpoint::ImportReceipts => (
            "receipts/receipts.json",
            json!({"account": OWN, "organization": PAYEE, "period": "2018-12", "to_pay": 5}),
        ),
        _ => (
            "spec/transactions.json",
            json!({"account": "af723e90-c3d4-11e4-8075-1c6f652434e1",
                   "date": "2018-12-20T00:00:00", "amount": 5, "id": Guid::random()}),
        ),
    }
}

/// Runs `endpoint`'s requests with `app`'s key (and `resident`'s, where it may call); what
/// they need made first, `office` makes, unrecorded.
async fn exercise(endpoint: Endpoint, app: &TestApp, resident: &TestApp, office: &TestApp) {
    let period = [("from", "2018-01-01"), ("to", "2018-12-31")];
    let ok = |(status, answer): (u16, Value)| {
        assert!(status < 300, "{endpoint:?}: {status} {answer}");
        answer
    };
    let figures = |n: u32| json!({"current_data1": n, "current_data2": 11, "current_data3": 31});
    match endpoint {
        Endpoint::ImportServices | Endpoint::ImportAccounts | Endpoint::ImportCounters => {
            let body = match endpoint {
                Endpoint::ImportServices => "prerequisites/services.json",
                Endpoint::ImportAccounts => "prerequisites/accounts.json",
                _ => "prerequisites/counters.json",
            };
            ok(app.post(endpoint, fixture(body)).await);
        }
        Endpoint::ImportReadings
        | Endpoint::ImportBalances
        | Endpoint::ImportTransactions
        | Endpoint::ImportReceipts => {
            let (body, extra) = figures_of(endpoint);
            // Plain, then an exchange of two parts, then a period in one request that lacks
            // an item written well before it: removed, and the latest balance falls back.
            ok(app.post(endpoint, fixture(body)).await);
            let exchange = Guid::random().to_string();
            for part in ["1", "2"] {
                let parts = [
                    ("exchange", exchange.as_str()),
                    ("part", part),
                    ("parts", "2"),
                ];
                let call = app.to(endpoint).body(fixture(body));
                ok(app.answer(call.query(&period).query(&parts)).await);
            }
            // A part of an exchange opened before: its GUID and number only.
            let kind = endpoint.kind().unwrap();
            let opening =
                json!({"kind": kind, "from": "2018-01-01", "to": "2018-12-31", "parts": 1});
            let opened = ok(office.post_exchange(opening).await);
            let guid = opened["data"]["exchange"].as_str().unwrap();
            let call = app.to(endpoint).body(fixture(body));
            ok(app
                .answer(call.query(&[("exchange", guid), ("part", "1")]))
                .await);
            let collection = endpoint.collection().unwrap();
            ok(office
                .post(endpoint, json!({ collection: [extra] }).to_string())
                .await);
            office.time_passes();
            let in_one = app.to(endpoint).body(fixture(body)).query(&period);
            let answer = ok(app.answer(in_one).await);
            assert_eq!(answer["removed"], 1, "{endpoint:?}: {answer}");
        }
        Endpoint::ImportActs => {
            ok(app.post_acts(&[spec_info_act()]).await);
        }
        Endpoint::ActsList => {
            let path = [("page", "1"), ("limit", "10")];
            ok(app.get_acts(&[], &[]).await);
            ok(app.get_acts(&[], &[("act_number", "777")]).await);
            ok(app.get_acts(&path, &[("sort", "amount")]).await);
            ok(app
                .get_acts(&path, &[("act_status", "sended"), ("payer", "777")])
                .await);
        }
        Endpoint::ActInfo => {
            ok(app.get_act_info("777").await);
        }
        Endpoint::ActPrint => {
            assert_eq!(app.get_act_print("777").await.status(), 200);
            let link = ok(office.post_print_link("777", &[]).await);
            let url = link["data"]["url"].as_str().unwrap();
            assert_eq!(app.open_print_link(url).await.status(), 200);
        }
        Endpoint::ActPrintLink => {
            ok(app.post_print_link("777", &[]).await);
        }
        Endpoint::ActStatuses => {
            ok(app.get_act_statuses().await);
        }
        Endpoint::ActPayers => {
            app.get_payers().await;
        }
        Endpoint::ActRecipients => {
            app.get_recipients().await;
        }
        Endpoint::ServicesList => {
            ok(resident.get_services().await);
            ok(app.get_services().await);
        }
        Endpoint::AccountGet => {
            ok(resident.get_account(OWN).await);
            ok(app.get_account(OWN).await);
        }
        Endpoint::AccountBalances => {
            ok(resident.get_balances(OWN, &[]).await);
            ok(app.get_balances(OWN, &period).await);
        }
        Endpoint::AccountTransactions => {
            ok(resident.get_transactions(OWN, &[]).await);
            ok(app.get_transactions(OWN, &period).await);
        }
        Endpoint::CounterReadings => {
            ok(resident.get_readings(METER, &[]).await);
            ok(app.get_readings(METER, &period).await);
        }
        Endpoint::KeysCreate => {
            let keys = app.with_key(&office.key_for("default", &[Scope::Keys]).await);
            ok(keys.post_key(json!({ "account": OWN })).await);
        }
        Endpoint::KeysList => {
            let keys = office.with_key(&office.key_for("default", &[Scope::Keys]).await);
            ok(keys.post_key(json!({ "account": OWN })).await);
            ok(app.with_key(&keys.key).get_keys(OWN).await);
        }
        Endpoint::KeysRevoke => {
            let keys = office.with_key(&office.key_for("default", &[Scope::Keys]).await);
            let minted = ok(keys.post_key(json!({ "account": OWN })).await);
            let id = minted["data"]["id"].as_str().unwrap();
            ok(app.with_key(&keys.key).delete_key(id).await);
        }
        Endpoint::CounterSubmit => {
            let id = Guid::random().to_string();
            let mut body = figures(40);
            body["id"] = json!(id);
            ok(resident.post_submission(METER, body.clone()).await);
            // Sent again: the stored one answers.
            ok(resident.post_submission(METER, body).await);
            ok(app.post_submission(METER, figures(41)).await);
        }
        Endpoint::CounterSubmissions => {
            ok(resident.get_submissions(METER, &[]).await);
            ok(app.get_submissions(METER, &period).await);
        }
        Endpoint::CounterExport => {
            ok(app.get_export(&[]).await);
        }
        Endpoint::CounterExportAck => {
            let pending = ok(office.get_export(&[]).await);
            let id = pending["data"]["counters"][0]["id"].clone();
            let unknown = Guid::random().to_string();
            let answers = json!({"readings": [
                {"id": id, "status": "applied"},
                {"id": unknown, "status": "rejected", "reason": "нет"},
                {"id": Guid::random(), "status": "postponed", "hours": 2}
            ]});
            ok(app.post_ack(answers).await);
        }
        Endpoint::SettingsGet => {
            ok(resident.get_settings().await);
            ok(app.get_settings().await);
        }
        Endpoint::SettingsPut => {
            ok(app
                .put_settings(json!({"time_zone": "Europe/Moscow"}))
                .await);
        }
        Endpoint::ExchangeOpen => {
            let opening =
                json!({"kind": "balances", "from": "2018-01-01", "to": "2018-12-31", "parts": 1});
            ok(app.post_exchange(opening).await);
        }
        Endpoint::ExchangeGet => {
            let opening =
                json!({"kind": "readings", "from": "2018-01-01", "to": "2018-12-31", "parts": 2});
            let opened = ok(office.post_exchange(opening).await);
            ok(app
                .get_exchange(opened["data"]["exchange"].as_str().unwrap())
                .await);
            let (status, _) = app.get_exchange(&Guid::random().to_string()).await;
            assert_eq!(status, 404);
        }
        Endpoint::JournalList => {
            ok(app.get_journal(&[("limit", "2")]).await);
        }
        Endpoint::TransactionReconciliation => {
            ok(app.get_transaction_reconciliation(&period).await);
        }
        Endpoint::BalanceReconciliation => {
            ok(app.get_balance_reconciliation(&period).await);
        }
        Endpoint::CounterReconciliation => {
            ok(app.get_counter_reconciliation(&period).await);
        }
        Endpoint::ImportOrganizations => {
            ok(app
                .post(endpoint, fixture("receipts/organizations.json"))
                .await);
        }
        Endpoint::AccountReceipts => {
            ok(resident.get_receipts(OWN, &[]).await);
            ok(app
                .get_receipts(OWN, &[("from", "2018-01"), ("to", "2018-12")])
                .await);
        }
        Endpoint::ReceiptPrint => {
            assert_eq!(
                resident.get_receipt_print(OWN, "2018-11").await.status(),
                200
            );
            assert_eq!(app.get_receipt_print(OWN, "2018-11").await.status(), 200);
            let link = ok(office.post_receipt_link(OWN, "2018-11", &[]).await);
            let url = link["data"]["url"].as_str().unwrap();
            assert_eq!(app.open_receipt_link(url).await.status(), 200);
        }
        Endpoint::ReceiptPrintLink => {
            ok(resident.post_receipt_link(OWN, "2018-11", &[]).await);
            ok(app.post_receipt_link(OWN, "2018-11", &[]).await);
        }
    }
}

#[tokio::test]
async fn each_function_may_do_exactly_what_its_handler_does() {
    let policies = policies(&template());
    let (office, resident) = office().await;
    // A submission pending for the export and its acknowledgement.
    let first = json!({"current_data1": 35, "current_data2": 10, "current_data3": 30});
    assert_eq!(resident.post_submission(METER, first).await.0, 201);
    let mut failures = Vec::new();
    for endpoint in Endpoint::ALL {
        let recorder = Recorder::default();
        // Fresh apps: their key caches are empty, as a cold function's are.
        let app = office.intercepted(recorder.clone());
        let bound = app.with_key(&resident.key);
        exercise(endpoint, &app, &bound, &office).await;
        let done = grants_of(&office, recorder.take());
        let allowed = &policies[endpoint.function()];
        let denied: Vec<_> = done.iter().filter(|d| !covers(allowed, d)).collect();
        let unused: Vec<_> = allowed.iter().filter(|a| !used(a, &done)).collect();
        if !denied.is_empty() || !unused.is_empty() {
            failures.push(format!(
                "{}: does without a grant {denied:?}; granted, never done {unused:?}",
                endpoint.function()
            ));
        }
        // The positive control: every endpoint reads its caller's key at least.
        let key = ("GetItem".to_owned(), "ApiKeys".to_owned(), None);
        assert!(
            done.contains(&key),
            "{endpoint:?} recorded nothing: {done:?}"
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The template reader finds what a function is granted, and `grants_of` names tables as the
/// template does: else the comparison above would compare two empty sets.
#[test]
fn the_template_reader_reads_grants() {
    let policies = policies(&template());
    let submit = &policies["counter-submit"];
    for grant in [
        ("GetItem", "ApiKeys", None),
        ("BatchGetItem", "Counters", None),
        ("Query", "Submissions", Some("ByCounter")),
        ("PutItem", "Submissions", None),
    ] {
        let grant = (
            grant.0.to_owned(),
            grant.1.to_owned(),
            grant.2.map(str::to_owned),
        );
        assert!(submit.contains(&grant), "{grant:?} in {submit:?}");
    }
    assert!(!submit.contains(&("Scan".to_owned(), "Submissions".to_owned(), None)));
    assert_eq!(policies.len(), Endpoint::ALL.len());
}

/// What a residents' app mints and revokes lives under `resident#`, and IAM lets those two
/// functions write nowhere else: each of their write grants carries the `dynamodb:LeadingKeys`
/// condition, and every item they write (the keys, the pointers) is under it.
#[tokio::test]
async fn the_residents_apps_key_functions_write_residents_keys_only() {
    let template = template();
    let resources = template["Resources"].as_mapping().unwrap();
    for function in ["KeysCreateFunction", "KeysRevokeFunction"] {
        let policies = &resources[function]["Properties"]["Policies"];
        let writes: Vec<&Yaml> = strings(policies)
            .into_iter()
            .flat_map(|p| strings(&p["Statement"]))
            .filter(|s| s["Resource"] == template_arn("ApiKeysTable"))
            .collect();
        assert!(!writes.is_empty(), "{function} writes keys");
        for statement in writes {
            let leading =
                &statement["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"];
            assert_eq!(
                leading[0].as_str(),
                Some("resident#*"),
                "{function}: {statement:?}"
            );
        }
    }
    let (office, _) = office().await;
    let counter = WriteCounter::new(Default::default());
    let app = office.intercepted(counter.clone());
    let keys = app.with_key(&office.key_for("default", &[Scope::Keys]).await);
    let minted = keys.post_key(json!({ "account": OWN })).await.1;
    let id = minted["data"]["id"].as_str().unwrap();
    assert_eq!(keys.delete_key(id).await.0, 200);
    let table = office.store().tables().name(Table::ApiKeys).to_owned();
    let written: Vec<String> = counter
        .take()
        .into_keys()
        .filter(|(t, _)| *t == table)
        .map(|(_, pk)| pk)
        .collect();
    // The key and its pointer, then the key again (its revocation).
    assert_eq!(written.len(), 2, "{written:?}");
    assert!(
        written.iter().all(|pk| pk.starts_with("resident#")),
        "{written:?}"
    );
}

/// `!GetAtt <table>.Arn` as the template reader sees it.
fn template_arn(table: &str) -> Yaml {
    let text = format!("r: !GetAtt {table}.Arn");
    let parsed: Yaml = serde_norway::from_str(&text).unwrap();
    parsed["r"].clone()
}
