//! Keys a residents' app makes for its residents without an operator at a console:
//! `POST /api/keys` mints a key bound to one account (a resident's key, which expires),
//! `GET /api/keys?account=` lists an account's, `DELETE /api/keys/{id}` revokes one. The
//! caller holds the `keys` scope, which only the administrator's tool grants, on a key of the
//! whole tenant; it can mint only keys of its own tenant, bound to an account that exists and
//! is not deleted, with at most `read` and `submit`, and list and revoke only such keys.

use domain::json::{Fields, Value, normalise};
use domain::{ApiKey, Guid, MAX_RESIDENT_KEY_DAYS, RESIDENT_KEY_DAYS, Scope};
use lambda_http::{Body, Request, RequestExt, Response};
use serde::Serialize;
use serde_json::value::RawValue;
use store::{Dynamo, Reader};

use crate::envelope::{created, ok};
use crate::path::{guid_param, path_param};
use crate::{ApiError, App, Endpoint, body};

/// A new key, shown once.
#[derive(Serialize)]
struct NewKey {
    id: String,
    key: String,
    account: String,
    scopes: Vec<String>,
    created_at: String,
    expires_at: Option<String>,
}

/// A resident's key as listed: never the key, nor its hash.
#[derive(Serialize)]
struct KeyView {
    id: String,
    account: Option<String>,
    scopes: Vec<String>,
    created_at: String,
    expires_at: Option<String>,
    revoked_at: Option<String>,
}

/// What a mint asks for.
#[derive(Debug, PartialEq)]
struct Grant {
    account: Guid,
    scopes: Vec<Scope>,
    days: u16,
}

#[derive(Serialize)]
struct Revoked {
    id: String,
    revoked_at: Option<String>,
}

/// `POST /api/keys` with `{"account": "<GUID>", "scopes": ["read", "submit"],
/// "expires_in_days": 90}` (scopes optional: both; days 1 to 400, default 90): `201` with the
/// key, which is never shown again.
pub async fn create(
    app: &App<Dynamo>,
    request: Request,
    endpoint: Endpoint,
) -> Result<Response<Body>, ApiError> {
    let tenant = app.authenticate(&request, endpoint).await?;
    let text = body::text(&request)?;
    let Grant {
        account,
        scopes,
        days,
    } = grant(&normalise(&text))?;
    app.store()
        .account(&tenant, account)
        .await?
        .ok_or(ApiError::NotFound("лицевой счёт не найден"))?;
    let key = ApiKey::generate_resident();
    // Made and expiring by one reading of one clock: exactly `days` apart.
    let made = app.clock().now();
    let expires_at = made + chrono::Duration::days(i64::from(days));
    let bound = Some((account, expires_at));
    let record = app
        .store()
        .create_key_for(&key.hash(), &tenant, &scopes, bound, made)
        .await?;
    tracing::info!(key = record.id, days, "account key created");
    let scopes = record.scopes.clone();
    Ok(created(NewKey {
        id: record.id,
        key: key.reveal().to_owned(),
        account: account.to_string(),
        scopes,
        created_at: record.created_at,
        expires_at: record.expires_at,
    }))
}

/// `GET /api/keys?account=<GUID>`: the account's residents' keys, oldest first, revoked and
/// expired ones too (with when), never a key or its hash.
pub async fn list(
    app: &App<Dynamo>,
    request: Request,
    endpoint: Endpoint,
) -> Result<Response<Body>, ApiError> {
    let tenant = app.authenticate(&request, endpoint).await?;
    let params = request.query_string_parameters();
    let account = guid_param("account", params.first("account").unwrap_or_default())?;
    let keys = app.store().account_keys(&tenant, account).await?;
    let items: Vec<KeyView> = keys
        .into_iter()
        .map(|k| KeyView {
            account: k.account().map(str::to_owned),
            id: k.id,
            scopes: k.scopes,
            created_at: k.created_at,
            expires_at: k.expires_at,
            revoked_at: k.revoked_at,
        })
        .collect();
    Ok(ok(items))
}

