//! The request body as text, whatever way and in whatever encoding it arrived.
//!
//! 1C writes UTF-8 (with or without a byte-order mark), UTF-16 (`КодировкаТекста.UTF16`, with a
//! BOM) or windows-1251 (`КодировкаТекста.ANSI`). API Gateway hands a body that is not UTF-8 to
//! the function base64-encoded, and lambda_http decodes that into [`Body::Binary`]; such bytes
//! are decoded here by their BOM, else by the declared `charset`, else by a safe detection.

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1251};
use lambda_http::http::HeaderMap;
use lambda_http::http::header::CONTENT_TYPE;
use lambda_http::{Body, Request};

use crate::ApiError;

/// Lambda refuses a synchronous invocation whose event is over 6 MB (6,291,456 bytes) before the
/// function runs, with API Gateway's own error.
pub const MAX_EVENT_BYTES: usize = 6 * 1024 * 1024;

/// What the event needs besides the body: headers (API Gateway takes at most 10 KB of them),
/// path, query string and the request context, with room to spare.
pub const EVENT_RESERVE_BYTES: usize = 32 * 1024;

/// The most the body may take inside the event: a text body as a JSON string (quoted, escaped),
/// a binary one in base64. Above it the function answers `413` itself; well above it Lambda
/// refuses the event before the function runs.
pub const MAX_BODY_IN_EVENT: usize = MAX_EVENT_BYTES - EVENT_RESERVE_BYTES;

/// The largest binary (base64-carried) body: 4,694,013 bytes.
pub const MAX_BINARY_BODY: usize = (MAX_BODY_IN_EVENT - 2) / 4 * 3;

/// How many bytes `body` takes inside the Lambda event.
pub fn size_in_event(body: &Body) -> usize {
    match body {
        Body::Empty => 0,
        Body::Text(text) => 2 + escaped_len(text),
        Body::Binary(bytes) => 2 + bytes.len().div_ceil(3) * 4,
        _ => 0,
    }
}

/// The length of `text` as a JSON string's content: `"` and `\` and the short escapes take two
/// bytes, other control characters six.
fn escaped_len(text: &str) -> usize {
    text.bytes()
        .map(|b| match b {
            b'"' | b'\\' | b'\n' | b'\r' | b'\t' | 0x08 | 0x0c => 2,
            0x00..=0x1f => 6,
            _ => 1,
        })
        .sum()
}

/// The body as text. `413` when the event that carried it is too large for Lambda, `400
/// invalid_encoding` when its bytes are not text in the encoding they claim (or, with no claim,
/// in UTF-8, UTF-16 or windows-1251), `400 empty_body` when there is nothing but white space.
pub fn text(request: &Request) -> Result<Cow<'_, str>, ApiError> {
    let body = request.body();
    if size_in_event(body) > MAX_BODY_IN_EVENT {
        return Err(ApiError::PayloadTooLarge {
            limit: MAX_BODY_IN_EVENT,
        });
    }
    let text = match body {
        Body::Empty => Cow::Borrowed(""),
        // Already Unicode: it came as a JSON string inside the event, whatever charset it claims.
        Body::Text(text) => Cow::Borrowed(text.as_str()),
        Body::Binary(bytes) => decode(bytes, declared_charset(request.headers()))?,
        _ => return Err(ApiError::InvalidEncoding),
    };
    if text.trim_start_matches('\u{feff}').trim().is_empty() {
        return Err(ApiError::EmptyBody);
    }
    Ok(text)
}

/// The `charset` parameter of the `Content-Type`, if any.
fn declared_charset(headers: &HeaderMap) -> Option<&str> {
    let content_type = headers.get(CONTENT_TYPE)?.to_str().ok()?;
    content_type.split(';').skip(1).find_map(|parameter| {
        let (name, value) = parameter.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| value.trim().trim_matches('"'))
    })
}

