//! The tables of `template.yaml` in DynamoDB Local, for `make run` and the tests (not LocalStack:
//! only DynamoDB Local, with the template's tables and routes).
//!
//! `template.yaml` is the one definition of the tables. This crate reads their key schemas and
//! indexes from it, and the environment variables that name them from the functions' `Globals`,
//! so a table added to the template exists locally without being declared twice.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType,
};
use serde::Deserialize;
use serde_norway::Value;

mod router;

pub use router::router;

/// Where `make run` and the tests find DynamoDB Local unless `AWS_ENDPOINT_URL_DYNAMODB` says
/// otherwise.
pub const DEFAULT_ENDPOINT: &str = "http://127.0.0.1:8000";

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read {0}: {1}")]
    Read(PathBuf, std::io::Error),
    #[error("template.yaml: {0}")]
    Template(String),
    #[error("DynamoDB Local: {0}")]
    Dynamo(String),
}

/// The repository's `template.yaml`.
pub fn template_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../template.yaml")
}

/// What the local stack needs from `template.yaml`.
#[derive(Debug)]
pub struct Template {
    /// Logical id → table definition.
    pub tables: BTreeMap<String, TableSpec>,
    /// Environment variable → logical id of the table it names (`X_TABLE: !Ref XTable`).
    pub table_env: BTreeMap<String, String>,
    /// Every HTTP route: (method, path) → the binary serving it.
    pub routes: BTreeMap<(String, String), String>,
    /// Binary → the secrets its function is given: (variable, logical id of the secret) of
    /// its own environment, and the secrets its policies let it read.
    pub secrets: BTreeMap<String, FunctionSecrets>,
    /// Variables of every function (`Globals`), by name.
    pub global_variables: BTreeSet<String>,
}

/// What a function is given of the deployment's secrets.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FunctionSecrets {
    /// Variable → the logical id it names (`X_SECRET: !Ref XSecret`).
    pub variables: BTreeMap<String, String>,
    /// Logical ids of the secrets its policies may read.
    pub readable: BTreeSet<String>,
}

