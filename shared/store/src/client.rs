//! The DynamoDB client and the tables' names: what a function builds once per cold start.

use std::sync::Arc;

use aws_sdk_dynamodb::Client;

use crate::batch::Backoff;
use crate::{StoreError, Table, Tables};

/// The DynamoDB client and table names; cheap to clone, built once per cold start.
#[derive(Debug, Clone)]
pub struct Dynamo {
    client: Client,
    tables: Arc<Tables>,
    backoff: Backoff,
}

impl Dynamo {
    /// For a function: region, credentials and endpoint from the variables Lambda sets
    /// (`AWS_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), and
    /// `AWS_ENDPOINT_URL_DYNAMODB` when set (DynamoDB Local). Nothing else is looked for: the
    /// default chains also read profile files and probe container and instance metadata, which a
    /// Lambda never needs and every cold start would pay for. TLS trusts Amazon's roots only
    /// (see [`crate::https`]).
    pub async fn for_lambda() -> Result<Self, StoreError> {
        let tables = Tables::from_env()?;
        Ok(Self::new(Self::lambda_client()?, tables))
    }

    /// For a tool run by a person that touches only `needed`: credentials from the SDK's whole
    /// default chain (profiles, SSO, ...). See [`Tables::from_env_for`].
    pub async fn for_tool(needed: &[Table]) -> Result<Self, StoreError> {
        let tables = Tables::from_env_for(needed)?;
        let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
        Ok(Self::new(Client::new(&config), tables))
    }

    fn lambda_client() -> Result<Client, StoreError> {
        let region = std::env::var("AWS_REGION")
            .map_err(|_| StoreError::Config("AWS_REGION is not set".into()))?;
        let credentials =
            aws_config::environment::credentials::EnvironmentVariableCredentialsProvider::new();
        let mut config = aws_sdk_dynamodb::Config::builder()
            .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
            .region(aws_sdk_dynamodb::config::Region::new(region))
            .credentials_provider(credentials)
            .http_client(crate::https::client());
        if let Some(url) = std::env::var("AWS_ENDPOINT_URL_DYNAMODB")
            .ok()
            .filter(|u| !u.is_empty())
        {
            config = config.endpoint_url(url);
        }
        Ok(Client::from_conf(config.build()))
    }

    pub fn new(client: Client, tables: Tables) -> Self {
        Self {
            client,
            tables: Arc::new(tables),
            backoff: Backoff::default(),
        }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn tables(&self) -> &Tables {
        &self.tables
    }

    pub(crate) fn backoff(&self) -> Backoff {
        self.backoff
    }
}
