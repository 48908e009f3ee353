//! A residents' app's keys (`POST /api/keys`, `DELETE /api/keys/{id}`) against DynamoDB Local:
//! what a `keys` key may mint and revoke, and what the minted key may read.

use api::Endpoint;
use domain::{ApiKey, Scope};

use serde_json::{Value, json};

use crate::helpers::{TestApp, authorized, fixture, post, status_and_json};

const OWN: &str = "358d67ad-d66e-11e3-bd79-94de80e97e9a";
const NEIGHBOUR: &str = "ad96e8ab-476f-11e7-8518-0050569f0c67";

async fn app_with_accounts(test: &str) -> TestApp {
    let app = TestApp::new(test).await;
    app.post_ok(
        Endpoint::ImportAccounts,
        fixture("prerequisites/accounts.json"),
    )
    .await;
    app
}

async fn mint(app: &TestApp, key: &ApiKey, body: Value) -> (u16, Value) {
    app.with_key(key).post_key(body).await
}

async fn revoke(app: &TestApp, key: &ApiKey, id: &str) -> (u16, Value) {
    app.with_key(key).delete_key(id).await
}

#[tokio::test]
async fn an_app_mints_a_key_for_one_account_and_revokes_it() {
    let app = app_with_accounts("keysmint").await;
    let admin = app.key_for("default", &[Scope::Keys]).await;
    let (status, answer) = mint(&app, &admin, json!({"account": OWN, "scopes": ["read"]})).await;
    assert_eq!(status, 201, "{answer}");
    let data = &answer["data"];
    assert_eq!(
        (&data["account"], &data["scopes"]),
        (&json!(OWN), &json!(["read"]))
    );
    let key =
        ApiKey::from_authorization(&format!("Bearer {}", data["key"].as_str().unwrap())).unwrap();
    let id = data["id"].as_str().unwrap().to_owned();
    assert_eq!(id, key.hash().id());

    // It reads its account and no other.
    let resident = app.with_key(&key);
    assert_eq!(resident.get_account(OWN).await.0, 200);
    assert_eq!(resident.get_account(NEIGHBOUR).await.0, 404);
    // It cannot mint keys itself, nor import.
    assert_eq!(mint(&app, &key, json!({"account": OWN})).await.0, 403);
    let (status, _) = resident
        .post(Endpoint::ImportServices, fixture("spec/services.json"))
        .await;
    assert_eq!(status, 403);

    // Revoked: gone once the key cache's minute is over; a second revocation is 404.
    let (status, answer) = revoke(&app, &admin, &id).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["data"]["id"], json!(id));
    assert!(answer["data"]["revoked_at"].is_string());
    assert_eq!(resident.without_key_cache().get_account(OWN).await.0, 401);
    assert_eq!(revoke(&app, &admin, &id).await.0, 404);
}

#[tokio::test]
async fn a_keys_key_mints_only_within_its_tenant_and_limits() {
    let app = app_with_accounts("keyslimits").await;
    let admin = app.key_for("default", &[Scope::Keys]).await;
    // Not an account of this tenant (the other tenant has it), deleted, or unknown: 404.
    let other = app.fresh_tenant("other").await;
    let other_admin = other.key_for("other", &[Scope::Keys]).await;
    assert_eq!(
        mint(&other, &other_admin, json!({"account": OWN})).await.0,
        404
    );
    let deleted = json!({"accounts": [{"id": NEIGHBOUR, "name": "x", "deleted": true}]});
    app.post_ok(Endpoint::ImportAccounts, deleted.to_string())
        .await;
    assert_eq!(
        mint(&app, &admin, json!({"account": NEIGHBOUR})).await.0,
        404
    );
    // More than read and submit, or a body that is not a grant: 400 naming the field.
    for (body, field) in [
        (
            json!({"account": OWN, "scopes": ["read", "import"]}),
            "scopes",
        ),
        (json!({"account": OWN, "scopes": ["keys"]}), "scopes"),
        (json!({"account": OWN, "scopes": []}), "scopes"),
        (json!({"account": "358d67ad"}), "account"),
        (json!([OWN]), "body"),
    ] {
        let (status, answer) = mint(&app, &admin, body.clone()).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert_eq!(answer["error"]["details"][0]["field"], field, "{body}");
    }
    // A key bound to an account, even with the scope, mints nothing: a resident's key with
    // more than `read` and `submit` is no key at all.
    let bound = app.key_bound_to("default", &[Scope::Keys], OWN).await;
    assert_eq!(mint(&app, &bound, json!({"account": OWN})).await.0, 401);

    // Revocation: only this tenant's keys bound to an account.
    let (_, minted) = mint(&app, &admin, json!({"account": OWN})).await;
    let id = minted["data"]["id"].as_str().unwrap();
    assert_eq!(
        revoke(&other, &other_admin, id).await.0,
        404,
        "another tenant's"
    );
    assert_eq!(
        revoke(&app, &admin, app.key.hash().id()).await.0,
        404,
        "a tenant-wide key"
    );
    assert_eq!(revoke(&app, &admin, "0123456789ab").await.0, 404, "unknown");
    let (status, answer) = revoke(&app, &admin, "not-an-id").await;
    assert_eq!(
        (status, &answer["error"]["details"][0]["field"]),
        (400, &json!("id"))
    );
    // The tenant's own key still works: its id was refused above.
    assert_eq!(app.without_key_cache().get_account(OWN).await.0, 200);
    let (status, _) = status_and_json(
        app.call(
            Endpoint::KeysRevoke,
            authorized(post(String::new()), &admin),
        )
        .await,
    );
    assert_eq!(status, 400, "no id");
}

