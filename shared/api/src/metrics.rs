//! Custom metrics in CloudWatch Embedded Metric Format: one JSON line per import request on
//! stdout, which CloudWatch turns into metrics (namespace `DomControl`, dimensions `Stage` and
//! `Endpoint`) without any API call. The dashboard in `template.yaml` reads them.

use serde_json::json;

/// What one import request did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportMetrics {
    pub endpoint: &'static str,
    pub items_imported: usize,
    pub items_rejected: usize,
    pub request_rejected: bool,
    /// Batch calls DynamoDB left partly undone and the store sent again.
    pub dynamo_retries: u64,
}

impl ImportMetrics {
    pub const NAMESPACE: &'static str = "DomControl";

    /// The EMF document for this request.
    pub fn emf(&self, stage: &str, timestamp_ms: i64) -> serde_json::Value {
        json!({
            "_aws": {
                "Timestamp": timestamp_ms,
                "CloudWatchMetrics": [{
                    "Namespace": Self::NAMESPACE,
                    "Dimensions": [["Stage", "Endpoint"]],
                    "Metrics": [
                        {"Name": "ItemsImported", "Unit": "Count"},
                        {"Name": "ItemsRejected", "Unit": "Count"},
                        {"Name": "RequestsRejected", "Unit": "Count"},
                        {"Name": "DynamoRetries", "Unit": "Count"},
                    ],
                }],
            },
            "Stage": stage,
            "Endpoint": self.endpoint,
            "ItemsImported": self.items_imported,
            "ItemsRejected": self.items_rejected,
            "RequestsRejected": u8::from(self.request_rejected),
            "DynamoRetries": self.dynamo_retries,
        })
    }

    /// Writes the EMF line to stdout, where Lambda sends it to CloudWatch Logs.
    pub fn emit(&self) {
        let stage = std::env::var("STAGE").unwrap_or_else(|_| "local".to_owned());
        let now = chrono::Utc::now().timestamp_millis();
        println!("{}", self.emf(&stage, now));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emf_document_declares_every_metric_it_carries() {
        let m = ImportMetrics {
            endpoint: "readings",
            items_imported: 0,
            items_rejected: 3,
            request_rejected: true,
            dynamo_retries: 2,
        };
        let doc = m.emf("prod", 1_700_000_000_000);
        let declared = &doc["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(declared["Namespace"], "DomControl");
        for dimension in declared["Dimensions"][0].as_array().unwrap() {
            assert!(
                doc.get(dimension.as_str().unwrap()).is_some(),
                "{dimension}"
            );
        }
        for metric in declared["Metrics"].as_array().unwrap() {
            let name = metric["Name"].as_str().unwrap();
            assert!(doc[name].is_number(), "{name} is a number at the top level");
        }
        assert_eq!(
            (
                doc["ItemsRejected"].as_u64(),
                doc["RequestsRejected"].as_u64()
            ),
            (Some(3), Some(1))
        );
        assert_eq!(doc["_aws"]["Timestamp"], 1_700_000_000_000i64);
    }
}
