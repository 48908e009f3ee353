//! The office's settings: one item per tenant in the `Settings` table, `pk` the tenant.

use std::future::Future;

use aws_sdk_dynamodb::types::AttributeValue;
use domain::Tenant;
use domain::settings::{Settings, Window};

use crate::error::{corrupt, request_error};
use crate::items::{Item, pk_item, s, text_of};
use crate::{Dynamo, StoreError, Table};

/// Where the office's settings are kept.
pub trait SettingsStore {
    /// The office's settings, or the defaults until it sets them.
    fn settings(
        &self,
        tenant: &Tenant,
    ) -> impl Future<Output = Result<Settings, StoreError>> + Send;

    fn put_settings(
        &self,
        tenant: &Tenant,
        settings: &Settings,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// The key of a tenant's settings.
pub(crate) fn settings_key(tenant: &Tenant) -> Item {
    pk_item(tenant.as_str().to_owned())
}

pub(crate) fn settings_item(tenant: &Tenant, settings: &Settings) -> Item {
    let mut item = settings_key(tenant);
    item.insert("time_zone".into(), s(settings.time_zone.name()));
    if let Some(window) = settings.readings_window {
        item.insert(
            "from_day".into(),
            AttributeValue::N(window.from_day.to_string()),
        );
        item.insert(
            "to_day".into(),
            AttributeValue::N(window.to_day.to_string()),
        );
    }
    item
}

pub(crate) fn settings_of(item: Option<&Item>) -> Result<Settings, StoreError> {
    let Some(item) = item else {
        return Ok(Settings::default());
    };
    let time_zone = text_of(item, "time_zone")
        .and_then(|name| name.parse().ok())
        .ok_or_else(|| corrupt("settings without a time zone"))?;
    let day = |name: &str| match item.get(name) {
        Some(AttributeValue::N(n)) => n.parse::<u8>().ok(),
        _ => None,
    };
    let readings_window = match (day("from_day"), day("to_day")) {
        (Some(from), Some(to)) => Some(Window::new(from, to).ok_or_else(|| corrupt("window"))?),
        _ => None,
    };
    Ok(Settings {
        time_zone,
        readings_window,
    })
}

impl SettingsStore for Dynamo {
    async fn settings(&self, tenant: &Tenant) -> Result<Settings, StoreError> {
        let out = self
            .client()
            .get_item()
            .table_name(self.tables().name(Table::Settings))
            .set_key(Some(settings_key(tenant)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| request_error("GetItem", e))?;
        settings_of(out.item.as_ref())
    }

    async fn put_settings(&self, tenant: &Tenant, settings: &Settings) -> Result<(), StoreError> {
        self.client()
            .put_item()
            .table_name(self.tables().name(Table::Settings))
            .set_item(Some(settings_item(tenant, settings)))
            .send()
            .await
            .map_err(|e| request_error("PutItem", e))?;
        Ok(())
    }
}
