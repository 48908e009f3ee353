//! API keys and tenants, on every endpoint, against DynamoDB Local: who may call what, and no
//! tenant ever sees or changes another's data.

use api::Endpoint;
use base64::prelude::{BASE64_STANDARD, Engine as _};
use domain::{Account, ApiKey, Scope, Service};
use lambda_http::http::header::AUTHORIZATION;
use lambda_http::{Body, Request, RequestExt};
use serde_json::{Value, json};
use store::ActReader;

use crate::helpers::{TestApp, authorized, call, fixture, post, status_and_json, tenant};

fn an_act(number: u64, payer: &str) -> Value {
    json!({"act_number": number, "created_at": "2020-01-01", "act_status": "sended",
           "payer": {"id": 1, "name": payer}, "recipient": {"id": 2, "name": "Получатель"},
           "services": [{"title": "Услуга", "amount": 100}]})
}

/// A request each endpoint would accept from a key that may call it, without a key.
fn request(endpoint: Endpoint) -> Request {
    request_at(endpoint, None)
}

/// [`request`], for the id `id` in the path instead of the one it names.
fn request_at(endpoint: Endpoint, id: Option<&str>) -> Request {
    let body = match endpoint {
        Endpoint::ImportServices => fixture("prerequisites/services.json"),
        Endpoint::ImportAccounts => fixture("prerequisites/accounts.json"),
        Endpoint::ImportCounters => fixture("prerequisites/counters.json"),
        Endpoint::ImportReadings => fixture("spec/readings.json"),
        Endpoint::ImportBalances => fixture("spec/balances.json"),
        Endpoint::ImportTransactions => fixture("spec/transactions.json"),
        Endpoint::ImportActs => json!({"acts": [an_act(1, "Плательщик")]}).to_string(),
        Endpoint::KeysCreate => {
            json!({"account": "358d67ad-d66e-11e3-bd79-94de80e97e9a"}).to_string()
        }
        // Above the meter's reading in spec/readings.json, with its three tariffs.
        Endpoint::CounterSubmit => {
            json!({"current_data1": 34, "current_data2": 10, "current_data3": 30}).to_string()
        }
        Endpoint::CounterExportAck => json!({"readings": []}).to_string(),
        Endpoint::SettingsPut => json!({"time_zone": "Europe/Moscow"}).to_string(),
        _ => String::new(),
    };
    let path: &[(&str, &str)] = match endpoint {
        Endpoint::ActInfo | Endpoint::ActPrint | Endpoint::ActPrintLink => &[("act_id", "1")],
        Endpoint::AccountGet | Endpoint::AccountBalances | Endpoint::AccountTransactions => {
            &[("id", "358d67ad-d66e-11e3-bd79-94de80e97e9a")]
        }
        Endpoint::CounterReadings | Endpoint::CounterSubmit | Endpoint::CounterSubmissions => {
            &[("id", "a7a747b2-24d8-11e7-ae76-0050569f0c67")]
        }
        Endpoint::KeysRevoke => &[("id", "0123456789ab")],
        _ => &[],
    };
    let path: Vec<(&str, &str)> = path.iter().map(|&(k, v)| (k, id.unwrap_or(v))).collect();
    call(endpoint).named(&path).body(body).request()
}

/// The imports: the routes that write 1C's data.
fn imports() -> impl Iterator<Item = Endpoint> {
    Endpoint::ALL.into_iter().filter(|e| e.table().is_some())
}

/// 1C's other routes: the export of residents' readings, its acknowledgement, the settings.
fn office_routes() -> impl Iterator<Item = Endpoint> {
    Endpoint::ALL
        .into_iter()
        .filter(|e| e.scopes()[0] == Scope::Import && e.table().is_none())
}

fn reads() -> impl Iterator<Item = Endpoint> {
    Endpoint::ALL
        .into_iter()
        .filter(|e| e.scopes()[0] == Scope::Read)
}

fn with_header(mut request: Request, value: &str) -> Request {
    request
        .headers_mut()
        .insert(AUTHORIZATION, value.parse().unwrap());
    request
}

