//! What a browser may do: no write from another site's page, and the safety headers on every
//! answer.

use super::*;

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
