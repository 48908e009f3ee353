//! What a function builds once per cold start: the store, the personal-data policy, and the
//! cache of verified API keys. Handlers borrow it for every request.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use domain::history::CursorSeal;
use domain::{ApiKey, Clock, Guid, KeyHash, PersonalData, Scope, Secret, SigningKey, Tenant};
use lambda_http::Request;
use lambda_http::http::header::AUTHORIZATION;
use store::{Dynamo, KeyReader, Verified};

use crate::{ApiError, Endpoint};

/// How long a warm function trusts what it read of a key: a revoked key stops working within
/// this time, and a busy function reads the keys table about once a minute per key.
pub const KEY_TTL: Duration = Duration::from_secs(60);

/// How long a warm function remembers a key the table does not know: a flood of one made-up
/// key costs one read a function instance a while, and a key minted a moment ago works within
/// this time where it was tried before it existed.
pub const UNKNOWN_KEY_TTL: Duration = Duration::from_secs(10);

/// The most keys a warm function remembers; past it the memory starts afresh (a flood of
/// distinct made-up keys must not grow a function's memory).
pub const CACHED_KEYS: usize = 10_000;

/// How many requests of one tenant a function instance takes: [`TenantLimit::DEFAULT`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TenantLimit {
    /// Sustained, a second.
    pub per_second: f64,
    /// At once, after a quiet while.
    pub burst: f64,
}

impl TenantLimit {
    /// Above what an office's 1C or its residents send one instance (1C sends its parts one
    /// after another; an instance takes one request at a time), so only a flood meets it: its
    /// requests past the limit are `429` at the cost of a cached key, no DynamoDB request,
    /// and leave the instance to the other tenants. The template's `TenantRequestsPerSecond`.
    pub const DEFAULT: TenantLimit = TenantLimit {
        per_second: 20.0,
        burst: 40.0,
    };

    /// `TENANT_REQUESTS_PER_SECOND` (a burst of twice as many), else [`TenantLimit::DEFAULT`].
    pub fn from_env() -> Self {
        std::env::var("TENANT_REQUESTS_PER_SECOND")
            .ok()
            .and_then(|v| v.trim().parse::<f64>().ok())
            .filter(|r| r.is_finite() && *r >= 1.0)
            .map_or(Self::DEFAULT, |per_second| TenantLimit {
                per_second,
                burst: 2.0 * per_second,
            })
    }
}

/// A tenant's tokens: [`TenantLimit`] as a token bucket.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

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
    /// Key hash → what the keys table said (`None`: revoked or unknown) and until when it is
    /// trusted.
    keys: Mutex<HashMap<KeyHash, (Option<Verified>, Instant)>>,
    tenant_limit: TenantLimit,
    /// The tokens of each tenant's office keys, and of each of its residents' accounts, in
    /// this instance.
    buckets: Mutex<HashMap<(Tenant, Option<Guid>), Bucket>>,
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
        let app = Self::new(Dynamo::for_lambda().await?, personal_data)
            .with_tenant_limit(TenantLimit::from_env());
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
            tenant_limit: TenantLimit::DEFAULT,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// How many of each tenant's requests it takes.
    pub fn tenant_limit(&self) -> TenantLimit {
        self.tenant_limit
    }

    /// The same app taking at most `limit` of each tenant's requests.
    pub fn with_tenant_limit(mut self, limit: TenantLimit) -> Self {
        self.tenant_limit = limit;
        self
    }

    /// Takes one of the tenant's tokens, or `429` with when the next comes. The office's keys
    /// share one bucket; a resident's key (bound to `account`) takes from its account's own, so
    /// that one resident's loop never refuses the office or the other residents.
    pub(crate) fn admit(&self, tenant: &Tenant, account: Option<Guid>) -> Result<(), ApiError> {
        let TenantLimit { per_second, burst } = self.tenant_limit;
        let now = Instant::now();
        let mut buckets = self.buckets.lock().expect("bucket lock");
        let whose = (tenant.clone(), account);
        if buckets.len() >= CACHED_KEYS && !buckets.contains_key(&whose) {
            buckets.clear();
        }
        let bucket = buckets.entry(whose).or_insert(Bucket {
            tokens: burst,
            at: now,
        });
        let refilled = bucket.tokens + (now - bucket.at).as_secs_f64() * per_second;
        bucket.tokens = refilled.min(burst);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            return Ok(());
        }
        let wait = (1.0 - bucket.tokens) / per_second;
        Err(ApiError::TooManyRequests {
            retry_after: Duration::from_secs_f64(wait.clamp(1.0, 3600.0)),
        })
    }

    /// How long a warm function trusts what it read of a key ([`KEY_TTL`] unless set).
    pub fn key_ttl(&self) -> Duration {
        self.key_ttl
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

    /// The seal of `endpoint`'s cursors for `owner`'s list (an account or a meter; empty for
    /// the tenant's own lists), with the deployment's signing key.
    pub(crate) fn cursor_seal<'a>(
        &'a self,
        tenant: &'a Tenant,
        endpoint: Endpoint,
        owner: String,
    ) -> Result<CursorSeal<'a>, ApiError> {
        Ok(CursorSeal::new(
            self.signing_key()?,
            tenant,
            endpoint.function(),
            owner,
        ))
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