#[tokio::test]
async fn every_endpoint_refuses_a_missing_malformed_or_unknown_key_with_401() {
    let app = TestApp::new("nokey").await;
    for endpoint in Endpoint::ALL {
        let unknown = format!("Bearer {}", ApiKey::generate().reveal());
        for header in [
            None,
            Some("Bearer"),
            Some("Token abc"),
            Some(unknown.as_str()),
        ] {
            let request = match header {
                None => request(endpoint),
                Some(h) => with_header(request(endpoint), h),
            };
            let response = app.call(endpoint, request).await;
            let challenge = response.headers().get("www-authenticate").cloned();
            let (status, answer) = status_and_json(response);
            assert_eq!(status, 401, "{endpoint:?} {header:?}");
            assert_eq!(answer["error"]["code"], "unauthorized");
            assert!(
                challenge.unwrap().to_str().unwrap().contains("Basic"),
                "{endpoint:?}"
            );
        }
    }
}

#[tokio::test]
async fn a_key_without_the_scope_gets_403_on_every_endpoint_it_may_not_call() {
    let app = TestApp::new("scopes").await;
    let reader = app.key_for("default", &[Scope::Read]).await;
    let importer = app.key_for("default", &[Scope::Import]).await;
    for endpoint in imports().chain(office_routes()) {
        let (status, answer) = status_and_json(
            app.call(endpoint, authorized(request(endpoint), &reader))
                .await,
        );
        assert_eq!(
            (status, answer["error"]["code"].as_str()),
            (403, Some("forbidden")),
            "{endpoint:?}"
        );
    }
    let keys = Endpoint::ALL
        .into_iter()
        .filter(|e| e.scopes()[0] == Scope::Keys);
    for endpoint in keys {
        for key in [&reader, &importer] {
            let response = app.call(endpoint, authorized(request(endpoint), key)).await;
            assert_eq!(response.status(), 403, "{endpoint:?}");
        }
    }
    let submit = Endpoint::CounterSubmit;
    for key in [&reader, &importer] {
        let response = app.call(submit, authorized(request(submit), key)).await;
        assert_eq!(response.status(), 403, "{submit:?}");
    }
    for endpoint in reads() {
        let (status, _) = status_and_json(
            app.call(endpoint, authorized(request(endpoint), &importer))
                .await,
        );
        // The office's settings are 1C's to read too.
        let expected = match endpoint.scopes().get(1) {
            Some(&Scope::Import) => 200,
            _ => 403,
        };
        assert_eq!(status, expected, "{endpoint:?}");
        let (status, _) = status_and_json(
            app.call(endpoint, authorized(request(endpoint), &reader))
                .await,
        );
        assert!([200, 201, 404].contains(&status), "{endpoint:?}: {status}");
    }
}

#[tokio::test]
async fn basic_authentication_with_the_key_as_password_works() {
    let app = TestApp::new("basic").await;
    let key = &app.key;
    let basic = format!(
        "Basic {}",
        BASE64_STANDARD.encode(format!("любой:{}", key.reveal()))
    );
    let (status, _) = status_and_json(
        app.call(
            Endpoint::ImportServices,
            with_header(request(Endpoint::ImportServices), &basic),
        )
        .await,
    );
    assert_eq!(status, 201);
}

#[tokio::test]
async fn a_revoked_key_stops_working_once_the_cache_expires() {
    let app = TestApp::new("revoke").await;
    let cached = app.key_for("default", &Scope::ALL).await;
    let uncached_app = app.without_key_cache();
    let ok = |s: u16| s == 200;
    let status = |r| status_and_json(r).0;
    assert!(ok(status(
        app.call(
            Endpoint::ActStatuses,
            authorized(request(Endpoint::ActStatuses), &cached)
        )
        .await
    )));
    assert!(app.store().revoke_key(cached.hash().id()).await.unwrap());
    // Within the TTL the warm function still trusts what it read…
    assert!(ok(status(
        app.call(
            Endpoint::ActStatuses,
            authorized(request(Endpoint::ActStatuses), &cached)
        )
        .await
    )));
    // …and after it, the key is refused.
    assert_eq!(
        status(
            uncached_app
                .call(
                    Endpoint::ActStatuses,
                    authorized(request(Endpoint::ActStatuses), &cached)
                )
                .await
        ),
        401
    );
    let listed = app.store().list_keys().await.unwrap();
    let record = listed.iter().find(|k| k.id == cached.hash().id()).unwrap();
    assert!(record.revoked_at.is_some());
    assert!(
        !app.store().revoke_key(cached.hash().id()).await.unwrap(),
        "revoked once"
    );
}

