//! Whose data a request touches: one customer's 1C database.

use std::fmt;

/// A tenant's name: lower-case latin letters, digits, `-` and `_`, at most 64 characters, so it
/// can lead every storage key without escaping.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Tenant(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("имя арендатора: от 1 до 64 символов a-z, 0-9, '-' и '_'")]
pub struct BadTenant;

impl Tenant {
    pub fn parse(name: &str) -> Result<Self, BadTenant> {
        let ok = (1..=64).contains(&name.len())
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        ok.then(|| Self(name.to_owned())).ok_or(BadTenant)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Tenant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_names_cannot_break_keys() {
        assert!(Tenant::parse("okunevo-2").is_ok());
        for bad in ["", "a#b", "Okunevo", "окунево", &"x".repeat(65)] {
            assert_eq!(Tenant::parse(bad), Err(BadTenant), "{bad}");
        }
    }
}
