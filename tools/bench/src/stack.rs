//! Fresh tables on DynamoDB Local with an API key, and the environment a function gets there.

use std::collections::BTreeMap;

use aws_sdk_dynamodb::Client;
use domain::{ApiKey, KeyHash, Scope, Tenant};
use store::{Dynamo, Table, Tables};

pub struct Stack {
    pub client: Client,
    pub store: Dynamo,
    names: BTreeMap<String, String>,
    key: ApiKey,
}

impl Stack {
    pub async fn new(label: &str) -> Self {
        let (client, names) = local_tables::fresh_tables(label).await;
        let tables = Tables::from_lookup(|var| names.get(var).cloned()).unwrap();
        let store = Dynamo::new(client.clone(), tables);
        let key = ApiKey::generate();
        let tenant = Tenant::parse("bench").unwrap();
        store
            .create_key(&key.hash(), &tenant, &Scope::ALL)
            .await
            .unwrap();
        Self {
            client,
            store,
            names,
            key,
        }
    }

    /// Imports samples, each kind by a fresh function: `(endpoint, items, references)`.
    pub async fn import(&self, bin: &std::path::Path, loads: &[(api::Endpoint, usize, usize)]) {
        for &(endpoint, items, refs) in loads {
            let body = samples::body(endpoint, 0..items, refs);
            self.post(bin, endpoint, &body, 1).await;
        }
    }

    /// Posts `body` to `endpoint` `times` times with one warm function; each must be `201`.
    pub async fn post(
        &self,
        bin: &std::path::Path,
        endpoint: api::Endpoint,
        body: &str,
        times: usize,
    ) {
        let mut function =
            runtime_api::Function::spawn(&bin.join(endpoint.function()), &self.env()).await;
        function.init().await;
        let path = endpoint.paths()[0];
        for _ in 0..times {
            let event = runtime_api::routed_event("POST", path, path, &[], "", self.key(), body);
            let answer = function.invoke(event).await;
            assert_eq!(answer.status, 201, "{}", answer.body);
        }
    }

    pub fn key(&self) -> &str {
        self.key.reveal()
    }

    pub fn key_hash(&self) -> KeyHash {
        self.key.hash()
    }

    pub fn table(&self, table: Table) -> &str {
        self.store.tables().name(table)
    }

    /// What `template.yaml` gives a deployed function, pointed at these tables; personal data
    /// pseudonymised, as deployed by default.
    pub fn env(&self) -> BTreeMap<String, String> {
        let endpoint = std::env::var("AWS_ENDPOINT_URL_DYNAMODB")
            .unwrap_or_else(|_| "http://127.0.0.1:8000".to_owned());
        let mut env = self.names.clone();
        env.extend(
            [
                ("AWS_ENDPOINT_URL_DYNAMODB", endpoint.as_str()),
                ("AWS_REGION", "eu-central-1"),
                ("AWS_ACCESS_KEY_ID", "local"),
                ("AWS_SECRET_ACCESS_KEY", "local"),
                ("PERSONAL_DATA", "pseudonymise"),
                ("PERSONAL_DATA_KEY", "bench-bench-bench-bench-bench-bench"),
                // The paged reads seal their `next` cursors with it.
                ("SIGNING_KEY", "bench-signing-bench-signing-bench-signing"),
                // One tenant sends every request of the bench, faster than an office would.
                ("TENANT_REQUESTS_PER_SECOND", "1000000"),
            ]
            .map(|(k, v)| (k.to_owned(), v.to_owned())),
        );
        env
    }
}