#[tokio::test]
async fn tenants_importing_the_same_ids_see_only_their_own_data() {
    let app = TestApp::new("isolation").await;
    let a = app.key.clone();
    let b = app.key_for("other", &Scope::ALL).await;
    let store = app.store();
    let post = |key: &ApiKey, body: String| authorized(post(body), key);
    // A imports everything; B imports the same ids with other content.
    for endpoint in imports() {
        let (status, answer) =
            status_and_json(app.call(endpoint, authorized(request(endpoint), &a)).await);
        assert_eq!(status, 201, "A {endpoint:?}: {answer}");
    }
    // B's counter import refers to B's own directories: without them it is unknown to B.
    let (status, _) = status_and_json(
        app.call(
            Endpoint::ImportCounters,
            authorized(request(Endpoint::ImportCounters), &b),
        )
        .await,
    );
    assert_eq!(status, 422, "A's directories are invisible to B");
    let services_b = fixture("prerequisites/services.json").replace("Окунево", "Другое СНТ");
    assert_eq!(
        status_and_json(
            app.call(Endpoint::ImportServices, post(&b, services_b))
                .await
        )
        .0,
        201
    );
    let act_b = json!({"acts": [an_act(1, "Плательщик Б")]}).to_string();
    assert_eq!(
        status_and_json(app.call(Endpoint::ImportActs, post(&b, act_b)).await).0,
        201
    );

    let services_a: Vec<Service> = store.directory(&tenant("default")).await.unwrap();
    let services_b: Vec<Service> = store.directory(&tenant("other")).await.unwrap();
    assert!(
        services_a
            .iter()
            .all(|s| s.organization.as_ref().unwrap().as_str() == "Окунево")
    );
    assert!(
        services_b
            .iter()
            .all(|s| s.organization.as_ref().unwrap().as_str() == "Другое СНТ")
    );
    assert_eq!(services_a.len(), services_b.len());

    let act_a = store
        .act(
            &tenant("default"),
            domain::ActNumber::parse_param("1").unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(act_a.unwrap().payer.name.as_str(), "Плательщик");
    let (_, payers_b) = status_and_json(
        app.call(
            Endpoint::ActPayers,
            authorized(request(Endpoint::ActPayers), &b),
        )
        .await,
    );
    assert_eq!(payers_b["data"], json!([{"id": 1, "name": "Плательщик Б"}]));

    // An act that only A has is 404 for B, never 403: its existence does not leak.
    let only_a = json!({"acts": [an_act(2, "Плательщик")]}).to_string();
    assert_eq!(
        status_and_json(app.call(Endpoint::ImportActs, post(&a, only_a)).await).0,
        201
    );
    let info = |key: &ApiKey| authorized(request_at(Endpoint::ActInfo, Some("2")), key);
    assert_eq!(
        status_and_json(app.call(Endpoint::ActInfo, info(&a)).await).0,
        200
    );
    let (status, answer) = status_and_json(app.call(Endpoint::ActInfo, info(&b)).await);
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
    let (_, list_b) = status_and_json(
        app.call(
            Endpoint::ActsList,
            authorized(request(Endpoint::ActsList), &b),
        )
        .await,
    );
    assert_eq!(list_b["data"]["total"], 1);
}

#[tokio::test]
async fn personal_data_is_pseudonymised_or_dropped_before_it_is_stored() {
    let app = TestApp::new("pii").await;
    let store = app.store().clone();
    let body = json!({"accounts": [
        {"id": "c8c18070-c5a3-11e5-80e0-d8cb8a6e77cb", "name": "1", "full_name": "Смирнова Юлия Валерьевна",
         "phone": "+79332211223", "email": "user@mail.ru", "address": "ул. Молодежная, д. 3", "cadastral": "47:14:1203001:814",
         "square": "56,7"},
        {"id": "358d67ad-d66e-11e3-bd79-94de80e97e9a", "name": "2", "full_name": "Смирнова Юлия Валерьевна"},
    ]})
    .to_string();
    let post = || authorized(post(body.clone()), &app.key);

    let secret = "s".repeat(32);
    let hmac = app.with_personal_data(
        domain::PersonalData::from_settings(None, Some(secret.as_bytes())).unwrap(),
    );
    assert_eq!(hmac.send(Endpoint::ImportAccounts, post()).await.0, 201);
    let stored: Vec<Account> = store.directory(&tenant("default")).await.unwrap();
    let raw = serde_json::to_string(
        &stored
            .iter()
            .map(|a| (&a.full_name, &a.phone, &a.email, &a.address, &a.cadastral))
            .collect::<Vec<_>>(),
    )
    .unwrap();
    for value in [
        "Смирнова",
        "79332211223",
        "user@mail.ru",
        "Молодежная",
        "1203001",
    ] {
        assert!(!raw.contains(value), "{value} stored in clear: {raw}");
    }
    assert_eq!(
        stored[0].full_name, stored[1].full_name,
        "equal names still match"
    );
    // Another office with the same resident: other pseudonyms, nothing links the two.
    let other = hmac.fresh_tenant("other").await;
    let request = authorized(self::post(body.clone()), &other.key);
    assert_eq!(other.send(Endpoint::ImportAccounts, request).await.0, 201);
    let theirs: Vec<Account> = store.directory(&tenant("other")).await.unwrap();
    for (ours, theirs) in stored.iter().zip(&theirs) {
        assert_eq!(ours.id, theirs.id);
        assert_ne!(ours.full_name, theirs.full_name, "linked across tenants");
    }
    assert!(
        stored[0]
            .full_name
            .as_ref()
            .unwrap()
            .as_str()
            .starts_with("hmac:")
    );
    assert_eq!(
        stored
            .iter()
            .find(|a| a.name.as_str() == "1")
            .unwrap()
            .square,
        Some("56.7".parse().unwrap())
    );

    let drop = app.with_personal_data(domain::PersonalData::Drop);
    assert_eq!(drop.send(Endpoint::ImportAccounts, post()).await.0, 201);
    let stored: Vec<Account> = store.directory(&tenant("default")).await.unwrap();
    assert!(
        stored
            .iter()
            .all(|a| a.full_name.is_none() && a.phone.is_none() && a.email.is_none())
    );
    assert!(
        stored
            .iter()
            .all(|a| a.address.is_none() && a.cadastral.is_none())
    );
}

/// A browser that once logged in with the key (to open a printable act) sends that login with
/// any other site's form: such a write is refused and nothing is written. 1C (no `Origin`, no
/// `Sec-Fetch-Site`), a request the user typed (`none`) and the API's own origin pass.
#[tokio::test]
async fn no_import_is_taken_from_another_sites_page() {
    let app = TestApp::new("crosssite").await;
    let from_pages = [
        ("origin", "https://evil.example"),
        ("origin", "null"),
        ("sec-fetch-site", "cross-site"),
        ("sec-fetch-site", "same-site"),
    ];
    for endpoint in imports() {
        for (name, value) in from_pages {
            let mut request = authorized(request(endpoint), &app.key);
            request.headers_mut().insert(name, value.parse().unwrap());
            let (status, answer) = status_and_json(app.call(endpoint, request).await);
            assert_eq!(
                (status, answer["error"]["code"].as_str()),
                (403, Some("forbidden")),
                "{endpoint:?} with {name}: {value}"
            );
        }
    }
    let (_, services) = app.get_services().await;
    assert_eq!(services["data"]["items"], json!([]), "nothing was written");
    let (_, acts) = app.get_acts(&[], &[]).await;
    assert_eq!(acts["data"]["total"], 0, "nothing was written");
    // Nor is anything removed: a period import from a page that would empty the period.
    for endpoint in imports() {
        let response = app
            .call(endpoint, authorized(request(endpoint), &app.key))
            .await;
        assert_eq!(response.status(), 201, "{endpoint:?}");
    }
    let (_, before) = app
        .get_transactions("af723e90-c3d4-11e4-8075-1c6f652434e1", &[])
        .await;
    assert_ne!(before["data"]["items"], json!([]));
    let empty = lambda_http::http::Request::builder()
        .method("POST")
        .header("origin", "https://evil.example")
        .body(Body::from(r#"{"transactions":[],"x":"="}"#))
        .unwrap()
        .with_query_string_parameters(std::collections::HashMap::from([
            ("from".to_owned(), "0001-01-02".to_owned()),
            ("to".to_owned(), "9999-12-31".to_owned()),
        ]));
    let refused = app
        .call(Endpoint::ImportTransactions, authorized(empty, &app.key))
        .await;
    assert_eq!(refused.status(), 403);
    assert_eq!(refused.headers()["x-content-type-options"], "nosniff");
    let (_, after) = app
        .get_transactions("af723e90-c3d4-11e4-8075-1c6f652434e1", &[])
        .await;
    assert_eq!(after, before, "nothing was removed");

    for endpoint in imports() {
        for site in [None, Some("none"), Some("same-origin")] {
            let mut request = authorized(request(endpoint), &app.key);
            if let Some(site) = site {
                request
                    .headers_mut()
                    .insert("sec-fetch-site", site.parse().unwrap());
            }
            let (status, answer) = status_and_json(app.call(endpoint, request).await);
            assert_eq!(status, 201, "{endpoint:?} with {site:?}: {answer}");
        }
    }
    // Reading from a page is not a write: a GET with an Origin is answered.
    let mut read = authorized(request(Endpoint::ServicesList), &app.key);
    read.headers_mut()
        .insert("origin", "https://evil.example".parse().unwrap());
    assert_eq!(app.call(Endpoint::ServicesList, read).await.status(), 200);
}

/// Every answer, success or error, forbids content sniffing and caching; the printable act
/// also forbids framing by another site's page.
#[tokio::test]
async fn every_answer_carries_the_browser_safety_headers() {
    let app = TestApp::new("headers").await;
    for endpoint in imports() {
        let response = app
            .call(endpoint, authorized(request(endpoint), &app.key))
            .await;
        assert_eq!(response.status(), 201, "{endpoint:?}");
    }
    for endpoint in Endpoint::ALL {
        for key in [Some(&app.key), None] {
            let request = match key {
                Some(key) => authorized(request(endpoint), key),
                None => request(endpoint),
            };
            let response = app.call(endpoint, request).await;
            let headers = response.headers();
            let status = response.status();
            assert_eq!(
                headers["x-content-type-options"], "nosniff",
                "{endpoint:?} {status}"
            );
            assert_eq!(
                headers["cache-control"], "no-store",
                "{endpoint:?} {status}"
            );
        }
    }
    let page = app.get_act_print("1").await;
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["x-frame-options"], "DENY");
    let policy = page.headers()["content-security-policy"].to_str().unwrap();
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
}

/// Every read route, called by another tenant with the ids of what the first one imported:
/// the routes of one item answer `404` exactly as for an unknown id, the lists hold nothing of
/// the first tenant's. The first tenant reads the same ids (so they exist).
#[tokio::test]
async fn every_read_route_hides_another_tenants_data() {
    let app = TestApp::new("readiso").await;
    let b = app.key_for("other", &Scope::ALL).await;
    for endpoint in imports() {
        let response = app
            .call(endpoint, authorized(request(endpoint), &app.key))
            .await;
        assert_eq!(response.status(), 201, "{endpoint:?}");
    }
    let of_a = [
        "Окунево",
        "Плательщик",
        "Получатель",
        "358d67ad",
        "a7a747b2",
    ];
    for endpoint in reads() {
        let own = app
            .call(endpoint, authorized(request(endpoint), &app.key))
            .await;
        assert!(own.status().is_success(), "A {endpoint:?}");
        let Body::Text(own) = own.body() else {
            panic!("{endpoint:?}: no text")
        };
        // Every list but the spec's fixed list of statuses shows A's data to A.
        let by_id = endpoint.paths()[0].contains('{');
        let shows_a = of_a.iter().any(|a| own.contains(a));
        let fixed = [Endpoint::ActStatuses, Endpoint::SettingsGet].contains(&endpoint);
        assert!(by_id || fixed || shows_a, "A {endpoint:?}: {own}");
        let other = app.call(endpoint, authorized(request(endpoint), &b)).await;
        let Body::Text(text) = other.body() else {
            panic!("{endpoint:?}: no text")
        };
        if by_id {
            assert_eq!(other.status(), 404, "B {endpoint:?}: {text}");
        } else {
            assert_eq!(other.status(), 200, "B {endpoint:?}: {text}");
            assert!(
                !of_a.iter().any(|a| text.contains(a)),
                "B {endpoint:?}: {text}"
            );
        }
    }
}

/// A key bound to one account (what a residents' app holds for one resident), on every route:
/// its account, that account's histories and meters, and the services are answered; another
/// account or meter of the tenant is `404` exactly as an unknown one; every other route, the
/// imports and the acts, is `403`.
#[tokio::test]
async fn a_key_bound_to_an_account_sees_that_account_only_on_every_route() {
    let app = TestApp::new("accountkey").await;
    for endpoint in imports() {
        let response = app
            .call(endpoint, authorized(request(endpoint), &app.key))
            .await;
        assert_eq!(response.status(), 201, "{endpoint:?}");
    }
    // `request` reads account 358d67ad and its meter a7a747b2.
    let own = app
        .key_bound_to(
            "default",
            &Scope::ALL,
            "358d67ad-d66e-11e3-bd79-94de80e97e9a",
        )
        .await;
    let other = app
        .key_bound_to(
            "default",
            &Scope::ALL,
            "ad96e8ab-476f-11e7-8518-0050569f0c67",
        )
        .await;
    for endpoint in Endpoint::ALL {
        let (status, answer) = status_and_json(
            app.call(endpoint, authorized(request(endpoint), &own))
                .await,
        );
        let (other_status, other_answer) = status_and_json(
            app.call(endpoint, authorized(request(endpoint), &other))
                .await,
        );
        if !endpoint.admits_account_keys() {
            assert_eq!((status, other_status), (403, 403), "{endpoint:?}: {answer}");
            continue;
        }
        assert!([200, 201].contains(&status), "{endpoint:?}: {answer}");
        if !endpoint.paths()[0].contains('{') {
            assert_eq!(other_status, 200, "{other_answer}");
        } else {
            // Exactly what the tenant's own key hears of an id that does not exist.
            let unknown = request_at(endpoint, Some("11111111-2222-3333-4444-555555555555"));
            let (_, unknown) = app.send(endpoint, authorized(unknown, &app.key)).await;
            assert_eq!(other_status, 404, "{endpoint:?}: {other_answer}");
            assert_eq!(other_answer, unknown, "{endpoint:?}");
        }
    }
    // Once 1C deletes the account, its key reads none of it, its meters included.
    let deleted = json!({"accounts": [{"id": "358d67ad-d66e-11e3-bd79-94de80e97e9a",
                                      "name": "x", "deleted": true}]});
    app.post_ok(Endpoint::ImportAccounts, deleted.to_string())
        .await;
    for endpoint in [
        Endpoint::AccountGet,
        Endpoint::CounterReadings,
        Endpoint::CounterSubmit,
        Endpoint::CounterSubmissions,
    ] {
        let response = app
            .call(endpoint, authorized(request(endpoint), &own))
            .await;
        assert_eq!(response.status(), 404, "{endpoint:?}");
    }
}
