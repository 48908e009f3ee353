//! Shareable print links against DynamoDB Local: a link opens its act's page with no
//! credentials until it expires, and nothing else does.

use domain::{Scope, SigningKey};
use serde_json::json;

use crate::helpers::{TestApp, spec_info_act, status_and_json};

const HOUR: i64 = 3600;

async fn app_with_act(test: &str) -> TestApp {
    let app = TestApp::new(test).await;
    let mut second = spec_info_act();
    second["act_number"] = json!(778);
    let (status, answer) = app.post_acts(&[spec_info_act(), second]).await;
    assert_eq!(status, 201, "{answer}");
    app
}

async fn link(app: &TestApp, act_id: &str, query: &[(&str, &str)]) -> (String, String) {
    let (status, answer) = app.post_print_link(act_id, query).await;
    assert_eq!(status, 201, "{answer}");
    let data = &answer["data"];
    (
        data["url"].as_str().unwrap().to_owned(),
        data["expires_at"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn a_link_opens_its_act_without_credentials_until_it_expires() {
    let app = app_with_act("printlink").await;
    let number = "777";
    let (url, expires_at) = link(&app, number, &[]).await;
    assert!(
        url.contains(&format!("/v1/billing/act_info/{number}/print?link=")),
        "{url}"
    );
    let expected = app.clock().now() + chrono::Duration::hours(24);
    let expires = chrono::DateTime::parse_from_rfc3339(&expires_at).unwrap();
    assert!(
        (expires.timestamp() - expected.timestamp()).abs() <= 1,
        "{expires_at}"
    );

    let page = app.open_print_link(&url).await;
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["referrer-policy"], "no-referrer");
    let lambda_http::Body::Text(html) = page.body() else {
        panic!("no page")
    };
    assert!(html.contains(number), "the act's page");

    // Just before the end it opens, at the end it is gone.
    app.clock()
        .advance(chrono::Duration::seconds(24 * HOUR - 2));
    assert_eq!(app.open_print_link(&url).await.status(), 200);
    app.clock().advance(chrono::Duration::seconds(2));
    let (status, answer) = status_and_json(app.open_print_link(&url).await);
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (404, Some("not_found"))
    );

    // ttl_hours: up to 720.
    let (url, _) = link(&app, number, &[("ttl_hours", "720")]).await;
    app.clock().advance(chrono::Duration::seconds(719 * HOUR));
    assert_eq!(app.open_print_link(&url).await.status(), 200);
    for bad in ["0", "721", "abc", "1.5"] {
        let (status, answer) = app.post_print_link(number, &[("ttl_hours", bad)]).await;
        assert_eq!(status, 400, "{bad}");
        assert_eq!(answer["error"]["details"][0]["field"], "ttl_hours");
    }
}

#[tokio::test]
async fn tampered_foreign_or_unknown_links_are_404() {
    let app = app_with_act("printbad").await;
    let (url, _) = link(&app, "777", &[]).await;
    let (path, token) = url.split_once("?link=").unwrap();
    let mut flipped = token.as_bytes().to_vec();
    flipped[10] = if flipped[10] == b'A' { b'B' } else { b'A' };
    let flipped = String::from_utf8(flipped).unwrap();
    let other_act = path.replace("/777/print", "/778/print");
    for forged in [
        format!("{path}?link={flipped}"),
        format!("{path}?link=AAAA"),
        format!("{other_act}?link={token}"),
    ] {
        let (status, answer) = status_and_json(app.open_print_link(&forged).await);
        assert_eq!(status, 404, "{forged}: {answer}");
    }
    // A blank link is no link: a key is asked for.
    assert_eq!(
        app.open_print_link(&format!("{path}?link= "))
            .await
            .status(),
        401
    );
    // Another deployment (or this one after its signing key was rotated) does not take it.
    let rotated = app.with_signing_key(SigningKey::new(&[9; 32]).unwrap());
    assert_eq!(rotated.open_print_link(&url).await.status(), 404);
    // An act that is not there (or another tenant's) gets no link.
    let (status, _) = app.post_print_link("999", &[]).await;
    assert_eq!(status, 404);
    let other = app.fresh_tenant("other").await;
    assert_eq!(other.post_print_link("777", &[]).await.0, 404);
    // Making a link needs `read`.
    let importer = app.key_for("default", &[Scope::Import]).await;
    assert_eq!(
        app.with_key(&importer).post_print_link("777", &[]).await.0,
        403
    );
}

#[tokio::test]
async fn a_link_dies_with_the_key_that_issued_it() {
    let app = app_with_act("printrevoke").await;
    let reader = app.key_for("default", &[Scope::Read]).await;
    let (url, _) = link(&app.with_key(&reader), "777", &[]).await;
    let (kept, _) = link(&app, "777", &[]).await;
    assert_eq!(app.open_print_link(&url).await.status(), 200);
    assert!(app.store().revoke_key(reader.hash().id()).await.unwrap());
    // Once the key cache's minute is over (a fresh cache here), the link is gone; another
    // key's link is not.
    let later = app.without_key_cache();
    assert_eq!(later.open_print_link(&url).await.status(), 404);
    assert_eq!(later.open_print_link(&kept).await.status(), 200);
}

/// A link opens only the document of 1C it was made for: after that act is deleted it is
/// `404`, back when 1C sends the act again, and `404` for good once another document takes
/// the number.
#[tokio::test]
async fn a_link_dies_with_its_act_and_never_opens_another_document() {
    let app = TestApp::new("printlinkdoc").await;
    const FIRST: &str = "6f1c7a52-1b0e-11e9-80d4-0050569c3f5e";
    const SECOND: &str = "0b9d35a4-1b0f-11e9-80d4-0050569c3f5e";
    let mut act = spec_info_act();
    act["id"] = json!(FIRST);
    assert_eq!(app.post_acts(&[act.clone()]).await.0, 201);
    let (url, _) = link(&app, "777", &[]).await;
    assert_eq!(
        app.open_print_link(&url).await.status(),
        200,
        "positive control"
    );

    let mut deleted = act.clone();
    deleted["deleted"] = json!(true);
    assert_eq!(app.post_acts(&[deleted]).await.0, 201);
    assert_eq!(app.open_print_link(&url).await.status(), 404, "deleted");
    assert_eq!(app.get_act_print("777").await.status(), 404, "deleted");

    assert_eq!(app.post_acts(&[act.clone()]).await.0, 201);
    assert_eq!(app.open_print_link(&url).await.status(), 200, "sent again");

    // 1C deletes it and numbers a new document 777 (its numbering began again).
    let mut deleted = act.clone();
    deleted["deleted"] = json!(true);
    assert_eq!(app.post_acts(&[deleted]).await.0, 201);
    let mut other = act;
    other["id"] = json!(SECOND);
    assert_eq!(app.post_acts(&[other]).await.0, 201);
    assert_eq!(app.get_act_info("777").await.0, 200);
    let (status, answer) = status_and_json(app.open_print_link(&url).await);
    assert_eq!(status, 404, "{answer}");
    let (url, _) = link(&app, "777", &[]).await;
    assert_eq!(
        app.open_print_link(&url).await.status(),
        200,
        "its own link"
    );
}