/// A resident's key reads nothing once its account is deleted in 1C: not the account, and not
/// the office's services or settings either; back when 1C sends the account again.
#[tokio::test]
async fn a_deleted_accounts_key_reads_nothing() {
    let app = app_with_accounts("keysdeleted").await;
    let resident = app.key_bound_to("default", &Scope::FOR_ACCOUNT, OWN).await;
    let resident = app.with_key(&resident);
    // Positive control: while the account is open.
    assert_eq!(resident.get_services().await.0, 200);
    assert_eq!(resident.get_settings().await.0, 200);
    assert_eq!(resident.get_account(OWN).await.0, 200);
    let deleted = json!([{"id": OWN, "name": "ЛС", "deleted": true}]);
    assert_eq!(app.post_accounts(deleted).await.0, 201);
    assert_eq!(resident.get_services().await.0, 403);
    assert_eq!(resident.get_settings().await.0, 403);
    assert_eq!(resident.get_account(OWN).await.0, 404);
    // The office's own key still reads them.
    assert_eq!(app.get_services().await.0, 200);
    let back = json!([{"id": OWN, "name": "ЛС"}]);
    assert_eq!(app.post_accounts(back).await.0, 201);
    assert_eq!(resident.get_services().await.0, 200);
}

/// A resident's key works until the day its maker chose (90 by default, at most 400), checked
/// at every use, the cached key's included; the app lists an account's keys with when each
/// expires or was revoked, never a key.
#[tokio::test]
async fn a_residents_key_expires_on_its_day_and_the_app_lists_an_accounts_keys() {
    let app = app_with_accounts("keysexpire").await;
    let admin = app.key_for("default", &[Scope::Keys]).await;
    let (status, short) = mint(&app, &admin, json!({"account": OWN, "expires_in_days": 2})).await;
    assert_eq!(status, 201, "{short}");
    let (_, long) = mint(&app, &admin, json!({"account": OWN})).await;
    let (_, other) = mint(&app, &admin, json!({"account": NEIGHBOUR})).await;
    let created: chrono::DateTime<chrono::Utc> = long["data"]["created_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let expires: chrono::DateTime<chrono::Utc> = long["data"]["expires_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!((expires - created).num_days(), 90);
    assert!(short["data"]["key"].as_str().unwrap().starts_with("dcr_"));
    for bad in [json!(0), json!(401), json!("90"), json!(1.5)] {
        let body = json!({"account": OWN, "expires_in_days": bad});
        let (status, answer) = mint(&app, &admin, body).await;
        assert_eq!(status, 400, "{bad}: {answer}");
        assert_eq!(answer["error"]["details"][0]["field"], "expires_in_days");
    }

    let key = |minted: &Value| {
        let text = minted["data"]["key"].as_str().unwrap();
        ApiKey::from_authorization(&format!("Bearer {text}")).unwrap()
    };
    let (short_key, long_key) = (key(&short), key(&long));
    let read = |k: &ApiKey| {
        let resident = app.with_key(k);
        async move { resident.get_account(OWN).await.0 }
    };
    assert_eq!(read(&short_key).await, 200, "cached from now on");
    app.clock()
        .set(app.clock().now() + chrono::Duration::days(2));
    assert_eq!(read(&short_key).await, 401, "expired, though cached");
    assert_eq!(read(&long_key).await, 200, "positive control");

    let (status, listed) = app.with_key(&admin).get_keys(OWN).await;
    assert_eq!(status, 200, "{listed}");
    // Oldest first; two made in one second come in either order.
    let listed_short = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] == short["data"]["id"])
        .unwrap_or_else(|| panic!("{listed}"));
    assert_eq!(listed["data"].as_array().unwrap().len(), 2, "{listed}");
    assert_eq!(listed_short["expires_at"], short["data"]["expires_at"]);
    assert_eq!(listed_short["account"], OWN);
    let text = listed.to_string();
    assert!(!text.contains(short["data"]["key"].as_str().unwrap()));
    assert!(
        !text.contains(other["data"]["id"].as_str().unwrap()),
        "another account's"
    );
    let (status, answer) = app.with_key(&admin).get_keys("x").await;
    assert_eq!(
        (status, &answer["error"]["details"][0]["field"]),
        (400, &json!("account"))
    );
    // Neither the residents' keys nor 1C's may list keys.
    assert_eq!(app.with_key(&long_key).get_keys(OWN).await.0, 403);
    assert_eq!(
        app.get_keys(OWN).await.0,
        200,
        "the test app's key holds every scope"
    );
}

