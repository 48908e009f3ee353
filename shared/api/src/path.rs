//! The parameters of a request's path, as the client wrote them.

use std::borrow::Cow;

use lambda_http::{Request, RequestExt};

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
