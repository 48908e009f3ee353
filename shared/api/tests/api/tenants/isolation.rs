//! Tenants never see each other, and a key bound to an account sees that account only, on every
//! route.

use super::*;

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
    // `request` reads account 358d67ad and its meter a7a747b2. (A resident's key stored with
    // more than `read` and `submit` is no key at all: tests/api/keys.rs.)
    let own = app
        .key_bound_to(
            "default",
            &Scope::FOR_ACCOUNT,
            "358d67ad-d66e-11e3-bd79-94de80e97e9a",
        )
        .await;
    let other = app
        .key_bound_to(
            "default",
            &Scope::FOR_ACCOUNT,
            "ad96e8ab-476f-11e7-8518-0050569f0c67",
        )
        .await;
    for endpoint in Endpoint::ALL {
        let (status, answer) = status_and_answer(
            app.call(endpoint, authorized(request(endpoint), &own))
                .await,
        );
        let (other_status, other_answer) = status_and_answer(
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

/// Status and JSON body of an answer; a page (a printed receipt) as its text.
fn status_and_answer(response: lambda_http::Response<lambda_http::Body>) -> (u16, Value) {
    let status = response.status().as_u16();
    match response.body() {
        lambda_http::Body::Text(text) => (
            status,
            serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.clone())),
        ),
        _ => panic!("no text body"),
    }
}
