//! Reading the JSON that 1C actually sends.
//!
//! 1C's `ЗаписьJSON` and hand-built exports differ from strict JSON in ways the spec itself shows:
//! a byte-order mark, trailing commas before `}` and `]`, keys with stray spaces (`"email "`).
//! This module turns such a body into a list of items whose fields are looked up by their trimmed,
//! lower-cased names, and whose values keep their exact source text (numbers are never f64).

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

/// Why a body is not an import envelope. Never carries body content: it may hold personal data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    #[error("тело запроса не является JSON (строка {line}, столбец {column})")]
    NotJson { line: usize, column: usize },
    #[error("тело запроса должно быть JSON-объектом")]
    NotAnObject,
    #[error("в теле запроса нет ключа \"{0}\"")]
    MissingCollection(&'static str),
    #[error("значение ключа \"{0}\" должно быть массивом")]
    NotAnArray(&'static str),
}

/// Removes a leading UTF-8 byte-order mark and every comma that directly precedes `}` or `]`
/// (outside strings). Borrows when there is nothing to remove, which is the common case.
pub fn normalise(text: &str) -> Cow<'_, str> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let bytes = text.as_bytes();
    let mut trailing = Vec::new();
    let mut in_string = false;
    let mut escaped = false;
    let mut pending_comma: Option<usize> = None;
    for (i, &b) in bytes.iter().enumerate() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => {
                in_string = true;
                pending_comma = None;
            }
            b',' => pending_comma = Some(i),
            b'}' | b']' => {
                if let Some(at) = pending_comma.take() {
                    trailing.push(at);
                }
            }
            b' ' | b'\t' | b'\r' | b'\n' => {}
            _ => pending_comma = None,
        }
    }
    if trailing.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    for at in trailing {
        out.push_str(&text[from..at]);
        from = at + 1;
    }
    out.push_str(&text[from..]);
    Cow::Owned(out)
}

/// The items of `{"<collection>": [ ... ]}`; the key is matched ignoring case and stray spaces.
pub fn collection<'a>(
    body: &'a str,
    key: &'static str,
) -> Result<Vec<&'a RawValue>, EnvelopeError> {
    let top: &RawValue = serde_json::from_str(body).map_err(not_json)?;
    let fields = Fields::parse(top).ok_or(EnvelopeError::NotAnObject)?;
    match fields.get(key) {
        Value::Missing | Value::Null => Err(EnvelopeError::MissingCollection(key)),
        Value::Array(raw) => serde_json::from_str(raw).map_err(not_json),
        _ => Err(EnvelopeError::NotAnArray(key)),
    }
}

fn not_json(e: serde_json::Error) -> EnvelopeError {
    // serde_json's own message may quote the input; only the position is passed on.
    EnvelopeError::NotJson {
        line: e.line(),
        column: e.column(),
    }
}

/// One JSON object's fields by normalised name, values kept as their source text.
#[derive(Debug)]
pub struct Fields<'a> {
    fields: Vec<(String, &'a RawValue)>,
}

