//! The template's alarms: each within CloudWatch's quota of metrics, and every table but the
//! keys' watched for throttled writes and reads (a table added without its alarm fails here).

use std::collections::BTreeSet;

use serde_norway::Value as Yaml;

/// "Alarms based on metric math expressions can have up to 10 metrics" (CloudWatch quotas).
const METRICS_PER_ALARM: usize = 10;

fn template() -> Yaml {
    let text = std::fs::read_to_string(local_tables::template_path()).unwrap();
    serde_norway::from_str(&text).unwrap()
}

/// The tables whose `metric` some alarm watches.
fn watched(resources: &serde_norway::Mapping, metric: &str) -> BTreeSet<String> {
    let mut tables = BTreeSet::new();
    for resource in resources.values() {
        let Some(metrics) = resource["Properties"]["Metrics"].as_sequence() else {
            continue;
        };
        for stat in metrics.iter().map(|m| &m["MetricStat"]["Metric"]) {
            if stat["MetricName"].as_str() != Some(metric) {
                continue;
            }
            for dimension in stat["Dimensions"].as_sequence().unwrap() {
                if let Yaml::Tagged(tagged) = &dimension["Value"] {
                    tables.insert(tagged.value.as_str().unwrap().to_owned());
                }
            }
        }
    }
    tables
}

#[test]
fn every_alarm_fits_the_quota_and_every_table_is_watched() {
    let template = template();
    let resources = template["Resources"].as_mapping().unwrap();
    let alarms: Vec<(&Yaml, &Yaml)> = resources
        .iter()
        .filter(|(_, r)| r["Type"].as_str() == Some("AWS::CloudWatch::Alarm"))
        .collect();
    assert!(alarms.len() >= 4, "the throttle alarms are found");
    for (name, alarm) in &alarms {
        let metrics = alarm["Properties"]["Metrics"]
            .as_sequence()
            .map_or(0, Vec::len);
        assert!(metrics <= METRICS_PER_ALARM, "{name:?}: {metrics} metrics");
    }
    let tables: BTreeSet<String> = resources
        .iter()
        .filter(|(_, r)| r["Type"].as_str() == Some("AWS::DynamoDB::Table"))
        .map(|(name, _)| name.as_str().unwrap().to_owned())
        .filter(|name| name != "ApiKeysTable")
        .collect();
    assert!(tables.contains("ReceiptsTable"), "the tables are found");
    for metric in ["WriteThrottleEvents", "ReadThrottleEvents"] {
        assert_eq!(watched(resources, metric), tables, "{metric}");
    }
}
