//! The envelope of every successful JSON answer: `{"data": ...}` (the JCat spec's, and the read
//! API's too).

use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use serde::Serialize;

use crate::json_response;

#[derive(Serialize)]
pub(crate) struct Data<T> {
    pub(crate) data: T,
}

/// `200 {"data": data}`.
pub(crate) fn ok<T: Serialize>(data: T) -> Response<Body> {
    json_response(StatusCode::OK, &Data { data })
}

/// `201 {"data": data}`.
pub(crate) fn created<T: Serialize>(data: T) -> Response<Body> {
    json_response(StatusCode::CREATED, &Data { data })
}
