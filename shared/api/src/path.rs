//! The parameters of a request's path, as the client wrote them, parsed once.

use std::borrow::Cow;

use domain::json::Value as JsonValue;
use domain::{ActNumber, Guid};
use lambda_http::{Request, RequestExt};

use crate::ApiError;

/// The path parameter `name`, percent-decoded: API Gateway's HTTP APIs hand the function the
/// path decoded, cargo lambda's emulator as sent (`%20`). A valid value (digits, a GUID) has no
/// `%`, so decoding what AWS already decoded changes nothing the parsers take.
pub(crate) fn path_param(request: &Request, name: &str) -> String {
    let params = request.path_parameters();
    let raw = params.first(name).unwrap_or_default();
    match percent_encoding::percent_decode_str(raw).decode_utf8_lossy() {
        Cow::Borrowed(same) => same.to_owned(),
        Cow::Owned(decoded) => decoded,
    }
}

/// The `{id}` of the path, a GUID.
pub(crate) fn path_id(request: &Request) -> Result<Guid, ApiError> {
    guid_param("id", &path_param(request, "id"))
}

/// A parameter `name` (of the path or the query) that must be a GUID: `400` naming it else.
pub(crate) fn guid_param(name: &'static str, text: &str) -> Result<Guid, ApiError> {
    match Guid::parse(&JsonValue::String(text.into())) {
        Ok(Some(id)) => Ok(id),
        _ => Err(ApiError::invalid_parameter(
            name,
            "ожидается GUID вида xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx",
        )),
    }
}

/// The act number of the path's `{act_id}`.
pub(crate) fn act_number(request: &Request) -> Result<ActNumber, ApiError> {
    ActNumber::parse_param(&path_param(request, "act_id"))
        .map_err(|message| ApiError::invalid_parameter("act_id", message))
}
