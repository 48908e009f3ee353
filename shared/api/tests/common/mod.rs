//! What the in-process tests share: fresh tables on DynamoDB Local, an `App` on them, and API
//! keys to call it with.
#![allow(dead_code)]

use api::App;
use domain::{ApiKey, PersonalData, Scope, Tenant};
use lambda_http::http::header::AUTHORIZATION;
use lambda_http::{Body, Request, Response};
use serde_json::Value;
use store::{Dynamo, Tables};

/// The app and a key of both scopes for the tenant `default`.
pub type Harness = (App<Dynamo>, ApiKey);

/// A file under the repository's `fixtures/`.
pub fn fixture(path: &str) -> String {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures");
    std::fs::read_to_string(format!("{root}/{path}")).unwrap()
}

pub async fn stack(test: &str) -> Dynamo {
    let (client, names) = localstack::fresh_tables(test).await;
    Dynamo::new(
        client,
        Tables::from_lookup(|var| names.get(var).cloned()).unwrap(),
    )
}

/// An app on fresh tables that stores personal data as sent (the tests read it back), and a key
/// with both scopes for the tenant `default`.
pub async fn app(test: &str) -> Harness {
    let app = App::new(stack(test).await, PersonalData::Store);
    let key = key(&app, "default", &Scope::ALL).await;
    (app, key)
}

pub async fn key(app: &App<Dynamo>, tenant: &str, scopes: &[Scope]) -> ApiKey {
    let key = ApiKey::generate();
    let tenant = Tenant::parse(tenant).unwrap();
    app.store()
        .create_key(&key.hash(), &tenant, scopes)
        .await
        .unwrap();
    key
}

pub fn tenant(name: &str) -> Tenant {
    Tenant::parse(name).unwrap()
}

pub fn authorized(mut request: Request, key: &ApiKey) -> Request {
    let header = format!("Bearer {}", key.reveal()).parse().unwrap();
    request.headers_mut().insert(AUTHORIZATION, header);
    request
}

pub fn post(key: &ApiKey, body: impl Into<Body>) -> Request {
    let request = lambda_http::http::Request::builder()
        .method("POST")
        .body(body.into())
        .unwrap();
    authorized(request, key)
}

/// Status and JSON body of an answer.
pub fn status_and_json(response: Response<Body>) -> (u16, Value) {
    let status = response.status().as_u16();
    let Body::Text(text) = response.body() else {
        panic!("no text body")
    };
    (status, serde_json::from_str(text).unwrap())
}
