//! Each endpoint's facts in one block ([`Endpoint::spec`]): its function, method, paths, who
//! may call it, the secrets its function is given, and for an import what it imports. There
//! is no default arm: a new endpoint answers every question here, and the compiler asks them.

use domain::{
    Account, Act, Balance, Counter, Organization, Reading, Receipt, Record, Scope, Secret, Service,
    Transaction,
};
use lambda_http::http::Method;
use store::{Dynamo, RecordWriter, Table};

use super::Endpoint;

/// An endpoint's facts: [`Endpoint::spec`] has one literal of it per endpoint.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    /// The Lambda: its binary under `functions/` and its name in `template.yaml`'s metadata.
    pub function: &'static str,
    pub method: Verb,
    /// As API Gateway writes them (`{name}` for a path parameter); the first is the one to call.
    pub paths: &'static [&'static str],
    pub access: Access,
    /// The deployment's secrets its function is given: the personal-data key to the one
    /// function that pseudonymises, the signing key to those that issue or take back cursors
    /// and print links.
    pub secrets: &'static [Secret],
    /// For an import: what it imports, from the record type's own constants.
    pub import: Option<Import>,
}

/// An endpoint's HTTP method (`http::Method` is not `Copy`, so not for a constant).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Get,
    Post,
    Put,
    Delete,
}

impl Verb {
    pub fn method(self) -> Method {
        match self {
            Verb::Get => Method::GET,
            Verb::Post => Method::POST,
            Verb::Put => Method::PUT,
            Verb::Delete => Method::DELETE,
        }
    }
}

/// Which keys may call an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// A key of the whole tenant with this scope; a key bound to one account is `403`
    /// ([`App::authenticate`]).
    Tenant(Scope),
    /// A key of the whole tenant, or one bound to an account (a residents' app's), with any of
    /// these scopes ([`App::caller`]); the handler answers `404` for any other account.
    TenantOrAccount(&'static [Scope]),
}

impl Access {
    /// The scopes that open it: any one of them is enough.
    pub const fn scopes(self) -> &'static [Scope] {
        match self {
            Access::Tenant(Scope::Import) => &[Scope::Import],
            Access::Tenant(Scope::Read) => &[Scope::Read],
            Access::Tenant(Scope::Submit) => &[Scope::Submit],
            Access::Tenant(Scope::Keys) => &[Scope::Keys],
            Access::TenantOrAccount(scopes) => scopes,
        }
    }
}

/// What an import endpoint imports: the table, the body's top-level key and the kind's name,
/// all read from the record type and its writer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Import {
    pub table: Table,
    pub collection: &'static str,
    pub kind: &'static str,
}

impl Import {
    const fn of<R: Record>() -> Import
    where
        Dynamo: RecordWriter<R>,
    {
        Import {
            table: <Dynamo as RecordWriter<R>>::TABLE,
            collection: R::COLLECTION,
            kind: R::KIND,
        }
    }
}

