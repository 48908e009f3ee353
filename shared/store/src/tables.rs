//! The tables, as `template.yaml` declares them, and their deployed names.

use domain::Directory;

use crate::StoreError;

/// The tables, as `template.yaml` declares them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Table {
    Services,
    Accounts,
    Counters,
    Readings,
    Balances,
    Transactions,
    Acts,
    ApiKeys,
    Exchanges,
    Submissions,
    Settings,
    Journal,
    Organizations,
    Receipts,
}

impl Table {
    pub const ALL: [Table; 14] = [
        Table::Services,
        Table::Accounts,
        Table::Counters,
        Table::Readings,
        Table::Balances,
        Table::Transactions,
        Table::Acts,
        Table::ApiKeys,
        Table::Exchanges,
        Table::Submissions,
        Table::Settings,
        Table::Journal,
        Table::Organizations,
        Table::Receipts,
    ];

    /// The table's logical name, as `template.yaml` calls it.
    pub fn logical_name(self) -> &'static str {
        match self {
            Table::Services => "Services",
            Table::Accounts => "Accounts",
            Table::Counters => "Counters",
            Table::Readings => "Readings",
            Table::Balances => "Balances",
            Table::Transactions => "Transactions",
            Table::Acts => "Acts",
            Table::ApiKeys => "ApiKeys",
            Table::Exchanges => "Exchanges",
            Table::Submissions => "Submissions",
            Table::Settings => "Settings",
            Table::Journal => "Journal",
            Table::Organizations => "Organizations",
            Table::Receipts => "Receipts",
        }
    }

    /// The environment variable that carries the table's name (set by `template.yaml`).
    pub fn env_var(self) -> &'static str {
        match self {
            Table::Services => "SERVICES_TABLE",
            Table::Accounts => "ACCOUNTS_TABLE",
            Table::Counters => "COUNTERS_TABLE",
            Table::Readings => "READINGS_TABLE",
            Table::Balances => "BALANCES_TABLE",
            Table::Transactions => "TRANSACTIONS_TABLE",
            Table::Acts => "ACTS_TABLE",
            Table::ApiKeys => "API_KEYS_TABLE",
            Table::Exchanges => "EXCHANGES_TABLE",
            Table::Submissions => "SUBMISSIONS_TABLE",
            Table::Settings => "SETTINGS_TABLE",
            Table::Journal => "JOURNAL_TABLE",
            Table::Organizations => "ORGANIZATIONS_TABLE",
            Table::Receipts => "RECEIPTS_TABLE",
        }
    }
}

/// A key attribute of a table or of one of its indexes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct KeyAttribute {
    pub name: &'static str,
    /// A partition (hash) key: 2,048 bytes at most; a sort (range) key: 1,024.
    pub partition: bool,
}

const fn partition(name: &'static str) -> KeyAttribute {
    KeyAttribute {
        name,
        partition: true,
    }
}

const fn sort(name: &'static str) -> KeyAttribute {
    KeyAttribute {
        name,
        partition: false,
    }
}

impl Table {
    /// The attributes of its key and of its indexes' keys, as `template.yaml` declares them (a
    /// test compares): what [`crate::items::overlong_key`] checks before anything is written.
    pub fn key_attributes(self) -> &'static [KeyAttribute] {
        const TABLE: &[KeyAttribute] = &[partition("pk"), sort("sk")];
        const BY_ACCOUNT: &[KeyAttribute] =
            &[partition("pk"), sort("sk"), partition("account_key")];
        const BY_PERIOD: &[KeyAttribute] = &[
            partition("pk"),
            sort("sk"),
            partition("period_pk"),
            sort("date"),
        ];
        const ACTS: &[KeyAttribute] = &[
            partition("pk"),
            sort("sk"),
            sort("by_created"),
            sort("by_number"),
            sort("by_count"),
            sort("by_amount"),
        ];
        const ONE: &[KeyAttribute] = &[partition("pk")];
        const KEYS: &[KeyAttribute] = &[
            partition("pk"),
            partition("account_key"),
            sort("created_at"),
        ];
        const SUBMISSIONS: &[KeyAttribute] = &[
            partition("pk"),
            partition("counter_pk"),
            sort("counter_sk"),
            partition("account_counter_pk"),
            partition("pending_pk"),
            sort("pending_sk"),
        ];
        match self {
            Table::Services
            | Table::Accounts
            | Table::Organizations
            | Table::Exchanges
            | Table::Journal => TABLE,
            Table::Counters => BY_ACCOUNT,
            Table::Readings | Table::Balances | Table::Transactions | Table::Receipts => BY_PERIOD,
            Table::Acts => ACTS,
            Table::ApiKeys => KEYS,
            Table::Settings => ONE,
            Table::Submissions => SUBMISSIONS,
        }
    }
}

