//! What a browser may do with the API: read, never write from another site's page.
//!
//! A browser that once logged in with Basic (to open a printable act) sends that login with
//! every later request to the API's host, also with a form that another site's page submits.
//! Such a request says where it comes from: browsers send `Origin` with every cross-origin POST
//! (Firefox since 70, Chrome and Safari for longer), and `Sec-Fetch-Site` (Chrome 76, Firefox 90,
//! Safari 16.4). 1C's `HTTPСоединение` and other programs send neither, so they are not
//! affected, whatever their Content-Type. A browser older than those sends neither either: the
//! API accepts any Content-Type from 1C (windows-1251 as `text/plain`), so it cannot tell such a
//! browser's form from 1C.

use lambda_http::http::{HeaderValue, Method};
use lambda_http::{Body, Request, Response};

use crate::ApiError;

/// Refuses a request other than GET that a browser sent from a page: one with an `Origin`
/// header, or a `Sec-Fetch-Site` other than `same-origin` or `none` (typed by the user).
pub(crate) fn refuse_cross_site(request: &Request) -> Result<(), ApiError> {
    if request.method() == Method::GET || request.method() == Method::HEAD {
        return Ok(());
    }
    let headers = request.headers();
    let from_a_page = headers.contains_key("origin")
        || headers
            .get("sec-fetch-site")
            .is_some_and(|site| !matches!(site.as_bytes(), b"same-origin" | b"none"));
    if from_a_page {
        return Err(ApiError::CrossSite);
    }
    Ok(())
}

/// Headers every answer carries: no content sniffing, no caching of what may be personal data,
/// and an HTML page never framed by another site's page.
pub(crate) fn harden(mut response: Response<Body>) -> Response<Body> {
    let is_html = response
        .headers()
        .get("content-type")
        .is_some_and(|t| t.as_bytes().starts_with(b"text/html"));
    let headers = response.headers_mut();
    headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    headers.insert("cache-control", HeaderValue::from_static("no-store"));
    if is_html {
        headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
    }
    response
}