/// A key of no shape the API makes is refused without a read; an unknown key of the right
/// shape is read once and then remembered as unknown for a while.
#[tokio::test]
async fn made_up_keys_cost_no_reads_after_the_first() {
    let app = TestApp::new("keysflood").await;
    let (counted, calls) = app.counting_calls();
    let services = |key: &str| {
        let key = ApiKey::from_authorization(&format!("Bearer {key}")).unwrap();
        let request = crate::helpers::call(Endpoint::ServicesList).key(&key);
        let counted = &counted;
        async move { counted.answer(request).await.0 }
    };
    for _ in 0..3 {
        assert_eq!(services("dck_not-a-key").await, 401);
    }
    assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 0);
    let made_up = ApiKey::generate();
    for _ in 0..3 {
        assert_eq!(services(made_up.reveal()).await, 401);
    }
    assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 1);
    // Positive control: a real key is read and answers.
    assert_eq!(services(app.key.reveal()).await, 200);
}

/// One tenant's flood meets its own limit in a function instance (`429` with `Retry-After`,
/// no DynamoDB request) and leaves the instance to the others.
#[tokio::test]
async fn a_tenants_flood_meets_its_limit_and_leaves_the_others_theirs() {
    let app = TestApp::new("tenantlimit").await;
    let limit = api::TenantLimit {
        per_second: 0.001,
        burst: 3.0,
    };
    let limited = app.variant(|v| v.tenant_limit = limit);
    let other = limited.with_key(&app.key_for("other", &Scope::ALL).await);
    for _ in 0..3 {
        assert_eq!(limited.get(Endpoint::ServicesList, &[], &[]).await.0, 200);
    }
    let response = limited.respond(limited.to(Endpoint::ServicesList)).await;
    assert_eq!(response.status(), 429);
    let wait: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(wait >= 1, "{wait}");
    let (_, answer) = status_and_json(response);
    assert_eq!(answer["error"]["code"], "too_many_requests");
    // Positive control: another tenant on the same instance is answered.
    assert_eq!(other.get(Endpoint::ServicesList, &[], &[]).await.0, 200);
    // A resident's loop spends its account's tokens, not the office's.
    let app = app_with_accounts("residentlimit").await;
    let limited = app.variant(|v| v.tenant_limit = limit);
    let resident = limited.with_key(&app.key_bound_to("default", &Scope::FOR_ACCOUNT, OWN).await);
    for _ in 0..3 {
        assert_eq!(resident.get_account(OWN).await.0, 200);
    }
    assert_eq!(resident.get_account(OWN).await.0, 429);
    assert_eq!(
        limited.get_account(OWN).await.0,
        200,
        "the office is answered"
    );
}
