//! The deployment's secrets and what is made with them: tokens only the API can issue (history
//! cursors, print links) and keys derived per tenant (pseudonyms). The values come from AWS
//! Secrets Manager at a function's cold start (`store::secrets`); this module never sees where.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::XChaCha20Poly1305;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// A secret of the deployment. `template.yaml` generates each one in Secrets Manager and hands
/// its ARN only to the functions that need it (`api::Endpoint::secrets`); `make run` and the
/// tests give the value itself in a variable of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Secret {
    /// The HMAC key of pseudonymised personal data (import of accounts only).
    PersonalDataKey,
    /// Signs what the API hands out and takes back: history cursors and print links.
    SigningKey,
}

impl Secret {
    pub const ALL: [Secret; 2] = [Secret::PersonalDataKey, Secret::SigningKey];

    /// The shortest value taken: 32 bytes, 256 bits when random.
    pub const MIN_BYTES: usize = 32;

    /// The variable that holds the ARN of its Secrets Manager secret (a deployment).
    pub fn arn_variable(self) -> &'static str {
        match self {
            Secret::PersonalDataKey => "PERSONAL_DATA_KEY_SECRET",
            Secret::SigningKey => "SIGNING_KEY_SECRET",
        }
    }

    /// The variable that holds the value itself (`make run`, tests): never set in a deployment.
    pub fn value_variable(self) -> &'static str {
        match self {
            Secret::PersonalDataKey => "PERSONAL_DATA_KEY",
            Secret::SigningKey => "SIGNING_KEY",
        }
    }

    /// Its resource in `template.yaml`.
    pub fn resource(self) -> &'static str {
        match self {
            Secret::PersonalDataKey => "PersonalDataKeySecret",
            Secret::SigningKey => "SigningKeySecret",
        }
    }
}

/// A key of 32 bytes or more, derived from a secret for one use: the secret itself never
/// signs or hashes anything, so that a token of one kind can never pass for another.
#[derive(Clone)]
pub struct DerivedKey([u8; 32]);

impl fmt::Debug for DerivedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DerivedKey(…)")
    }
}

impl DerivedKey {
    /// HKDF-SHA256 (RFC 5869) of `secret`, for `purpose` and `context` (a tenant's id).
    pub fn derive(secret: &[u8], purpose: &str, context: &str) -> Self {
        let mut info = Vec::with_capacity(purpose.len() + 1 + context.len());
        info.extend_from_slice(purpose.as_bytes());
        info.push(0);
        info.extend_from_slice(context.as_bytes());
        let mut key = [0u8; 32];
        Hkdf::<Sha256>::new(None, secret)
            .expand(&info, &mut key)
            .expect("32 bytes is a valid HKDF-SHA256 length");
        Self(key)
    }

    /// HMAC-SHA256 of `parts`, each prefixed by its length so that no two lists of parts
    /// make the same message.
    pub fn mac(&self, parts: &[&[u8]]) -> Hmac<Sha256> {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.0).expect("HMAC takes any key length");
        for part in parts {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part);
        }
        mac
    }
}

/// Seals what the API hands out to be given back (cursors, print links): a token is its
/// payload encrypted and authenticated (XChaCha20-Poly1305) under a key derived for its purpose,
/// bound to the context it was issued for (who asked, which endpoint, which query). A caller can
/// neither read a token nor make one.
#[derive(Clone)]
pub struct SigningKey(Vec<u8>);

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningKey(…)")
    }
}

/// The random nonce at the head of a token.
const NONCE_BYTES: usize = 24;

impl SigningKey {
    /// The deployment's signing secret; `None` when it is shorter than [`Secret::MIN_BYTES`].
    pub fn new(secret: &[u8]) -> Option<Self> {
        (secret.len() >= Secret::MIN_BYTES).then(|| Self(secret.to_vec()))
    }

    fn cipher(&self, purpose: &str) -> XChaCha20Poly1305 {
        let key = DerivedKey::derive(&self.0, purpose, "");
        XChaCha20Poly1305::new((&key.0).into())
    }

