//! What a function builds once per cold start: the store, the personal-data policy, and the
//! cache of verified API keys. Handlers borrow it for every request.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use domain::{ApiKey, Clock, Guid, KeyHash, PersonalData, Scope, Secret, SigningKey, Tenant};
use lambda_http::Request;
use lambda_http::http::header::AUTHORIZATION;
use store::{Dynamo, KeyReader, Verified};

use crate::{ApiError, Endpoint};

/// How long a warm function trusts what it read of a key: a revoked key stops working within
/// this time, and a busy function reads the keys table about once a minute per key.
pub const KEY_TTL: Duration = Duration::from_secs(60);

/// Who a request comes from: a tenant, and for a key of a residents' app the one account it
/// is bound to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub tenant: Tenant,
    pub account: Option<Guid>,
}

impl Caller {
    /// Whether the caller may see `account`: any account of its tenant for a tenant-wide key,
    /// its own for a bound one.
    pub fn sees(&self, account: Option<Guid>) -> bool {
        self.account.is_none() || self.account == account
    }
}

pub struct App<S> {
    store: S,
    personal_data: PersonalData,
    signing_key: Option<SigningKey>,
    clock: Clock,
    key_ttl: Duration,
    /// Key hash → what the keys table said (`None`: revoked) and when it said it.
    keys: Mutex<HashMap<KeyHash, (Option<Verified>, Instant)>>,
}

impl App<Dynamo> {
    /// What `endpoint`'s function needs, from the deployment: the store (table names,
    /// `AWS_ENDPOINT_URL_DYNAMODB`), the secrets it uses and no other ([`Endpoint::secrets`]),
    /// and for the import of accounts the `PERSONAL_DATA` mode (default `pseudonymise`).
    pub async fn from_env(endpoint: Endpoint) -> Result<Self, lambda_http::Error> {
        let mode = std::env::var("PERSONAL_DATA").ok();
        // The personal-data key is read only where it is used: `store` and `drop` need none.
        let needed: Vec<Secret> = endpoint
            .secrets()
            .iter()
            .copied()
            .filter(|&s| s != Secret::PersonalDataKey || PersonalData::needs_key(mode.as_deref()))
            .collect();
        let mut secrets = store::secrets::load(&needed).await?;
        // A function that stores no personal data keeps no policy for it.
        let personal_data = if endpoint.secrets().contains(&Secret::PersonalDataKey) {
            let key = secrets.remove(&Secret::PersonalDataKey);
            PersonalData::from_settings(mode.as_deref(), key.as_deref())?
        } else {
            PersonalData::Drop
        };
        let signing_key = secrets
            .remove(&Secret::SigningKey)
            .and_then(|key| SigningKey::new(&key));
        let app = Self::new(Dynamo::for_lambda().await?, personal_data);
        Ok(match signing_key {
            Some(key) => app.with_signing_key(key),
            None => app,
        })
    }
}

impl<S> App<S> {
    pub fn new(store: S, personal_data: PersonalData) -> Self {
        Self {
            store,
            personal_data,
            signing_key: None,
            clock: Clock::system(),
            key_ttl: KEY_TTL,
            keys: Mutex::new(HashMap::new()),
        }
    }

    pub fn with_key_ttl(mut self, ttl: Duration) -> Self {
        self.key_ttl = ttl;
        self
    }

    /// The same app reading the time from `clock` (a test's hand-moved one).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// The same app signing cursors and print links with `key`.
    pub fn with_signing_key(mut self, key: SigningKey) -> Self {
        self.signing_key = Some(key);
        self
    }

    /// The deployment's signing key: every function that issues or takes back a token has one
    /// ([`Endpoint::secrets`]); without it the function's settings are wrong.
    pub fn signing_key(&self) -> Result<&SigningKey, ApiError> {
        self.signing_key.as_ref().ok_or_else(|| {
            ApiError::Storage(store::StoreError::Config(
                "this function was not given the signing key".into(),
            ))
        })
    }

    pub fn store(&self) -> &S {
        &self.store
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    pub fn personal_data(&self) -> &PersonalData {
        &self.personal_data
    }
}

impl<S: KeyReader> App<S> {
    /// The tenant of the request's key, if the key is valid, has `scope`, and is a key of the
    /// whole tenant: a key bound to one account is `403` everywhere but on the routes that take
    /// it ([`App::authenticate_caller`]), so a new route is closed to it unless it opts in.
    pub async fn authenticate(&self, request: &Request, scope: Scope) -> Result<Tenant, ApiError> {
        Ok(self.authenticate_key(request, scope).await?.0)
    }

    /// [`App::authenticate`], and the key's hash (what a print link names its issuer by).
    pub async fn authenticate_key(
        &self,
        request: &Request,
        scope: Scope,
    ) -> Result<(Tenant, KeyHash), ApiError> {
        let (verified, hash) = self.verified_request(request, &[scope]).await?;
        match verified.account {
            Some(_) => Err(ApiError::Forbidden),
            None => Ok((verified.tenant, hash)),
        }
    }

    /// Who calls a route that keys bound to one account may call too (an account, its
    /// histories, a meter's readings, the services): the tenant, and the account the key is
    /// bound to. The route answers `404` for any other account, as if it did not exist.
    pub async fn authenticate_caller(
        &self,
        request: &Request,
        scope: Scope,
    ) -> Result<Caller, ApiError> {
        self.authenticate_caller_any(request, &[scope]).await
    }

    /// [`App::authenticate_caller`] for a route that any of `scopes` opens (the office's
    /// settings: `read` or `import`).
    pub async fn authenticate_caller_any(
        &self,
        request: &Request,
        scopes: &[Scope],
    ) -> Result<Caller, ApiError> {
        let (verified, _) = self.verified_request(request, scopes).await?;
        Ok(Caller {
            tenant: verified.tenant,
            account: verified.account,
        })
    }

    async fn verified_request(
        &self,
        request: &Request,
        scopes: &[Scope],
    ) -> Result<(Verified, KeyHash), ApiError> {
        let key = request
            .headers()
            .get(AUTHORIZATION)
            .and_then(|h| h.to_str().ok())
            .and_then(ApiKey::from_authorization)
            .ok_or(ApiError::Unauthorized)?;
        let hash = key.hash();
        let verified = self.verified(&hash).await?.ok_or(ApiError::Unauthorized)?;
        if !scopes.iter().any(|scope| verified.scopes.contains(scope)) {
            return Err(ApiError::Forbidden);
        }
        Ok((verified, hash))
    }

    /// What the keys table says of the key with `hash` (`None`: unknown or revoked), as read
    /// at most [`KEY_TTL`] ago.
    pub async fn verified(&self, hash: &KeyHash) -> Result<Option<Verified>, ApiError> {
        if let Some(verified) = self.cached(hash) {
            return Ok(verified);
        }
        let record = self.store.key(hash).await?;
        let verified = record.as_ref().and_then(|r| r.verified());
        // Unknown keys are not cached: a key created a moment ago must work at once.
        if record.is_some() {
            self.keys
                .lock()
                .expect("key cache lock")
                .insert(hash.clone(), (verified.clone(), Instant::now()));
        }
        Ok(verified)
    }

    fn cached(&self, hash: &KeyHash) -> Option<Option<Verified>> {
        let keys = self.keys.lock().expect("key cache lock");
        let (verified, at) = keys.get(hash)?;
        (at.elapsed() < self.key_ttl).then(|| verified.clone())
    }
}
