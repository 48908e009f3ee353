//! The request body as text, whatever way it arrived.

use std::borrow::Cow;

use lambda_http::{Body, Request};

use crate::ApiError;

/// A synchronous Lambda invocation carries at most 6 MB; `make run` enforces the same limit so
/// that what works locally works in AWS.
pub const MAX_BODY_BYTES: usize = 6 * 1024 * 1024;

/// API Gateway passes a binary payload base64-encoded and lambda_http decodes it into
/// [`Body::Binary`]; 1C may send any `Content-Type` or none. Either way the bytes must be UTF-8.
pub fn text(request: &Request) -> Result<Cow<'_, str>, ApiError> {
    let text = match request.body() {
        Body::Empty => "",
        Body::Text(text) => text.as_str(),
        Body::Binary(bytes) => std::str::from_utf8(bytes).map_err(|_| ApiError::NotUtf8)?,
        _ => return Err(ApiError::NotUtf8),
    };
    if text.len() > MAX_BODY_BYTES {
        return Err(ApiError::PayloadTooLarge {
            limit: MAX_BODY_BYTES,
        });
    }
    if text.trim_start_matches('\u{feff}').trim().is_empty() {
        return Err(ApiError::EmptyBody);
    }
    Ok(Cow::Borrowed(text))
}