impl Endpoint {
    /// Everything about the endpoint, in one block each: a new route answers every question
    /// here (there is no default arm), and the accessors read nothing else. Long by design: it
    /// is the table of the API, one block per endpoint, and reads as one.
    pub const fn spec(self) -> Spec {
        use Access::{Tenant, TenantOrAccount};
        const SIGNS: &[Secret] = &[Secret::SigningKey];
        const NONE: &[Secret] = &[];
        match self {
            Endpoint::ImportServices => Spec {
                function: "import-services",
                method: Verb::Post,
                paths: &["/api/directory/importservices"],
                access: Tenant(Scope::Import),
                secrets: NONE,
                import: Some(Import::of::<Service>()),
            },
            Endpoint::ImportAccounts => Spec {
                function: "import-accounts",
                method: Verb::Post,
                paths: &["/api/directory/importaccounts"],
                access: Tenant(Scope::Import),
                // The one function that pseudonymises.
                secrets: &[Secret::PersonalDataKey],
                import: Some(Import::of::<Account>()),
            },
            Endpoint::ImportCounters => Spec {
                function: "import-counters",
                method: Verb::Post,
                paths: &["/api/directory/importcounters"],
                access: Tenant(Scope::Import),
                secrets: NONE,
                import: Some(Import::of::<Counter>()),
            },
            Endpoint::ImportReadings => Spec {
                function: "import-readings",
                method: Verb::Post,
                paths: &["/api/counter/import"],
                access: Tenant(Scope::Import),
                secrets: NONE,
                import: Some(Import::of::<Reading>()),
            },
            Endpoint::ImportBalances => Spec {
                function: "import-balances",
                method: Verb::Post,
                paths: &["/api/balance/import"],
                access: Tenant(Scope::Import),
                secrets: NONE,
                import: Some(Import::of::<Balance>()),
            },
            Endpoint::ImportTransactions => Spec {
                function: "import-transactions",
                method: Verb::Post,
                paths: &["/api/transaction/import"],
                access: Tenant(Scope::Import),
                secrets: NONE,
                import: Some(Import::of::<Transaction>()),
            },
            Endpoint::ImportActs => Spec {
                function: "import-acts",
                method: Verb::Post,
                paths: &["/v1/billing/acts/import"],
                access: Tenant(Scope::Import),
                secrets: NONE,
                import: Some(Import::of::<Act>()),
            },
            Endpoint::ActsList => Spec {
                function: "acts-list",
                method: Verb::Get,
                paths: &[
                    "/v1/billing/acts",
                    "/v1/billing/acts/{page}",
                    "/v1/billing/acts/{page}/{limit}",
                ],
                access: Tenant(Scope::Read),
                secrets: NONE,
                import: None,
            },
            Endpoint::ActInfo => Spec {
                function: "act-info",
                method: Verb::Get,
                paths: &["/v1/billing/act_info/{act_id}"],
                access: Tenant(Scope::Read),
                secrets: NONE,
                import: None,
            },
            Endpoint::ActPrint => Spec {
                function: "act-print",
                method: Verb::Get,
                paths: &["/v1/billing/act_info/{act_id}/print"],
                // Or no key at all, with a print link's token (`print_link.rs`).
                access: Tenant(Scope::Read),
                secrets: SIGNS,
                import: None,
            },
            Endpoint::ActPrintLink => Spec {
                function: "act-print-link",
                method: Verb::Post,
                paths: &["/v1/billing/act_info/{act_id}/print_link"],
                access: Tenant(Scope::Read),
                secrets: SIGNS,
                import: None,
            },
            Endpoint::ActStatuses => Spec {
                function: "act-statuses",
                method: Verb::Get,
                paths: &["/v1/billing/filter/act_statuses"],
                access: Tenant(Scope::Read),
                secrets: NONE,
                import: None,
            },
            Endpoint::ActPayers => Spec {
                function: "act-payers",
                method: Verb::Get,
                paths: &["/v1/billing/filter/payers"],
                access: Tenant(Scope::Read),
                secrets: SIGNS,
                import: None,
            },
            Endpoint::ActRecipients => Spec {
                function: "act-recipients",
                method: Verb::Get,
                paths: &["/v1/billing/filter/recipients"],
                access: Tenant(Scope::Read),
                secrets: SIGNS,
                import: None,
            },
            Endpoint::ServicesList => Spec {
                function: "services-list",
                method: Verb::Get,
                paths: &["/api/services"],
                access: TenantOrAccount(&[Scope::Read]),
                secrets: SIGNS,
                import: None,
            },
            Endpoint::AccountGet => Spec {
                function: "account-get",
                method: Verb::Get,
                paths: &["/api/accounts/{id}"],
                access: TenantOrAccount(&[Scope::Read]),
                secrets: SIGNS,
                import: None,
            },
            Endpoint::AccountBalances => Spec {
                function: "account-balances",
                method: Verb::Get,
                paths: &["/api/accounts/{id}/balances"],
                access: TenantOrAccount(&[Scope::Read]),
                secrets: SIGNS,
                import: None,
            },
            Endpoint::AccountTransactions => Spec {
                function: "account-transactions",
                method: Verb::Get,
                paths: &["/api/accounts/{id}/transactions"],
                access: TenantOrAccount(&[Scope::Read]),
                secrets: SIGNS,
                import: None,
            },
            Endpoint::CounterReadings => Spec {
                function: "counter-readings",
                method: Verb::Get,
                paths: &["/api/counters/{id}/readings"],
                access: TenantOrAccount(&[Scope::Read]),
                secrets: SIGNS,
                import: None,
            },
            Endpoint::KeysCreate => Spec {
                function: "keys-create",
                method: Verb::Post,
                paths: &["/api/keys"],
                access: Tenant(Scope::Keys),
                secrets: NONE,
                import: None,
            },
            Endpoint::KeysList => Spec {
                function: "keys-list",
                method: Verb::Get,
                // The same path as minting, another method and function.
                paths: &["/api/keys"],
                access: Tenant(Scope::Keys),
                secrets: NONE,
                import: None,
            },
            Endpoint::KeysRevoke => Spec {
                function: "keys-revoke",
                method: Verb::Delete,
                paths: &["/api/keys/{id}"],
                access: Tenant(Scope::Keys),
                secrets: NONE,
                import: None,
            },
            Endpoint::CounterSubmit => Spec {
                function: "counter-submit",
                method: Verb::Post,
                // The same path as the readings' history, another method and function.
                paths: &["/api/counters/{id}/readings"],
                access: TenantOrAccount(&[Scope::Submit]),
                secrets: NONE,
                import: None,
            },
            Endpoint::CounterSubmissions => Spec {
                function: "counter-submissions",
                method: Verb::Get,
                paths: &["/api/counters/{id}/submissions"],
                access: TenantOrAccount(&[Scope::Read]),
                secrets: SIGNS,
                import: None,
            },
            Endpoint::CounterExport => Spec {
                function: "counter-export",
                method: Verb::Get,
                paths: &["/api/counter/export"],
                access: Tenant(Scope::Import),
                secrets: NONE,
                import: None,
            },
            Endpoint::CounterExportAck => Spec {
                function: "counter-export-ack",
                method: Verb::Post,
                paths: &["/api/counter/export/ack"],
                access: Tenant(Scope::Import),
                secrets: NONE,
                import: None,
            },
            Endpoint::SettingsGet => Spec {
                function: "settings-get",
                method: Verb::Get,
                paths: &["/api/settings"],
                // 1C reads the office's settings too.
                access: TenantOrAccount(&[Scope::Read, Scope::Import]),
                secrets: NONE,
                import: None,
            },
            Endpoint::SettingsPut => Spec {
                function: "settings-put",
                method: Verb::Put,
                paths: &["/api/settings"],
                access: Tenant(Scope::Import),
                secrets: NONE,
                import: None,
            },
            Endpoint::ExchangeOpen => Spec {
                function: "exchange-open",
                method: Verb::Post,
                paths: &["/api/exchanges"],
                access: Tenant(Scope::Import),
                secrets: NONE,
                import: None,
            },
            Endpoint::ExchangeGet => Spec {
                function: "exchange-get",
                method: Verb::Get,
                paths: &["/api/exchanges/{id}"],
                access: Tenant(Scope::Import),
                secrets: NONE,
                import: None,
            },
            Endpoint::JournalList => Spec {
                function: "journal-list",
                method: Verb::Get,
                paths: &["/api/journal"],
                access: Tenant(Scope::Import),
                secrets: SIGNS,
                import: None,
            },
            Endpoint::TransactionReconciliation => Spec {
                function: "transaction-reconciliation",
                method: Verb::Get,
                paths: &["/api/transaction/reconciliation"],
                access: Tenant(Scope::Import),
                secrets: SIGNS,
                import: None,
            },
            Endpoint::BalanceReconciliation => Spec {
                function: "balance-reconciliation",
                method: Verb::Get,
                paths: &["/api/balance/reconciliation"],
                access: Tenant(Scope::Import),
                secrets: SIGNS,
                import: None,
            },
            Endpoint::CounterReconciliation => Spec {
                function: "counter-reconciliation",
                method: Verb::Get,
                paths: &["/api/counter/reconciliation"],
                access: Tenant(Scope::Import),
                secrets: SIGNS,
                import: None,
            },
            Endpoint::ImportOrganizations => Spec {
                function: "import-organizations",
                method: Verb::Post,
                paths: &["/api/directory/importorganizations"],
                access: Tenant(Scope::Import),
                secrets: NONE,
                import: Some(Import::of::<Organization>()),
            },
            Endpoint::ImportReceipts => Spec {
                function: "import-receipts",
                method: Verb::Post,
                paths: &["/api/receipt/import"],
                access: Tenant(Scope::Import),
                secrets: NONE,
                import: Some(Import::of::<Receipt>()),
            },
            Endpoint::AccountReceipts => Spec {
                function: "account-receipts",
                method: Verb::Get,
                paths: &["/api/accounts/{id}/receipts"],
                access: TenantOrAccount(&[Scope::Read]),
                secrets: SIGNS,
                import: None,
            },
            Endpoint::ReceiptPrint => Spec {
                function: "receipt-print",
                method: Verb::Get,
                paths: &["/api/accounts/{id}/receipts/{period}/print"],
                // Or no key at all, with a print link's token (`receipt_page.rs`).
                access: TenantOrAccount(&[Scope::Read]),
                secrets: SIGNS,
                import: None,
            },
            Endpoint::ReceiptPrintLink => Spec {
                function: "receipt-print-link",
                method: Verb::Post,
                paths: &["/api/accounts/{id}/receipts/{period}/print_link"],
                access: TenantOrAccount(&[Scope::Read]),
                secrets: SIGNS,
                import: None,
            },
        }
    }
}
