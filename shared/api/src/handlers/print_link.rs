//! Shareable print links: `POST /v1/billing/act_info/{act_id}/print_link?ttl_hours=` answers a
//! URL of the act's printable page that opens with no credentials until it expires (the
//! receipts' links, `receipt_page.rs`, are sealed and opened by the same functions). The link
//! is the page's path with `?link=<token>`; the token, sealed with the deployment's signing key
//! for this act, names the tenant, the issuing key (by its hash), the expiry and the act's
//! document of 1C (its `id`), so that it never opens another act under the same number. The page
//! (`act_page`) takes it instead of a key, as long as the issuing key is still valid: revoking
//! the key ends its links within the key cache's minute ([`crate::KEY_TTL`]).

use chrono::{DateTime, SecondsFormat, Utc};
use domain::{Act, ActNumber, Guid, KeyHash, Tenant};
use lambda_http::{Body, Request, RequestExt, Response};
use serde::Serialize;
use store::{ActReader, KeyReader};

use super::acts::find_act;
use crate::envelope::created;
use crate::path::act_number;
use crate::{ApiError, App, Endpoint};

const PURPOSE: &str = "print link";

/// How long a link lives unless `ttl_hours` says otherwise, and the longest it may: a day, and
/// thirty days (an act e-mailed to a customer is opened within a billing month).
pub const DEFAULT_TTL_HOURS: u32 = 24;
pub const MAX_TTL_HOURS: u32 = 720;

pub(crate) const GONE: &str = "ссылка на печатную форму недействительна или её срок истёк";

#[derive(Serialize)]
struct Issued {
    url: String,
    expires_at: String,
}

/// `POST /v1/billing/act_info/{act_id}/print_link`: `201 {"data": {"url", "expires_at"}}`.
pub async fn issue<S: ActReader + KeyReader>(
    app: &App<S>,
    request: Request,
    endpoint: Endpoint,
) -> Result<Response<Body>, ApiError> {
    let request = &request;
    let (caller, issuer) = app.caller_and_key(request, endpoint).await?;
    let tenant = caller.tenant;
    let number = act_number(request)?;
    let ttl = ttl_hours(request.query_string_parameters().first("ttl_hours"))?;
    let act = find_act(app, &tenant, number).await?;
    let number = number.to_string();
    let link = Link {
        tenant,
        issuer,
        expires: app.clock().now() + chrono::Duration::hours(i64::from(ttl)),
        document: act.id,
    };
    let path = Endpoint::ActPrint.paths()[0].replace("{act_id}", &number);
    issued(app, request, &path, PURPOSE, &[&number], &link)
}

/// The `201` answer of a new link to the page at `path`, sealed for `purpose` and the page's
/// `context` (what the page's path names), so that it opens that page only.
pub(crate) fn issued<S>(
    app: &App<S>,
    request: &Request,
    path: &str,
    purpose: &str,
    context: &[&str],
    link: &Link,
) -> Result<Response<Body>, ApiError> {
    let document = link.document.map(|id| id.to_string()).unwrap_or_default();
    let payload = format!(
        "{}\n{}\n{}\n{document}",
        link.tenant,
        link.issuer.as_str(),
        link.expires.timestamp()
    );
    let token = app
        .signing_key()?
        .seal(purpose, context, payload.as_bytes());
    Ok(created(Issued {
        url: format!("{}{path}?link={token}", origin(request)),
        expires_at: link.expires.to_rfc3339_opts(SecondsFormat::Secs, true),
    }))
}

/// The print link's token a page's request carries in `?link=`, if any (blank is none).
pub(crate) fn link_token(request: &Request) -> Option<String> {
    let params = request.query_string_parameters();
    params
        .first("link")
        .map(domain::values::trim)
        .filter(|token| !token.is_empty())
        .map(str::to_owned)
}

/// `1` to [`MAX_TTL_HOURS`], [`DEFAULT_TTL_HOURS`] when absent or blank.
pub fn ttl_hours(value: Option<&str>) -> Result<u32, ApiError> {
    let value = value.filter(|v| !domain::values::trim(v).is_empty());
    match value.map(domain::values::parse_digits::<u32>) {
        None => Ok(DEFAULT_TTL_HOURS),
        Some(Some(hours)) if (1..=MAX_TTL_HOURS).contains(&hours) => Ok(hours),
        Some(_) => Err(ApiError::invalid_parameter(
            "ttl_hours",
            "срок действия ссылки в часах: целое число от 1 до 720",
        )),
    }
}