/// The deployed name of every table.
#[derive(Debug, Clone)]
pub struct Tables {
    names: [String; Table::ALL.len()],
}

impl Tables {
    /// Names from the process environment, as `template.yaml` sets them.
    pub fn from_env() -> Result<Self, StoreError> {
        Self::from_lookup(|var| std::env::var(var).ok())
    }

    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, StoreError> {
        Self::lookup(&Table::ALL, lookup)
    }

    /// Only the names of `needed`, for a tool that touches just those tables (the `apikey` tool
    /// needs only `API_KEYS_TABLE`); the other names stay empty, which DynamoDB refuses.
    pub fn from_env_for(needed: &[Table]) -> Result<Self, StoreError> {
        Self::lookup(needed, |var| std::env::var(var).ok())
    }

    fn lookup(
        needed: &[Table],
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, StoreError> {
        let mut names: [String; Table::ALL.len()] = Default::default();
        for table in needed.iter().copied() {
            names[table as usize] = lookup(table.env_var())
                .filter(|n| !n.is_empty())
                .ok_or_else(|| StoreError::Config(format!("{} is not set", table.env_var())))?;
        }
        Ok(Self { names })
    }

    pub fn name(&self, table: Table) -> &str {
        &self.names[table as usize]
    }

    pub(crate) fn table_named(&self, name: &str) -> Option<Table> {
        Table::ALL.into_iter().find(|t| self.name(*t) == name)
    }
}

impl Table {
    pub fn of_directory(directory: Directory) -> Self {
        match directory {
            Directory::Service => Table::Services,
            Directory::Account => Table::Accounts,
            Directory::Counter => Table::Counters,
            Directory::Organization => Table::Organizations,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tool_needs_only_the_tables_it_touches() {
        let only_keys = Tables::lookup(&[Table::ApiKeys], |var| {
            (var == "API_KEYS_TABLE").then(|| "keys".to_owned())
        })
        .unwrap();
        assert_eq!(only_keys.name(Table::ApiKeys), "keys");
        assert_eq!(only_keys.name(Table::Acts), "");
        let missing = Tables::from_lookup(|var| (var != "ACTS_TABLE").then(|| var.to_lowercase()));
        assert!(matches!(missing, Err(StoreError::Config(m)) if m.contains("ACTS_TABLE")));
    }
}

#[cfg(test)]
mod key_schema {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn key_attributes_are_the_templates() {
        let template = local_tables::Template::load(&local_tables::template_path()).unwrap();
        for table in Table::ALL {
            let spec = &template.tables[&format!("{}Table", table.logical_name())];
            let schemas = std::iter::once(&spec.key_schema)
                .chain(spec.global_secondary_indexes.iter().map(|i| &i.key_schema));
            let declared: BTreeSet<(String, bool)> = schemas
                .flatten()
                .map(|k| (k.attribute_name.clone(), k.key_type == "HASH"))
                .collect();
            let listed: BTreeSet<(String, bool)> = table
                .key_attributes()
                .iter()
                .map(|k| (k.name.to_owned(), k.partition))
                .collect();
            assert_eq!(listed, declared, "{table:?}");
        }
    }
}
