//! How a deployment keeps residents' personal data (an account's `full_name`, `phone`, `email`,
//! `address` and `cadastral`). 152-ФЗ requires Russian citizens' personal data to be stored in
//! Russia: only a deployment whose database is there may `store` it.

use std::fmt;

use hmac::Mac;

use crate::auth::hex;
use crate::secrets::DerivedKey;
use crate::{Tenant, Text};

/// The deployment's policy, as its settings say.
#[derive(Clone)]
pub enum PersonalData {
    /// Kept as sent.
    Store,
    /// Replaced by a pseudonym: an HMAC-SHA256 under a key of the tenant's own, derived from
    /// the deployment's secret. Equal values match within a tenant, not across tenants, and
    /// cannot be read back.
    Pseudonymise(Vec<u8>),
    /// Not kept at all.
    Drop,
}

impl fmt::Debug for PersonalData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PersonalData::Store => "store",
            PersonalData::Pseudonymise(_) => "pseudonymise",
            PersonalData::Drop => "drop",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PersonalDataError {
    #[error("PERSONAL_DATA must be store, pseudonymise or drop")]
    UnknownMode,
    #[error("PERSONAL_DATA=pseudonymise needs the personal-data key, 32 bytes or more")]
    MissingKey,
}

impl PersonalData {
    /// From the deployment's settings; `pseudonymise` when the mode is not set.
    pub fn from_settings(
        mode: Option<&str>,
        key: Option<&[u8]>,
    ) -> Result<Self, PersonalDataError> {
        match mode.map(str::trim).unwrap_or("pseudonymise") {
            "store" => Ok(Self::Store),
            "drop" => Ok(Self::Drop),
            "pseudonymise" | "" => match key {
                Some(key) if key.len() >= crate::secrets::Secret::MIN_BYTES => {
                    Ok(Self::Pseudonymise(key.to_vec()))
                }
                _ => Err(PersonalDataError::MissingKey),
            },
            _ => Err(PersonalDataError::UnknownMode),
        }
    }

    /// Whether the mode needs the personal-data key.
    pub fn needs_key(mode: Option<&str>) -> bool {
        matches!(mode.map(str::trim), None | Some("pseudonymise" | ""))
    }

    /// The policy for one tenant's records.
    pub fn for_tenant(&self, tenant: &Tenant) -> TenantPolicy {
        TenantPolicy(match self {
            PersonalData::Store => Mode::Store,
            PersonalData::Drop => Mode::Drop,
            PersonalData::Pseudonymise(secret) => {
                Mode::Pseudonymise(DerivedKey::derive(secret, "pseudonym", tenant.as_str()))
            }
        })
    }
}

/// The deployment's policy applied to one tenant: what [`crate::Record::protect`] takes.
#[derive(Debug, Clone)]
pub struct TenantPolicy(Mode);

#[derive(Debug, Clone)]
enum Mode {
    Store,
    Pseudonymise(DerivedKey),
    Drop,
}

impl TenantPolicy {
    /// Applies the policy to one personal value.
    pub fn protect(&self, value: &mut Option<Text>) {
        match &self.0 {
            Mode::Store => {}
            Mode::Drop => *value = None,
            Mode::Pseudonymise(key) => {
                if let Some(text) = value.as_ref() {
                    let digest = hex(&key.mac(&[text.as_str().as_bytes()]).finalize().into_bytes());
                    *value = Some(Text::from_trusted(format!("hmac:{digest}")));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::Value;

    fn tenant(name: &str) -> Tenant {
        Tenant::parse(name).unwrap()
    }

    #[test]
    fn personal_data_modes() {
        let value = || Text::parse(&Value::String("Смирнова Юлия".into())).unwrap();
        let key = [b'k'; 32];
        let hmac = PersonalData::from_settings(None, Some(&key)).unwrap();
        let (mut a, mut b, mut c) = (value(), value(), value());
        hmac.for_tenant(&tenant("okunevo")).protect(&mut a);
        hmac.for_tenant(&tenant("okunevo")).protect(&mut b);
        hmac.for_tenant(&tenant("zarechye")).protect(&mut c);
        assert_eq!(a, b, "equal values still match within a tenant");
        assert_ne!(a, c, "but not across tenants");
        assert!(a.unwrap().as_str().starts_with("hmac:"));
        let mut dropped = value();
        PersonalData::from_settings(Some("drop"), None)
            .unwrap()
            .for_tenant(&tenant("okunevo"))
            .protect(&mut dropped);
        assert_eq!(dropped, None);
        let mut kept = value();
        PersonalData::from_settings(Some("store"), None)
            .unwrap()
            .for_tenant(&tenant("okunevo"))
            .protect(&mut kept);
        assert_eq!(kept, value());
        assert_eq!(
            PersonalData::from_settings(None, Some(b"short")).unwrap_err(),
            PersonalDataError::MissingKey
        );
        assert_eq!(
            PersonalData::from_settings(Some("keep"), None).unwrap_err(),
            PersonalDataError::UnknownMode
        );
        assert!(PersonalData::needs_key(None) && !PersonalData::needs_key(Some("drop")));
    }
}
