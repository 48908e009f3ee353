//! What a function builds once per cold start: the store, the personal-data policy, and the
//! cache of verified API keys. Handlers borrow it for every request.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use domain::{ApiKey, Clock, KeyHash, PersonalData, Scope, Tenant};
use lambda_http::Request;
use lambda_http::http::header::AUTHORIZATION;
use store::{Dynamo, KeyReader, Verified};

use crate::ApiError;

/// How long a warm function trusts what it read of a key: a revoked key stops working within
/// this time, and a busy function reads the keys table about once a minute per key.
pub const KEY_TTL: Duration = Duration::from_secs(60);

pub struct App<S> {
    store: S,
    personal_data: PersonalData,
    clock: Clock,
    key_ttl: Duration,
    /// Key hash → what the keys table said (`None`: revoked) and when it said it.
    keys: Mutex<HashMap<KeyHash, (Option<Verified>, Instant)>>,
}

impl App<Dynamo> {
    /// The deployment's store and settings: table names, `AWS_ENDPOINT_URL_DYNAMODB`,
    /// `PERSONAL_DATA` (default `pseudonymise`) and `PERSONAL_DATA_KEY`.
    pub async fn from_env() -> Result<Self, lambda_http::Error> {
        let personal_data = PersonalData::from_settings(
            std::env::var("PERSONAL_DATA").ok().as_deref(),
            std::env::var("PERSONAL_DATA_KEY").ok().as_deref(),
        )?;
        Ok(Self::new(Dynamo::for_lambda().await?, personal_data))
    }
}

impl<S> App<S> {
    pub fn new(store: S, personal_data: PersonalData) -> Self {
        Self {
            store,
            personal_data,
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
    /// The tenant of the request's key, if the key is valid and has `scope`.
    pub async fn authenticate(&self, request: &Request, scope: Scope) -> Result<Tenant, ApiError> {
        let key = request
            .headers()
            .get(AUTHORIZATION)
            .and_then(|h| h.to_str().ok())
            .and_then(ApiKey::from_authorization)
            .ok_or(ApiError::Unauthorized)?;
        let hash = key.hash();
        let verified = match self.cached(&hash) {
            Some(verified) => verified,
            None => {
                let record = self.store.key(&hash).await?;
                let verified = record.as_ref().and_then(|r| r.verified());
                // Unknown keys are not cached: a key created a moment ago must work at once.
                if record.is_some() {
                    self.keys
                        .lock()
                        .expect("key cache lock")
                        .insert(hash, (verified.clone(), Instant::now()));
                }
                verified
            }
        };
        let verified = verified.ok_or(ApiError::Unauthorized)?;
        if !verified.scopes.contains(&scope) {
            return Err(ApiError::Forbidden);
        }
        Ok(verified.tenant)
    }

    fn cached(&self, hash: &KeyHash) -> Option<Option<Verified>> {
        let keys = self.keys.lock().expect("key cache lock");
        let (verified, at) = keys.get(hash)?;
        (at.elapsed() < self.key_ttl).then(|| verified.clone())
    }
}
