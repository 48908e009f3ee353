//! The envelope of every successful JSON answer, `{"data": ...}` (the JCat spec's, and the read
//! API's too), and the size limits an answer keeps to: Lambda answers at most 6 MB.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use serde::Serialize;

#[derive(Serialize)]
pub(crate) struct Data<T> {
    pub(crate) data: T,
}

/// A list answer: `{"data": {"items": [...], "next": "<token or null>"}}`.
#[derive(Serialize)]
pub(crate) struct List<T> {
    pub(crate) items: Vec<T>,
    pub(crate) next: Option<String>,
}

/// `200 {"data": data}`.
pub(crate) fn ok<T: Serialize>(data: T) -> Response<Body> {
    json_response(StatusCode::OK, &Data { data })
}

/// `201 {"data": data}`.
pub(crate) fn created<T: Serialize>(data: T) -> Response<Body> {
    json_response(StatusCode::CREATED, &Data { data })
}

/// `body` as JSON with `status`: every JSON answer, errors included, is made here.
pub fn json_response(status: StatusCode, body: &impl Serialize) -> Response<Body> {
    let body = serde_json::to_string(body).expect("answers serialize");
    Response::builder()
        .status(status)
        .header("content-type", "application/json; charset=utf-8")
        .body(Body::Text(body))
        .expect("static status and header are valid")
}

/// The most an answer's items may take as Lambda returns them (the body as a JSON string, so
/// each `"` and `\\` counted twice): Lambda answers at most 6 MB (API Gateway then answers
/// `502`). With one item of the largest size, which a page always takes, and the envelope, an
/// answer stays under 5.5 MB.
pub const ANSWER_BUDGET: usize = 5 * 1024 * 1024 / 2;

/// The most one stored item can take in an answer: DynamoDB's 400 KB, each byte written at
/// worst as seven (a control character as `\\u001f` in Lambda's JSON string).
pub const LARGEST_ITEM_ANSWER: usize = 7 * store::MAX_ITEM_BYTES;

/// Lambda's limit on an answer.
pub const LAMBDA_ANSWER_LIMIT: usize = 6 * 1024 * 1024;

// A page (the budget, the first item at its largest, 64 KB for the envelope and the headers)
// fits, or this does not compile.
const _: () = assert!(ANSWER_BUDGET + LARGEST_ITEM_ANSWER + 64 * 1024 < LAMBDA_ANSWER_LIMIT);

/// The bytes of `value` in Lambda's answer, where the body is a JSON string.
pub(crate) fn answer_size(value: &impl Serialize) -> usize {
    serde_json::to_vec(value).map_or(usize::MAX, |json| {
        json.len() + json.iter().filter(|&&b| b == b'"' || b == b'\\').count()
    })
}

/// The first values that fit in [`ANSWER_BUDGET`] (the first always does), and how many are
/// left.
pub(crate) fn within_budget<T: Serialize>(mut values: Vec<T>) -> (Vec<T>, usize) {
    let mut used = 0;
    let fit = values
        .iter()
        .position(|value| {
            used += answer_size(value) + 1;
            used > ANSWER_BUDGET
        })
        .map_or(values.len(), |at| at.max(1));
    let rest = values.split_off(fit);
    (values, rest.len())
}