/// The properties of an `AWS::DynamoDB::Table` that shape its data.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TableSpec {
    pub attribute_definitions: Vec<AttributeSpec>,
    pub key_schema: Vec<KeySpec>,
    #[serde(default)]
    pub global_secondary_indexes: Vec<IndexSpec>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttributeSpec {
    pub attribute_name: String,
    pub attribute_type: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeySpec {
    pub attribute_name: String,
    pub key_type: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct IndexSpec {
    pub index_name: String,
    pub key_schema: Vec<KeySpec>,
    pub projection: ProjectionSpec,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProjectionSpec {
    pub projection_type: String,
    #[serde(default)]
    pub non_key_attributes: Vec<String>,
}

impl Template {
    pub fn load(path: &Path) -> Result<Self, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Read(path.into(), e))?;
        Self::parse(&text)
    }

    pub fn parse(text: &str) -> Result<Self, Error> {
        let doc: Value =
            serde_norway::from_str(text).map_err(|e| Error::Template(e.to_string()))?;
        let resources = doc["Resources"]
            .as_mapping()
            .ok_or_else(|| Error::Template("no Resources".into()))?;
        let mut template = Template {
            tables: BTreeMap::new(),
            table_env: BTreeMap::new(),
            routes: BTreeMap::new(),
            secrets: BTreeMap::new(),
            global_variables: BTreeSet::new(),
        };
        for (id, resource) in resources {
            let id = id.as_str().unwrap_or_default().to_owned();
            match resource["Type"].as_str() {
                Some("AWS::DynamoDB::Table") => {
                    let spec = TableSpec::deserialize(&resource["Properties"])
                        .map_err(|e| Error::Template(format!("{id}: {e}")))?;
                    template.tables.insert(id, spec);
                }
                Some("AWS::Serverless::Function") => {
                    let binary = resource["Metadata"]["BuildProperties"]["Binary"]
                        .as_str()
                        .ok_or_else(|| {
                            Error::Template(format!("{id}: no BuildProperties.Binary"))
                        })?;
                    let events = resource["Properties"]["Events"].as_mapping();
                    for event in events.into_iter().flat_map(|m| m.values()) {
                        if event["Type"].as_str() != Some("HttpApi") {
                            continue;
                        }
                        let method = event["Properties"]["Method"].as_str().unwrap_or_default();
                        let path = event["Properties"]["Path"].as_str().unwrap_or_default();
                        template
                            .routes
                            .insert((method.to_uppercase(), path.to_owned()), binary.to_owned());
                    }
                    let secrets = function_secrets(&resource["Properties"]);
                    template.secrets.insert(binary.to_owned(), secrets);
                }
                _ => {}
            }
        }
        let variables = doc["Globals"]["Function"]["Environment"]["Variables"].as_mapping();
        for (name, value) in variables.into_iter().flatten() {
            let name_text = name.as_str().unwrap_or_default().to_owned();
            template.global_variables.insert(name_text);
            if let Value::Tagged(tagged) = value {
                let target = tagged.value.as_str().unwrap_or_default();
                if tagged.tag == "Ref" && template.tables.contains_key(target) {
                    let name = name.as_str().unwrap_or_default().to_owned();
                    template.table_env.insert(name, target.to_owned());
                }
            }
        }
        Ok(template)
    }

    /// Environment variable → table name, for tables named `<prefix><logical id>`.
    pub fn table_names(&self, prefix: &str) -> BTreeMap<String, String> {
        self.table_env
            .iter()
            .map(|(var, id)| (var.clone(), format!("{prefix}{id}")))
            .collect()
    }

    /// Creates every table as `<prefix><logical id>`; a table that exists gets the indexes the
    /// template added since it was created, and is otherwise left as it is.
    pub async fn create_tables(&self, client: &Client, prefix: &str) -> Result<(), Error> {
        for (id, spec) in &self.tables {
            let name = format!("{prefix}{id}");
            let result = client
                .create_table()
                .table_name(&name)
                .billing_mode(BillingMode::PayPerRequest)
                .set_attribute_definitions(Some(spec.attributes()))
                .set_key_schema(Some(keys(&spec.key_schema)))
                .set_global_secondary_indexes(spec.indexes())
                .send()
                .await;
            match result {
                Ok(_) => {}
                Err(e)
                    if e.as_service_error()
                        .is_some_and(|e| e.is_resource_in_use_exception()) =>
                {
                    spec.add_missing_indexes(client, &name).await?;
                }
                Err(e) => {
                    let e = aws_sdk_dynamodb::error::DisplayErrorContext(e);
                    return Err(Error::Dynamo(format!("creating {name}: {e}")));
                }
            }
        }
        Ok(())
    }
}

impl TableSpec {
    /// Adds the template's indexes that an existing table lacks, one UpdateTable each.
    async fn add_missing_indexes(&self, client: &Client, name: &str) -> Result<(), Error> {
        fn dynamo<E: std::error::Error>(name: &str, e: E) -> Error {
            let e = aws_sdk_dynamodb::error::DisplayErrorContext(e);
            Error::Dynamo(format!("updating {name}: {e}"))
        }
        let described = client
            .describe_table()
            .table_name(name)
            .send()
            .await
            .map_err(|e| dynamo(name, e))?;
        let existing: Vec<String> = described
            .table
            .and_then(|t| t.global_secondary_indexes)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|i| i.index_name)
            .collect();
        for index in self.indexes().unwrap_or_default() {
            if existing.iter().any(|e| e == index.index_name()) {
                continue;
            }
            let create = aws_sdk_dynamodb::types::CreateGlobalSecondaryIndexAction::builder()
                .index_name(index.index_name())
                .set_key_schema(Some(index.key_schema().to_vec()))
                .set_projection(index.projection().cloned())
                .build()
                .expect("name, keys and projection are set");
            client
                .update_table()
                .table_name(name)
                .set_attribute_definitions(Some(self.attributes()))
                .global_secondary_index_updates(
                    aws_sdk_dynamodb::types::GlobalSecondaryIndexUpdate::builder()
                        .create(create)
                        .build(),
                )
                .send()
                .await
                .map_err(|e| dynamo(name, e))?;
        }
        Ok(())
    }

    fn attributes(&self) -> Vec<AttributeDefinition> {
        self.attribute_definitions
            .iter()
            .map(|a| {
                AttributeDefinition::builder()
                    .attribute_name(&a.attribute_name)
                    .attribute_type(ScalarAttributeType::from(a.attribute_type.as_str()))
                    .build()
                    .expect("name and type are set")
            })
            .collect()
    }

    fn indexes(&self) -> Option<Vec<GlobalSecondaryIndex>> {
        let indexes: Vec<_> = self
            .global_secondary_indexes
            .iter()
            .map(|i| {
                let projection = Projection::builder()
                    .projection_type(ProjectionType::from(i.projection.projection_type.as_str()))
                    .set_non_key_attributes(
                        (!i.projection.non_key_attributes.is_empty())
                            .then(|| i.projection.non_key_attributes.clone()),
                    )
                    .build();
                GlobalSecondaryIndex::builder()
                    .index_name(&i.index_name)
                    .set_key_schema(Some(keys(&i.key_schema)))
                    .projection(projection)
                    .build()
                    .expect("name and keys are set")
            })
            .collect();
        (!indexes.is_empty()).then_some(indexes)
    }
}

fn keys(schema: &[KeySpec]) -> Vec<KeySchemaElement> {
    schema
        .iter()
        .map(|k| {
            KeySchemaElement::builder()
                .attribute_name(&k.attribute_name)
                .key_type(KeyType::from(k.key_type.as_str()))
                .build()
                .expect("name and type are set")
        })
        .collect()
}