/// Bytes to text: a byte-order mark decides first, then the declared charset; with neither,
/// UTF-16 is recognised by its zero bytes (JSON text has none), then UTF-8 if the bytes are
/// valid UTF-8, and windows-1251 otherwise (every byte is a character there; what is not 1C's
/// text then fails as JSON, never as a wrong guess at valid UTF-8).
pub fn decode<'b>(bytes: &'b [u8], charset: Option<&str>) -> Result<Cow<'b, str>, ApiError> {
    let (encoding, rest) = match Encoding::for_bom(bytes) {
        Some((encoding, bom)) => (encoding, &bytes[bom..]),
        None => {
            let declared = match charset {
                Some(label) => {
                    Some(Encoding::for_label(label.as_bytes()).ok_or(ApiError::InvalidEncoding)?)
                }
                None => None,
            };
            (declared.unwrap_or_else(|| detect(bytes)), bytes)
        }
    };
    // A declared `utf-16` without a BOM is read as little-endian, as browsers read it.
    encoding
        .decode_without_bom_handling_and_without_replacement(rest)
        .ok_or(ApiError::InvalidEncoding)
}

fn detect(bytes: &[u8]) -> &'static Encoding {
    match bytes {
        [0, b, ..] if *b != 0 => UTF_16BE,
        [b, 0, ..] if *b != 0 => UTF_16LE,
        _ if std::str::from_utf8(bytes).is_ok() => UTF_8,
        _ => WINDOWS_1251,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const JSON: &str =
        r#"{"services": [{"id": "7dc3cef2-a1b0-11e2-be89-b888e3dbaf94", "name": "Вода «ХВС»"}]}"#;

    fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
        let units = bom.then_some(0xfeff).into_iter().chain(text.encode_utf16());
        units
            .flat_map(|u| {
                if big_endian {
                    u.to_be_bytes()
                } else {
                    u.to_le_bytes()
                }
            })
            .collect()
    }

    #[test]
    fn every_encoding_1c_writes_decodes_to_the_same_text() {
        let (cp1251, _, unmappable) = WINDOWS_1251.encode(JSON);
        assert!(!unmappable);
        let bom_utf8 = [b"\xef\xbb\xbf".as_slice(), JSON.as_bytes()].concat();
        let cases: [(&[u8], Option<&str>); 9] = [
            (JSON.as_bytes(), None),
            (JSON.as_bytes(), Some("utf-8")),
            (&bom_utf8, None),
            (&cp1251, Some("windows-1251")),
            (&cp1251, Some("CP1251")),
            (&cp1251, None),
            (&utf16(JSON, false, true), None),
            (&utf16(JSON, true, true), Some("utf-16")),
            (&utf16(JSON, true, false), None),
        ];
        for (bytes, charset) in cases {
            assert_eq!(decode(bytes, charset).unwrap(), JSON, "{charset:?}");
        }
        assert_eq!(decode(&utf16(JSON, false, false), None).unwrap(), JSON);
    }

    #[test]
    fn bytes_that_are_not_their_declared_encoding_are_refused() {
        let (cp1251, _, _) = WINDOWS_1251.encode(JSON);
        for (bytes, charset) in [
            (cp1251.as_ref(), Some("utf-8")),
            (b"{\"a\": \"\xd8\x00\"}".as_slice(), Some("utf-16le")),
            (JSON.as_bytes(), Some("no-such-charset")),
        ] {
            assert!(
                matches!(decode(bytes, charset), Err(ApiError::InvalidEncoding)),
                "{charset:?}"
            );
        }
    }

    #[test]
    fn the_charset_parameter_is_found_however_written() {
        let mut headers = HeaderMap::new();
        for (value, want) in [
            (
                "application/json; charset=windows-1251",
                Some("windows-1251"),
            ),
            ("application/json;CHARSET=\"utf-8\"", Some("utf-8")),
            (
                "text/plain; format=flowed; charset = cp1251",
                Some("cp1251"),
            ),
            ("application/json", None),
        ] {
            headers.insert(CONTENT_TYPE, value.parse().unwrap());
            assert_eq!(declared_charset(&headers), want, "{value}");
        }
    }

    #[test]
    fn the_event_size_counts_escapes_and_base64() {
        assert_eq!(size_in_event(&Body::Text("ab".into())), 4);
        assert_eq!(
            size_in_event(&Body::Text("\"\\\n\u{1}я".into())),
            2 + 2 + 2 + 2 + 6 + 2
        );
        assert_eq!(size_in_event(&Body::Binary(vec![0; 4])), 2 + 8);
        let largest = Body::Binary(vec![b' '; MAX_BINARY_BODY]);
        assert!(size_in_event(&largest) <= MAX_BODY_IN_EVENT);
        let over = Body::Binary(vec![b' '; MAX_BINARY_BODY + 1]);
        assert!(size_in_event(&over) > MAX_BODY_IN_EVENT);
    }
}
