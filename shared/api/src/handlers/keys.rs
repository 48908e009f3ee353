//! Keys a residents' app makes for its residents without an operator at a console:
//! `POST /api/keys` mints a key bound to one account, `DELETE /api/keys/{id}` revokes one. The
//! caller holds the `keys` scope, which only the administrator's tool grants, on a key of the
//! whole tenant; it can mint only keys of its own tenant, bound to an account that exists and
//! is not deleted, with at most `read` and `submit`, and revoke only such keys.

use domain::json::{Fields, Value, normalise};
use domain::{ApiKey, Guid, Scope};
use lambda_http::{Body, Request, Response};
use serde::Serialize;
use serde_json::value::RawValue;
use store::{Dynamo, Reader};

use crate::envelope::{created, ok};
use crate::path::path_param;
use crate::{ApiError, App, Endpoint, body};

/// A new key, shown once.
#[derive(Serialize)]
struct NewKey {
    id: String,
    key: String,
    account: String,
    scopes: Vec<String>,
    created_at: String,
}

#[derive(Serialize)]
struct Revoked {
    id: String,
    revoked_at: Option<String>,
}

/// `POST /api/keys` with `{"account": "<GUID>", "scopes": ["read", "submit"]}` (scopes
/// optional: both): `201` with the key, which is never shown again.
pub async fn create(
    app: &App<Dynamo>,
    request: Request,
    endpoint: Endpoint,
) -> Result<Response<Body>, ApiError> {
    let tenant = app.authenticate(&request, endpoint).await?;
    let text = body::text(&request)?;
    let (account, scopes) = grant(&normalise(&text))?;
    app.store()
        .account(&tenant, account)
        .await?
        .ok_or(ApiError::NotFound("лицевой счёт не найден"))?;
    let key = ApiKey::generate();
    let record = app
        .store()
        .create_key_for(&key.hash(), &tenant, &scopes, Some(account))
        .await?;
    tracing::info!(key = record.id, "account key created");
    let scopes = record.scopes.clone();
    Ok(created(NewKey {
        id: record.id,
        key: key.reveal().to_owned(),
        account: account.to_string(),
        scopes,
        created_at: record.created_at,
    }))
}

/// The account and the scopes the body asks for.
fn grant(text: &str) -> Result<(Guid, Vec<Scope>), ApiError> {
    const ACCOUNT: &str = "ожидается GUID лицевого счёта";
    const SCOPES: &str = "ожидается непустой список из \"read\" и \"submit\"";
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
    Ok((account, scopes))
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
        let (guid, scopes) = grant(&format!(r#"{{"account": "{account}"}}"#)).unwrap();
        assert_eq!(
            (guid.to_string(), scopes),
            (account.to_owned(), Scope::FOR_ACCOUNT.to_vec())
        );
        let (_, scopes) = grant(&format!(
            r#"{{"account": "{account}", "scopes": ["read", "read"]}}"#
        ))
        .unwrap();
        assert_eq!(scopes, vec![Scope::Read]);
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
        ] {
            assert!(grant(&bad).is_err(), "{bad}");
        }
    }
}