/// A client for DynamoDB Local (`AWS_ENDPOINT_URL_DYNAMODB`, by default [`DEFAULT_ENDPOINT`]).
pub fn local_client() -> Client {
    let endpoint =
        std::env::var("AWS_ENDPOINT_URL_DYNAMODB").unwrap_or_else(|_| DEFAULT_ENDPOINT.to_owned());
    client_at(&endpoint)
}

/// A client for the DynamoDB Local at `endpoint`. It runs with `-sharedDb`, so region and
/// credentials are placeholders.
pub fn client_at(endpoint: &str) -> Client {
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("eu-central-1"))
        .credentials_provider(Credentials::new(
            "local",
            "local",
            None,
            None,
            "local-tables",
        ))
        .endpoint_url(endpoint.to_owned())
        .build();
    Client::from_conf(config)
}

/// Fresh tables for one test: a unique prefix keeps tests apart from each other and from the
/// data of `make run`. Answers the client and the table names by environment variable.
pub async fn fresh_tables(test: &str) -> (Client, BTreeMap<String, String>) {
    let template = Template::load(&template_path()).expect("template.yaml parses");
    let client = local_client();
    let prefix = format!(
        "{TEST_PREFIX}{}-{}-{test}-",
        std::process::id(),
        unique_suffix()
    );
    template
        .create_tables(&client, &prefix)
        .await
        .expect("DynamoDB Local is reachable (make test starts it)");
    (client, template.table_names(&prefix))
}

/// Every table a test creates starts with this; `local-tables sweep` deletes them.
pub const TEST_PREFIX: &str = "test-";

/// Deletes the tables that tests left behind, so DynamoDB Local's data stays small. A table of a
/// test process that still runs (another checkout's `make test`, say) is left alone: its name
/// carries the process id.
pub async fn sweep_test_tables(client: &Client) -> Result<usize, Error> {
    let names: Vec<String> = client
        .list_tables()
        .into_paginator()
        .items()
        .send()
        .collect::<Result<_, _>>()
        .await
        .map_err(|e| Error::Dynamo(aws_sdk_dynamodb::error::DisplayErrorContext(e).to_string()))?;
    let mut deleted = 0;
    for name in names.iter().filter(|n| is_left_behind(n)) {
        client
            .delete_table()
            .table_name(name)
            .send()
            .await
            .map_err(|e| {
                Error::Dynamo(aws_sdk_dynamodb::error::DisplayErrorContext(e).to_string())
            })?;
        deleted += 1;
    }
    Ok(deleted)
}

/// A test table (`test-<pid>-…`) whose process no longer runs.
fn is_left_behind(name: &str) -> bool {
    let Some(rest) = name.strip_prefix(TEST_PREFIX) else {
        return false;
    };
    let pid = rest.split('-').next().and_then(|p| p.parse::<u32>().ok());
    pid.is_none_or(|pid| !Path::new(&format!("/proc/{pid}")).exists())
}

fn unique_suffix() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{:x}", nanos % 0xffff_ffff)
}

/// The secrets of a function's `Properties`: its variables that `!Ref` a resource, named
/// `*_SECRET`, and its `AWSSecretsManagerGetSecretValuePolicy` policies.
fn function_secrets(properties: &Value) -> FunctionSecrets {
    let reference = |value: &Value| match value {
        Value::Tagged(tagged) if tagged.tag == "Ref" => tagged.value.as_str().map(str::to_owned),
        _ => None,
    };
    let mut secrets = FunctionSecrets::default();
    let variables = properties["Environment"]["Variables"].as_mapping();
    for (name, value) in variables.into_iter().flatten() {
        let name = name.as_str().unwrap_or_default();
        if let (true, Some(target)) = (name.ends_with("_SECRET"), reference(value)) {
            secrets.variables.insert(name.to_owned(), target);
        }
    }
    let policies = properties["Policies"].as_sequence();
    for policy in policies.into_iter().flatten() {
        let arn = &policy["AWSSecretsManagerGetSecretValuePolicy"]["SecretArn"];
        if let Some(target) = reference(arn) {
            secrets.readable.insert(target);
        }
    }
    secrets
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sweeping_spares_the_tables_of_running_tests() {
        let mine = format!(
            "{TEST_PREFIX}{}-1a2b-imports-ServicesTable",
            std::process::id()
        );
        assert!(!is_left_behind(&mine));
        assert!(is_left_behind("test-4294967295-1a2b-imports-ServicesTable"));
        assert!(
            is_left_behind("test-1a2b3c-imports-ServicesTable"),
            "an old name"
        );
        assert!(!is_left_behind("ServicesTable"), "make run's own");
    }

    #[test]
    fn template_declares_the_tables_and_names_them_in_globals() {
        let t = Template::load(&template_path()).unwrap();
        assert_eq!(
            t.tables.len(),
            t.table_env.len(),
            "every table has its variable"
        );
        assert_eq!(t.table_env["SERVICES_TABLE"], "ServicesTable");
        let counters = &t.tables["CountersTable"];
        assert_eq!(counters.global_secondary_indexes[0].index_name, "ByAccount");
    }
}