/// What a resident's key (`dcr_`) must be to be taken: bound to an account, expiring, with at
/// most `read` and `submit`. Its record lives where the residents' app's functions may write: a
/// bug there must not make a key of the whole office.
fn resident_shaped(verified: &Verified) -> bool {
    verified.account.is_some()
        && verified.expires_at.is_some()
        && verified
            .scopes
            .iter()
            .all(|s| Scope::FOR_ACCOUNT.contains(s))
}

impl<S: KeyReader + store::Reader> App<S> {
    /// [`App::caller`] for a route that answers a resident's key about the whole office (its
    /// services, its settings): a key bound to an account that is deleted, or was never
    /// imported, reads nothing (`403`), as it reads nothing of the account itself.
    pub async fn open_caller(
        &self,
        request: &Request,
        endpoint: Endpoint,
    ) -> Result<Caller, ApiError> {
        let caller = self.caller(request, endpoint).await?;
        if let Some(account) = caller.account {
            if self.store.account(&caller.tenant, account).await?.is_none() {
                return Err(ApiError::Forbidden);
            }
        }
        Ok(caller)
    }
}

impl<S: KeyReader> App<S> {
    /// Who calls `endpoint`, checked against its [`crate::Access`]: a valid key with one of
    /// its scopes; a key bound to one account only where the endpoint admits such keys
    /// (elsewhere `403`, so a new route is closed to them unless it opts in). A handler that
    /// admits them answers `404` for any account but the key's own.
    pub async fn caller(&self, request: &Request, endpoint: Endpoint) -> Result<Caller, ApiError> {
        Ok(self.caller_and_key(request, endpoint).await?.0)
    }

    /// The tenant of a key of the whole tenant that may call `endpoint` ([`App::caller`]). A
    /// key bound to one account is `403` here whatever the endpoint admits: a handler that
    /// answers for the whole tenant never serves a resident's key.
    pub async fn authenticate(
        &self,
        request: &Request,
        endpoint: Endpoint,
    ) -> Result<Tenant, ApiError> {
        match self.caller(request, endpoint).await? {
            Caller {
                tenant,
                account: None,
            } => Ok(tenant),
            Caller {
                account: Some(_), ..
            } => Err(ApiError::Forbidden),
        }
    }

    /// [`App::caller`], and the key's hash (what a print link names its issuer by).
    pub async fn caller_and_key(
        &self,
        request: &Request,
        endpoint: Endpoint,
    ) -> Result<(Caller, KeyHash), ApiError> {
        let (verified, hash) = self.verified_request(request, endpoint.scopes()).await?;
        if verified.account.is_some() && !endpoint.admits_account_keys() {
            return Err(ApiError::Forbidden);
        }
        self.admit(&verified.tenant, verified.account)?;
        let caller = Caller {
            tenant: verified.tenant,
            account: verified.account,
        };
        Ok((caller, hash))
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
            // Not the shape of a key this API makes: refused without a read.
            .filter(ApiKey::well_formed)
            .ok_or(ApiError::Unauthorized)?;
        let hash = key.hash();
        let verified = self.verified(&hash).await?.ok_or(ApiError::Unauthorized)?;
        if !scopes.iter().any(|scope| verified.scopes.contains(scope)) {
            return Err(ApiError::Forbidden);
        }
        Ok((verified, hash))
    }

    /// What the keys table says of the key with `hash` (`None`: unknown, revoked or expired),
    /// as read at most [`KEY_TTL`] ago ([`UNKNOWN_KEY_TTL`] for an unknown key).
    pub async fn verified(&self, hash: &KeyHash) -> Result<Option<Verified>, ApiError> {
        let verified = match self.cached(hash) {
            Some(verified) => verified,
            None => {
                let record = self.store.key(hash).await?;
                let verified = record
                    .as_ref()
                    .and_then(|r| r.verified())
                    .filter(|v| !hash.is_resident() || resident_shaped(v));
                let ttl = if record.is_some() {
                    self.key_ttl
                } else {
                    UNKNOWN_KEY_TTL.min(self.key_ttl)
                };
                let mut keys = self.keys.lock().expect("key cache lock");
                if keys.len() >= CACHED_KEYS {
                    keys.clear();
                }
                keys.insert(hash.clone(), (verified.clone(), Instant::now() + ttl));
                verified
            }
        };
        // Expiry is checked at every use: a cached key stops on time.
        let now = self.clock.now();
        Ok(verified.filter(|v| v.expires_at.is_none_or(|at| now < at)))
    }

    fn cached(&self, hash: &KeyHash) -> Option<Option<Verified>> {
        let keys = self.keys.lock().expect("key cache lock");
        let (verified, until) = keys.get(hash)?;
        (Instant::now() < *until).then(|| verified.clone())
    }
}
