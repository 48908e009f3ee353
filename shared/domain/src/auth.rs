//! API keys and what they allow.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};

/// What a key may do: `import` for 1C's imports, `read` for every read (and for print links),
/// `submit` for residents' readings, `keys` for a residents' app to mint and revoke keys bound
/// to one account (granted only by the administrator's tool).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    Import,
    Read,
    Submit,
    Keys,
}

impl Scope {
    pub const ALL: [Scope; 4] = [Scope::Import, Scope::Read, Scope::Submit, Scope::Keys];

    /// What a new key of the administrator's tool has unless told otherwise: 1C's.
    pub const DEFAULT: [Scope; 2] = [Scope::Import, Scope::Read];

    /// What a key bound to one account may have at most.
    pub const FOR_ACCOUNT: [Scope; 2] = [Scope::Read, Scope::Submit];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Import => "import",
            Scope::Read => "read",
            Scope::Submit => "submit",
            Scope::Keys => "keys",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text.trim())
    }
}

/// A secret API key. Shown once when created; only its hash is stored. Never printed by Debug.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(…)")
    }
}

/// The SHA-256 of a key, hex, marked `r` in front for a resident's key: what the keys table
/// looks up (its store keeps residents' keys apart, where IAM confines the residents' app). A
/// key has 256 random bits, so a fast hash is enough: there is nothing to guess.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KeyHash(String);

/// How many days a resident's key lives unless its maker says otherwise, and at most.
pub const RESIDENT_KEY_DAYS: u16 = 90;
pub const MAX_RESIDENT_KEY_DAYS: u16 = 400;

impl ApiKey {
    /// An office's key (1C's, the residents' app's backend's).
    const PREFIX: &'static str = "dck_";
    /// A resident's key: bound to one account.
    const RESIDENT_PREFIX: &'static str = "dcr_";
    /// 32 bytes in unpadded base64url.
    const SECRET_CHARS: usize = 43;

    /// An office's key: 32 bytes from the operating system's random source.
    pub fn generate() -> Self {
        Self::generated(Self::PREFIX)
    }

    /// A resident's key, to be bound to one account.
    pub fn generate_resident() -> Self {
        Self::generated(Self::RESIDENT_PREFIX)
    }

    fn generated(prefix: &str) -> Self {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).expect("the OS random source is available");
        Self(format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes)))
    }

    /// Whether it has the shape of a key this API makes (its prefix, then 43 base64url
    /// characters): anything else is refused without a read of the keys table.
    pub fn well_formed(&self) -> bool {
        let secret = self
            .0
            .strip_prefix(Self::PREFIX)
            .or_else(|| self.0.strip_prefix(Self::RESIDENT_PREFIX));
        let base64url = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
        secret.is_some_and(|s| s.len() == Self::SECRET_CHARS && s.bytes().all(base64url))
    }

    /// The key of an `Authorization` header: `Bearer <key>`, or HTTP Basic with the key as the
    /// password (1C's `HTTPСоединение` sends Basic natively; the user name is not checked).
    pub fn from_authorization(header: &str) -> Option<Self> {
        let (scheme, value) = header.trim().split_once(' ')?;
        let key = if scheme.eq_ignore_ascii_case("bearer") {
            value.trim().to_owned()
        } else if scheme.eq_ignore_ascii_case("basic") {
            let decoded = STANDARD.decode(value.trim()).ok()?;
            let decoded = String::from_utf8(decoded).ok()?;
            decoded.split_once(':')?.1.to_owned()
        } else {
            return None;
        };
        (!key.is_empty() && key.len() <= 256).then_some(Self(key))
    }

    pub fn hash(&self) -> KeyHash {
        let hex = hex(&Sha256::digest(self.0.as_bytes()));
        if self.0.starts_with(Self::RESIDENT_PREFIX) {
            KeyHash(format!("r{hex}"))
        } else {
            KeyHash(hex)
        }
    }

    /// The secret itself, for the one time it is shown.
    pub fn reveal(&self) -> &str {
        &self.0
    }
}

impl KeyHash {
    /// A hash as [`ApiKey::hash`] writes it (64 lowercase hex digits, `r` in front for a
    /// resident's key), and nothing else.
    pub fn parse(text: &str) -> Option<Self> {
        let digits = text.strip_prefix('r').unwrap_or(text);
        let hex = |b: u8| b.is_ascii_digit() || (b'a'..=b'f').contains(&b);
        (digits.len() == 64 && digits.bytes().all(hex)).then(|| Self(text.to_owned()))
    }

    /// Its text: what [`KeyHash::parse`] reads back.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The SHA-256 itself, hex.
    pub fn hex(&self) -> &str {
        self.0.strip_prefix('r').unwrap_or(&self.0)
    }

    /// Whether it is a resident's key's (bound to one account).
    pub fn is_resident(&self) -> bool {
        self.0.starts_with('r')
    }

    /// A short public name for the key (the hash's first 12 hex digits), for lists and revoking.
    pub fn id(&self) -> &str {
        &self.hex()[..12]
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_are_long_random_and_hide_in_debug() {
        let (a, b) = (ApiKey::generate(), ApiKey::generate());
        assert_ne!(a, b);
        assert!(a.reveal().len() >= 4 + 43);
        assert_eq!(format!("{a:?}"), "ApiKey(…)");
        assert_eq!(a.hash().as_str().len(), 64);
        assert_eq!(
            a.hash(),
            ApiKey::from_authorization(&format!("Bearer {}", a.reveal()))
                .unwrap()
                .hash()
        );
    }

    #[test]
    fn basic_authentication_carries_the_key_as_password() {
        let header = format!("Basic {}", STANDARD.encode("okunevo:dck_secret"));
        assert_eq!(
            ApiKey::from_authorization(&header).unwrap().reveal(),
            "dck_secret"
        );
        assert_eq!(
            ApiKey::from_authorization("bearer  dck_x ")
                .unwrap()
                .reveal(),
            "dck_x"
        );
        for bad in [
            "",
            "Bearer",
            "Bearer ",
            "Token x",
            "Basic !!!",
            &format!("Basic {}", STANDARD.encode("nocolon")),
        ] {
            assert!(ApiKey::from_authorization(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn only_a_key_of_the_apis_shape_is_looked_up_and_a_residents_is_marked() {
        let (office, resident) = (ApiKey::generate(), ApiKey::generate_resident());
        assert!(office.well_formed() && resident.well_formed());
        assert!(!office.hash().is_resident());
        assert!(resident.hash().is_resident());
        assert_eq!(resident.hash().id().len(), 12);
        assert_eq!(
            KeyHash::parse(resident.hash().as_str()),
            Some(resident.hash())
        );
        assert_eq!(KeyHash::parse(office.hash().as_str()), Some(office.hash()));
        let shaped = |k: &str| ApiKey::from_authorization(&format!("Bearer {k}")).unwrap();
        for made_up in [
            "x".to_owned(),
            "dck_short".to_owned(),
            format!("dck_{}", "a".repeat(44)),
            format!("dcx_{}", "a".repeat(43)),
            format!("dck_{}!", "a".repeat(42)),
        ] {
            assert!(!shaped(&made_up).well_formed(), "{made_up}");
        }
        assert!(shaped(&format!("dcr_{}", "a-_9".repeat(10) + "abc")).well_formed());
    }
}