/// A field's value, classified but not yet interpreted.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    Missing,
    Null,
    Bool(bool),
    /// A JSON number's exact source text.
    Number(&'a str),
    String(Cow<'a, str>),
    /// An array's source text.
    Array(&'a str),
    /// An object's source text.
    Object(&'a str),
}

impl<'a> Fields<'a> {
    /// `None` when the value is not a JSON object.
    pub fn parse(raw: &'a RawValue) -> Option<Self> {
        if !raw.get().starts_with('{') {
            return None;
        }
        let map: Vec<(String, &'a RawValue)> =
            serde_json::from_str::<Entries<'a>>(raw.get()).ok()?.0;
        let fields = map
            .into_iter()
            .map(|(name, value)| (normalise_name(&name), value))
            .collect();
        Some(Self { fields })
    }

    /// The value of `name` (given in its normal form: lower case, no spaces); the last one wins
    /// when 1C repeats a key.
    pub fn get(&self, name: &str) -> Value<'a> {
        match self.fields.iter().rev().find(|(k, _)| k == name) {
            None => Value::Missing,
            Some((_, raw)) => Value::classify(raw),
        }
    }
}

fn normalise_name(name: &str) -> String {
    name.trim().to_lowercase()
}

impl<'a> Value<'a> {
    fn classify(raw: &'a RawValue) -> Self {
        let text = raw.get();
        match text.as_bytes().first() {
            Some(b'"') => match serde_json::from_str::<Str<'a>>(text) {
                Ok(Str(s)) => Value::String(s),
                Err(_) => Value::Missing,
            },
            Some(b'n') => Value::Null,
            Some(b't') => Value::Bool(true),
            Some(b'f') => Value::Bool(false),
            Some(b'[') => Value::Array(text),
            Some(b'{') => Value::Object(text),
            _ => Value::Number(text),
        }
    }
}

#[derive(Deserialize)]
struct Str<'a>(#[serde(borrow)] Cow<'a, str>);

/// An object's entries in source order, keeping duplicates (serde maps would drop them silently).
struct Entries<'a>(Vec<(String, &'a RawValue)>);

impl<'de: 'a, 'a> Deserialize<'de> for Entries<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Entries<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(
                self,
                mut m: M,
            ) -> Result<Self::Value, M::Error> {
                let mut entries = Vec::with_capacity(m.size_hint().unwrap_or(10));
                while let Some(entry) = m.next_entry::<String, &'de RawValue>()? {
                    entries.push(entry);
                }
                Ok(Entries(entries))
            }
        }
        d.deserialize_map(Visit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_bom_and_trailing_commas_but_not_commas_in_strings() {
        let body = "\u{feff}{\"a\": [1, 2, ], \"b\": \"x, }\", \"c\": {\"d\": 1,\n}, }";
        assert_eq!(
            normalise(body),
            "{\"a\": [1, 2 ], \"b\": \"x, }\", \"c\": {\"d\": 1\n} }"
        );
    }

    #[test]
    fn leaves_clean_json_borrowed() {
        assert!(matches!(normalise("{\"a\": \"\\\",]\"}"), Cow::Borrowed(_)));
    }

    #[test]
    fn collection_is_found_whatever_the_key_case_and_spaces() {
        let items = collection("{\" Services \": [{\"id\": 1}, 2]}", "services").unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[1].get(), "2");
    }

    #[test]
    fn envelope_errors_are_specific() {
        assert_eq!(
            collection("{\"services\": {}}", "services").unwrap_err(),
            EnvelopeError::NotAnArray("services")
        );
        assert_eq!(
            collection("{\"accounts\": []}", "services").unwrap_err(),
            EnvelopeError::MissingCollection("services")
        );
        assert_eq!(
            collection("[]", "services").unwrap_err(),
            EnvelopeError::NotAnObject
        );
        assert_eq!(
            collection("{\"services\": [\n{]", "services").unwrap_err(),
            EnvelopeError::NotJson { line: 2, column: 2 }
        );
    }

    #[test]
    fn not_json_error_does_not_quote_the_body() {
        let err = collection("{\"services\": \"Смирнова\" x}", "services").unwrap_err();
        assert!(!err.to_string().contains("Смирнова"));
    }

    #[test]
    fn fields_keep_exact_number_text_and_normalise_names() {
        let raw: &RawValue = serde_json::from_str(
            "{\"email \": \"a@b.ru\", \"Amount\": -20394.860, \"x\": null, \"y\": \"\\u0041\"}",
        )
        .unwrap();
        let f = Fields::parse(raw).unwrap();
        assert_eq!(f.get("email"), Value::String("a@b.ru".into()));
        assert_eq!(f.get("amount"), Value::Number("-20394.860"));
        assert_eq!(f.get("x"), Value::Null);
        assert_eq!(f.get("y"), Value::String("A".into()));
        assert_eq!(f.get("z"), Value::Missing);
    }

    #[test]
    fn non_objects_have_no_fields() {
        let raw: &RawValue = serde_json::from_str("[1]").unwrap();
        assert!(Fields::parse(raw).is_none());
    }
}