    /// `payload` as a URL-safe token that only this key makes and reads, for `purpose` and
    /// `context`.
    pub fn seal(&self, purpose: &str, context: &[&str], payload: &[u8]) -> String {
        let mut nonce = [0u8; NONCE_BYTES];
        getrandom::fill(&mut nonce).expect("the system's random source");
        let aad = associated(context);
        let sealed = self
            .cipher(purpose)
            .encrypt(
                (&nonce).into(),
                Payload {
                    msg: payload,
                    aad: &aad,
                },
            )
            .expect("a payload of any length encrypts");
        let mut token = nonce.to_vec();
        token.extend_from_slice(&sealed);
        URL_SAFE_NO_PAD.encode(token)
    }

    /// The payload of a token this key sealed for the same `purpose` and `context`; `None` for
    /// anything else.
    pub fn open(&self, purpose: &str, context: &[&str], token: &str) -> Option<Vec<u8>> {
        let bytes = URL_SAFE_NO_PAD.decode(token.trim()).ok()?;
        if bytes.len() < NONCE_BYTES {
            return None;
        }
        let (nonce, sealed) = bytes.split_at(NONCE_BYTES);
        let aad = associated(context);
        self.cipher(purpose)
            .decrypt(
                nonce.into(),
                Payload {
                    msg: sealed,
                    aad: &aad,
                },
            )
            .ok()
    }
}

/// The context a token is bound to, each part prefixed by its length so that no two lists of
/// parts make the same bytes.
fn associated(context: &[&str]) -> Vec<u8> {
    let mut aad = Vec::new();
    for part in context {
        aad.extend_from_slice(&(part.len() as u64).to_be_bytes());
        aad.extend_from_slice(part.as_bytes());
    }
    aad
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_opens_only_with_its_key_purpose_and_context() {
        let key = SigningKey::new(&[7; 32]).unwrap();
        let token = key.seal("cursor", &["t1", "balances"], b"2018-06-30#x");
        assert_eq!(
            key.open("cursor", &["t1", "balances"], &token).as_deref(),
            Some(&b"2018-06-30#x"[..])
        );
        assert_eq!(key.open("cursor", &["t2", "balances"], &token), None);
        assert_eq!(key.open("cursor", &["t1", "readings"], &token), None);
        assert_eq!(key.open("print", &["t1", "balances"], &token), None);
        // Parts are length-prefixed: moving a byte between them is another context.
        assert_eq!(key.open("cursor", &["t1b", "alances"], &token), None);
        let other = SigningKey::new(&[8; 32]).unwrap();
        assert_eq!(other.open("cursor", &["t1", "balances"], &token), None);
        let mut tampered = token.clone().into_bytes();
        tampered[0] = if tampered[0] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(tampered).unwrap();
        assert_eq!(key.open("cursor", &["t1", "balances"], &tampered), None);
        for junk in ["", "!!", "AAAA", &"A".repeat(3000)] {
            assert_eq!(key.open("cursor", &["t1", "balances"], junk), None);
        }
        assert!(SigningKey::new(&[1; 31]).is_none());
        assert_eq!(format!("{key:?}"), "SigningKey(…)");
    }

    /// A cursor carries the last item DynamoDB evaluated: the token must not show it.
    #[test]
    fn a_token_shows_nothing_of_its_payload_and_never_repeats() {
        let key = SigningKey::new(&[7; 32]).unwrap();
        let payload = b"2026-11-25T09:00:00#6f1c7a52-1b0e-11e9-80d4-0050569c3f5e";
        let token = key.seal("cursor", &["t1"], payload);
        let bytes = URL_SAFE_NO_PAD.decode(&token).unwrap();
        assert!(!bytes.windows(8).any(|w| payload.windows(8).any(|p| p == w)));
        assert!(!token.contains("6f1c7a52"));
        assert_ne!(
            token,
            key.seal("cursor", &["t1"], payload),
            "a fresh nonce each time"
        );
        // Positive control: the payload is there for the key.
        assert_eq!(key.open("cursor", &["t1"], &token).unwrap(), payload);
    }

    #[test]
    fn derived_keys_differ_by_purpose_and_context() {
        let a = DerivedKey::derive(b"secret", "pseudonym", "t1").0;
        assert_eq!(a, DerivedKey::derive(b"secret", "pseudonym", "t1").0);
        assert_ne!(a, DerivedKey::derive(b"secret", "pseudonym", "t2").0);
        assert_ne!(a, DerivedKey::derive(b"secret", "cursor", "t1").0);
        assert_ne!(a, DerivedKey::derive(b"other", "pseudonym", "t1").0);
    }
}
