//! The deployment's secrets, read once at a function's cold start: from AWS Secrets Manager
//! when the function has the secret's ARN (`<NAME>_SECRET`, set by `template.yaml`), or from
//! the value's own variable (`<NAME>`) on the local stack and in tests, where there is no
//! Secrets Manager.

use std::collections::HashMap;

use aws_sdk_secretsmanager::Client;
use domain::Secret;

use crate::StoreError;

/// The values of `needed`, each at least [`Secret::MIN_BYTES`] long.
pub async fn load(needed: &[Secret]) -> Result<HashMap<Secret, Vec<u8>>, StoreError> {
    let lookup = |var: &str| std::env::var(var).ok().filter(|v| !v.is_empty());
    let mut client = None;
    let mut values = HashMap::new();
    for &secret in needed {
        let value = match lookup(secret.arn_variable()) {
            Some(arn) => {
                let client = match &client {
                    Some(client) => client,
                    None => client.insert(secrets_manager()?),
                };
                fetch(client, &arn, secret).await?
            }
            None => lookup(secret.value_variable()).ok_or_else(|| {
                StoreError::Config(format!(
                    "{} (or {}) is not set",
                    secret.arn_variable(),
                    secret.value_variable()
                ))
            })?,
        };
        if value.len() < Secret::MIN_BYTES {
            return Err(StoreError::Config(format!(
                "{:?} is shorter than {} bytes",
                secret,
                Secret::MIN_BYTES
            )));
        }
        values.insert(secret, value.into_bytes());
    }
    Ok(values)
}

async fn fetch(client: &Client, arn: &str, secret: Secret) -> Result<String, StoreError> {
    let out = client
        .get_secret_value()
        .secret_id(arn)
        .send()
        .await
        .map_err(|e| {
            StoreError::Config(format!(
                "Secrets Manager GetSecretValue of {secret:?} failed: {}",
                aws_sdk_secretsmanager::error::DisplayErrorContext(e)
            ))
        })?;
    out.secret_string
        .ok_or_else(|| StoreError::Config(format!("{secret:?} has no text value")))
}

/// A client as [`crate::Dynamo::for_lambda`] builds one: the region and credentials Lambda
/// sets, and TLS that trusts Amazon's roots only.
fn secrets_manager() -> Result<Client, StoreError> {
    let region = std::env::var("AWS_REGION")
        .map_err(|_| StoreError::Config("AWS_REGION is not set".into()))?;
    let credentials =
        aws_config::environment::credentials::EnvironmentVariableCredentialsProvider::new();
    let config = aws_sdk_secretsmanager::Config::builder()
        .behavior_version(aws_sdk_secretsmanager::config::BehaviorVersion::latest())
        .region(aws_sdk_secretsmanager::config::Region::new(region))
        .credentials_provider(credentials)
        .http_client(crate::https::client())
        .build();
    Ok(Client::from_conf(config))
}