/// Where the request came to: `https://<host>` behind API Gateway (which sets
/// `X-Forwarded-Proto`), `http://<host>` on the local stack; nothing when the host is missing
/// or odd (the link is then a path on the same host).
fn origin(request: &Request) -> String {
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let host_char = |c: char| c.is_ascii_alphanumeric() || ".-:[]".contains(c);
    match header("host").filter(|h| !h.is_empty() && h.chars().all(host_char)) {
        Some(host) => {
            let scheme = match header("x-forwarded-proto").as_deref() {
                Some("https") => "https",
                _ => "http",
            };
            format!("{scheme}://{host}")
        }
        None => String::new(),
    }
}

/// The act `number` a link opens: the token must be this deployment's, for this act, not
/// expired, its issuing key still valid with `read`, and the act still the document of 1C the
/// link was made for (an act deleted, or replaced by another document, is gone). Anything
/// else is `404`, exactly as an unknown act.
pub(crate) async fn linked_act<S: KeyReader + ActReader>(
    app: &App<S>,
    number: ActNumber,
    token: &str,
) -> Result<Act, ApiError> {
    let (tenant, document) = link_of(app, number, token).await?;
    // A deleted act and another document answer as an expired link does.
    match find_act(app, &tenant, number).await {
        Ok(act) if act.id == document => Ok(act),
        Ok(_) | Err(ApiError::NotFound(_)) => Err(ApiError::NotFound(GONE)),
        Err(e) => Err(e),
    }
}

/// The tenant and the document (when the act had one) a valid link names.
async fn link_of<S: KeyReader>(
    app: &App<S>,
    number: ActNumber,
    token: &str,
) -> Result<(Tenant, Option<Guid>), ApiError> {
    let (link, key) = opened(app, PURPOSE, &[&number.to_string()], token).await?;
    // The issuer may still open the page itself.
    if !opens(&key, Endpoint::ActPrint) {
        return Err(ApiError::NotFound(GONE));
    }
    // A shared link counts against the office's requests as its key would.
    app.admit(&link.tenant, None)?;
    Ok((link.tenant, link.document))
}

/// What a valid link sealed for `purpose` and `context` says, and its issuing key as it is now:
/// this deployment's token, not expired, its issuer still a valid key of the link's tenant.
/// Anything else is `404`, as an unknown page. The caller checks that the key may still open
/// the page, and counts the request against the key's limit.
pub(crate) async fn opened<S: KeyReader>(
    app: &App<S>,
    purpose: &str,
    context: &[&str],
    token: &str,
) -> Result<(Link, store::Verified), ApiError> {
    let link = app
        .signing_key()?
        .open(purpose, context, token)
        .and_then(|payload| String::from_utf8(payload).ok())
        .and_then(|payload| parse(&payload))
        .ok_or(ApiError::NotFound(GONE))?;
    if app.clock().now() >= link.expires {
        return Err(ApiError::NotFound(GONE));
    }
    match app.verified(&link.issuer).await? {
        Some(key) if key.tenant == link.tenant => Ok((link, key)),
        _ => Err(ApiError::NotFound(GONE)),
    }
}

/// Whether a key of the whole tenant with `key`'s scopes may call `endpoint`.
fn opens(key: &store::Verified, endpoint: Endpoint) -> bool {
    key.account.is_none() && endpoint.scopes().iter().any(|s| key.scopes.contains(s))
}

/// What a link's sealed payload says.
pub(crate) struct Link {
    pub(crate) tenant: Tenant,
    pub(crate) issuer: KeyHash,
    pub(crate) expires: DateTime<Utc>,
    /// The act's document of 1C when the link was made: none for an act without `id`, for
    /// links made before acts had one, and for pages of no document (receipts).
    pub(crate) document: Option<Guid>,
}

/// `tenant\nissuer\nexpiry[\ndocument]`.
fn parse(payload: &str) -> Option<Link> {
    let mut parts = payload.split('\n');
    let tenant = Tenant::parse(parts.next()?).ok()?;
    let issuer = KeyHash::parse(parts.next()?)?;
    let expires = DateTime::from_timestamp(parts.next()?.parse().ok()?, 0)?;
    let document = match parts.next() {
        None | Some("") => None,
        Some(document) => Some(document.parse().ok()?),
    };
    parts.next().is_none().then_some(Link {
        tenant,
        issuer,
        expires,
        document,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetimes_are_hours_within_thirty_days() {
        assert_eq!(ttl_hours(None).unwrap(), 24);
        assert_eq!(ttl_hours(Some(" ")).unwrap(), 24);
        assert_eq!(ttl_hours(Some("720")).unwrap(), 720);
        for bad in ["0", "721", "-1", "1.5", "x", "99999999999"] {
            assert!(ttl_hours(Some(bad)).is_err(), "{bad}");
        }
    }
}