/// The account, the scopes and the days the body asks for.
fn grant(text: &str) -> Result<Grant, ApiError> {
    const ACCOUNT: &str = "ожидается GUID лицевого счёта";
    const SCOPES: &str = "ожидается непустой список из \"read\" и \"submit\"";
    const DAYS: &str = "ожидается целое число дней от 1 до 400";
    let raw: &RawValue = serde_json::from_str(text)
        .map_err(|_| ApiError::invalid_parameter("body", "ожидается JSON-объект"))?;
    let fields = Fields::parse(raw)
        .ok_or_else(|| ApiError::invalid_parameter("body", "ожидается JSON-объект"))?;
    let account = match Guid::parse(&fields.get("account")) {
        Ok(Some(account)) => account,
        _ => return Err(ApiError::invalid_parameter("account", ACCOUNT)),
    };
    let scopes = match fields.get("scopes") {
        Value::Missing | Value::Null => Scope::FOR_ACCOUNT.to_vec(),
        Value::Array(raw) => {
            let names: Vec<String> = serde_json::from_str(raw)
                .map_err(|_| ApiError::invalid_parameter("scopes", SCOPES))?;
            let mut scopes = Vec::new();
            for name in &names {
                // Exactly as written, as the description's enum has them.
                let scope = Scope::FOR_ACCOUNT.into_iter().find(|s| s.as_str() == name);
                match scope {
                    Some(scope) if !scopes.contains(&scope) => scopes.push(scope),
                    Some(_) => {}
                    None => return Err(ApiError::invalid_parameter("scopes", SCOPES)),
                }
            }
            if scopes.is_empty() {
                return Err(ApiError::invalid_parameter("scopes", SCOPES));
            }
            scopes
        }
        _ => return Err(ApiError::invalid_parameter("scopes", SCOPES)),
    };
    let days = match fields.get("expires_in_days") {
        Value::Missing | Value::Null => RESIDENT_KEY_DAYS,
        // A whole number however written (`90`, `90.0`, `9e1`), as JSON Schema's integer.
        Value::Number(n) => n
            .parse::<f64>()
            .ok()
            .filter(|d| d.fract() == 0.0 && (1.0..=f64::from(MAX_RESIDENT_KEY_DAYS)).contains(d))
            .map(|d| d as u16)
            .ok_or_else(|| ApiError::invalid_parameter("expires_in_days", DAYS))?,
        _ => return Err(ApiError::invalid_parameter("expires_in_days", DAYS)),
    };
    Ok(Grant {
        account,
        scopes,
        days,
    })
}

/// `DELETE /api/keys/{id}`: revokes a key this tenant's app made (bound to an account); `404`
/// for any other id. Warm functions stop taking it within the key cache's minute.
pub async fn revoke(
    app: &App<Dynamo>,
    request: Request,
    endpoint: Endpoint,
) -> Result<Response<Body>, ApiError> {
    let tenant = app.authenticate(&request, endpoint).await?;
    let id = path_param(&request, "id");
    let id = id.trim();
    let hex = |b: u8| b.is_ascii_digit() || (b'a'..=b'f').contains(&b);
    if id.len() != 12 || !id.bytes().all(hex) {
        return Err(ApiError::invalid_parameter(
            "id",
            "ожидается идентификатор ключа: 12 шестнадцатеричных цифр",
        ));
    }
    let record = app
        .store()
        .revoke_account_key(&tenant, id)
        .await?
        .ok_or(ApiError::NotFound("ключ не найден"))?;
    tracing::info!(key = record.id, "account key revoked");
    Ok(ok(Revoked {
        id: record.id,
        revoked_at: record.revoked_at,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grant_is_an_account_and_at_most_read_and_submit() {
        let account = "358d67ad-d66e-11e3-bd79-94de80e97e9a";
        let asked = grant(&format!(r#"{{"account": "{account}"}}"#)).unwrap();
        assert_eq!(
            (asked.account.to_string(), asked.scopes, asked.days),
            (account.to_owned(), Scope::FOR_ACCOUNT.to_vec(), 90)
        );
        let asked = grant(&format!(
            r#"{{"account": "{account}", "scopes": ["read", "read"], "expires_in_days": 400}}"#
        ))
        .unwrap();
        assert_eq!((asked.scopes, asked.days), (vec![Scope::Read], 400));
        for whole in ["250.0", "2.5e2"] {
            let body = format!(r#"{{"account": "{account}", "expires_in_days": {whole}}}"#);
            assert_eq!(grant(&body).unwrap().days, 250, "{whole}");
        }
        for bad in [
            "[]".to_owned(),
            "{}".to_owned(),
            r#"{"account": "x"}"#.to_owned(),
            format!(r#"{{"account": "{account}", "scopes": []}}"#),
            format!(r#"{{"account": "{account}", "scopes": ["import"]}}"#),
            format!(r#"{{"account": "{account}", "scopes": ["keys"]}}"#),
            format!(r#"{{"account": "{account}", "scopes": "read"}}"#),
            format!(r#"{{"account": "{account}", "scopes": [1]}}"#),
            format!(r#"{{"account": "{account}", "scopes": [" read"]}}"#),
            format!(r#"{{"account": "{account}", "expires_in_days": 0}}"#),
            format!(r#"{{"account": "{account}", "expires_in_days": 401}}"#),
            format!(r#"{{"account": "{account}", "expires_in_days": 1.5}}"#),
            format!(r#"{{"account": "{account}", "expires_in_days": "90"}}"#),
        ] {
            assert!(grant(&bad).is_err(), "{bad}");
        }
    }
}
