//! Every route of the API, listed once: its function (the Lambda binary under `functions/`),
//! method, paths, scope and handler. `template.yaml`, the router of `make run`
//! (`Cargo.toml`), `docs/openapi.yaml` and the functions' `main.rs` files are checked against
//! this list by a test; the tests, the benchmarks and the sample bodies read it.
//!
//! The spec calls meters `counters`, and so do the wire format, the paths and these names
//! (`ImportCounters`, `CounterReadings`); the code's prose says meters where it means the thing.

use std::future::Future;
use std::pin::Pin;

use domain::{
    Account, Act, Balance, Counter, PartyRole, Reading, Record, Scope, Secret, Service, Transaction,
};
use lambda_http::http::Method;
use lambda_http::{Body, Error, Request, Response};
use store::{Dynamo, Table};

use crate::{App, browser};

/// What a handler answers: a response, or the runtime's error (never for a client's input).
pub type Answer<'a> = Pin<Box<dyn Future<Output = Result<Response<Body>, Error>> + Send + 'a>>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Endpoint {
    ImportServices,
    ImportAccounts,
    ImportCounters,
    ImportReadings,
    ImportBalances,
    ImportTransactions,
    ImportActs,
    ActsList,
    ActInfo,
    ActPrint,
    ActPrintLink,
    ActStatuses,
    ActPayers,
    ActRecipients,
    ServicesList,
    AccountGet,
    AccountBalances,
    AccountTransactions,
    CounterReadings,
    KeysCreate,
    KeysRevoke,
    CounterSubmit,
    CounterSubmissions,
    CounterExport,
    CounterExportAck,
    SettingsGet,
    SettingsPut,
}

impl Endpoint {
    pub const ALL: [Endpoint; 27] = [
        Endpoint::ImportServices,
        Endpoint::ImportAccounts,
        Endpoint::ImportCounters,
        Endpoint::ImportReadings,
        Endpoint::ImportBalances,
        Endpoint::ImportTransactions,
        Endpoint::ImportActs,
        Endpoint::ActsList,
        Endpoint::ActInfo,
        Endpoint::ActPrint,
        Endpoint::ActPrintLink,
        Endpoint::ActStatuses,
        Endpoint::ActPayers,
        Endpoint::ActRecipients,
        Endpoint::ServicesList,
        Endpoint::AccountGet,
        Endpoint::AccountBalances,
        Endpoint::AccountTransactions,
        Endpoint::CounterReadings,
        Endpoint::KeysCreate,
        Endpoint::KeysRevoke,
        Endpoint::CounterSubmit,
        Endpoint::CounterSubmissions,
        Endpoint::CounterExport,
        Endpoint::CounterExportAck,
        Endpoint::SettingsGet,
        Endpoint::SettingsPut,
    ];

    /// The six imports of the DomControl spec, in the order 1C sends them (directories, then
    /// what refers to them).
    pub const DOMCONTROL_IMPORTS: [Endpoint; 6] = [
        Endpoint::ImportServices,
        Endpoint::ImportAccounts,
        Endpoint::ImportCounters,
        Endpoint::ImportReadings,
        Endpoint::ImportBalances,
        Endpoint::ImportTransactions,
    ];

    /// Its Lambda: the binary under `functions/` and its name in `template.yaml`'s metadata.
    pub fn function(self) -> &'static str {
        match self {
            Endpoint::ImportServices => "import-services",
            Endpoint::ImportAccounts => "import-accounts",
            Endpoint::ImportCounters => "import-counters",
            Endpoint::ImportReadings => "import-readings",
            Endpoint::ImportBalances => "import-balances",
            Endpoint::ImportTransactions => "import-transactions",
            Endpoint::ImportActs => "import-acts",
            Endpoint::ActsList => "acts-list",
            Endpoint::ActInfo => "act-info",
            Endpoint::ActPrint => "act-print",
            Endpoint::ActPrintLink => "act-print-link",
            Endpoint::ActStatuses => "act-statuses",
            Endpoint::ActPayers => "act-payers",
            Endpoint::ActRecipients => "act-recipients",
            Endpoint::ServicesList => "services-list",
            Endpoint::AccountGet => "account-get",
            Endpoint::AccountBalances => "account-balances",
            Endpoint::AccountTransactions => "account-transactions",
            Endpoint::CounterReadings => "counter-readings",
            Endpoint::KeysCreate => "keys-create",
            Endpoint::KeysRevoke => "keys-revoke",
            Endpoint::CounterSubmit => "counter-submit",
            Endpoint::CounterSubmissions => "counter-submissions",
            Endpoint::CounterExport => "counter-export",
            Endpoint::CounterExportAck => "counter-export-ack",
            Endpoint::SettingsGet => "settings-get",
            Endpoint::SettingsPut => "settings-put",
        }
    }

    /// Its paths, as API Gateway writes them (`{name}` for a path parameter); the first is the
    /// one to call.
    pub fn paths(self) -> &'static [&'static str] {
        match self {
            Endpoint::ImportServices => &["/api/directory/importservices"],
            Endpoint::ImportAccounts => &["/api/directory/importaccounts"],
            Endpoint::ImportCounters => &["/api/directory/importcounters"],
            Endpoint::ImportReadings => &["/api/counter/import"],
            Endpoint::ImportBalances => &["/api/balance/import"],
            Endpoint::ImportTransactions => &["/api/transaction/import"],
            Endpoint::ImportActs => &["/v1/billing/acts/import"],
            Endpoint::ActsList => &[
                "/v1/billing/acts",
                "/v1/billing/acts/{page}",
                "/v1/billing/acts/{page}/{limit}",
            ],
            Endpoint::ActInfo => &["/v1/billing/act_info/{act_id}"],
            Endpoint::ActPrint => &["/v1/billing/act_info/{act_id}/print"],
            Endpoint::ActPrintLink => &["/v1/billing/act_info/{act_id}/print_link"],
            Endpoint::ActStatuses => &["/v1/billing/filter/act_statuses"],
            Endpoint::ActPayers => &["/v1/billing/filter/payers"],
            Endpoint::ActRecipients => &["/v1/billing/filter/recipients"],
            Endpoint::ServicesList => &["/api/services"],
            Endpoint::AccountGet => &["/api/accounts/{id}"],
            Endpoint::AccountBalances => &["/api/accounts/{id}/balances"],
            Endpoint::AccountTransactions => &["/api/accounts/{id}/transactions"],
            Endpoint::CounterReadings => &["/api/counters/{id}/readings"],
            Endpoint::KeysCreate => &["/api/keys"],
            Endpoint::KeysRevoke => &["/api/keys/{id}"],
            // The same path as the readings' history, another method and function.
            Endpoint::CounterSubmit => &["/api/counters/{id}/readings"],
            Endpoint::CounterSubmissions => &["/api/counters/{id}/submissions"],
            Endpoint::CounterExport => &["/api/counter/export"],
            Endpoint::CounterExportAck => &["/api/counter/export/ack"],
            Endpoint::SettingsGet | Endpoint::SettingsPut => &["/api/settings"],
        }
    }

    /// Imports, the making of a print link, of a key and of a submission, and 1C's
    /// acknowledgement are POSTs, a key's revocation a DELETE, the settings' replacement a PUT;
    /// the rest GETs.
    pub fn method(self) -> Method {
        match self {
            _ if self.table().is_some() => Method::POST,
            Endpoint::ActPrintLink
            | Endpoint::KeysCreate
            | Endpoint::CounterSubmit
            | Endpoint::CounterExportAck => Method::POST,
            Endpoint::KeysRevoke => Method::DELETE,
            Endpoint::SettingsPut => Method::PUT,
            _ => Method::GET,
        }
    }

    /// What a key needs to call it: `import` for the imports, 1C's export and acknowledgement
    /// and the settings' replacement, `keys` for keys, `submit` to submit a reading, `read` for
    /// the rest (the settings take `import` too: [`Endpoint::also_scope`]).
    pub fn scope(self) -> Scope {
        match self {
            _ if self.table().is_some() => Scope::Import,
            Endpoint::CounterExport | Endpoint::CounterExportAck | Endpoint::SettingsPut => {
                Scope::Import
            }
            Endpoint::KeysCreate | Endpoint::KeysRevoke => Scope::Keys,
            Endpoint::CounterSubmit => Scope::Submit,
            _ => Scope::Read,
        }
    }

    /// Another scope that opens it: the office's settings are read by 1C's keys too.
    pub fn also_scope(self) -> Option<Scope> {
        (self == Endpoint::SettingsGet).then_some(Scope::Import)
    }

    /// Whether a key bound to one personal account (a residents' app's) may call it: that
    /// account's own data, its meters' submissions (and submitting them), the services and the
    /// office's settings. Its handler authenticates with
    /// [`App::authenticate_caller`] and answers `404` for any other account; every other route
    /// authenticates with [`App::authenticate`], which answers such a key `403`.
    pub fn admits_account_keys(self) -> bool {
        matches!(
            self,
            Endpoint::ServicesList
                | Endpoint::AccountGet
                | Endpoint::AccountBalances
                | Endpoint::AccountTransactions
                | Endpoint::CounterReadings
                | Endpoint::CounterSubmit
                | Endpoint::CounterSubmissions
                | Endpoint::SettingsGet
        )
    }

    /// The deployment's secrets its function is given (`template.yaml` hands each function
    /// exactly these, a test checks): the personal-data key to the one function that
    /// pseudonymises, the signing key to those that issue or take back cursors and print links.
    pub fn secrets(self) -> &'static [Secret] {
        match self {
            Endpoint::ImportAccounts => &[Secret::PersonalDataKey],
            Endpoint::ServicesList
            | Endpoint::AccountGet
            | Endpoint::AccountBalances
            | Endpoint::AccountTransactions
            | Endpoint::CounterReadings
            | Endpoint::CounterSubmissions
            | Endpoint::ActPrint
            | Endpoint::ActPrintLink
            | Endpoint::ActPayers
            | Endpoint::ActRecipients => &[Secret::SigningKey],
            _ => &[],
        }
    }

    /// For an import: the table its records go to.
    pub fn table(self) -> Option<Table> {
        Some(match self {
            Endpoint::ImportServices => Table::Services,
            Endpoint::ImportAccounts => Table::Accounts,
            Endpoint::ImportCounters => Table::Counters,
            Endpoint::ImportReadings => Table::Readings,
            Endpoint::ImportBalances => Table::Balances,
            Endpoint::ImportTransactions => Table::Transactions,
            Endpoint::ImportActs => Table::Acts,
            _ => return None,
        })
    }

    /// For an import: the body's top-level key (readings come as `counters`, as the spec has
    /// it).
    pub fn collection(self) -> Option<&'static str> {
        Some(match self {
            Endpoint::ImportServices => Service::COLLECTION,
            Endpoint::ImportAccounts => Account::COLLECTION,
            Endpoint::ImportCounters => Counter::COLLECTION,
            Endpoint::ImportReadings => Reading::COLLECTION,
            Endpoint::ImportBalances => Balance::COLLECTION,
            Endpoint::ImportTransactions => Transaction::COLLECTION,
            Endpoint::ImportActs => Act::COLLECTION,
            _ => return None,
        })
    }

    /// For an import: the kind of record, as logs and metrics name it (`readings`).
    pub fn kind(self) -> Option<&'static str> {
        Some(match self {
            Endpoint::ImportServices => Service::KIND,
            Endpoint::ImportAccounts => Account::KIND,
            Endpoint::ImportCounters => Counter::KIND,
            Endpoint::ImportReadings => Reading::KIND,
            Endpoint::ImportBalances => Balance::KIND,
            Endpoint::ImportTransactions => Transaction::KIND,
            Endpoint::ImportActs => Act::KIND,
            _ => return None,
        })
    }

    /// Handles one request: a write from another site's page is refused before anything else
    /// (`browser.rs`), and every answer gets the browser's safety headers. Inlined into each
    /// function's `main`, where the endpoint is a constant, so that a function's binary holds
    /// its own handler only.
    #[inline(always)]
    pub fn handle(self, app: &App<Dynamo>, request: Request) -> Answer<'_> {
        if let Err(refused) = browser::refuse_cross_site(&request) {
            let response = browser::harden(refused.into_response());
            return Box::pin(std::future::ready(Ok(response)));
        }
        let answer = self.route(app, request);
        Box::pin(async move { answer.await.map(browser::harden) })
    }

    #[inline(always)]
    fn route(self, app: &App<Dynamo>, request: Request) -> Answer<'_> {
        use crate::{
            account, act_page, acts, import, import_period, keys, print_link, reads, settings,
            submissions,
        };
        match self {
            Endpoint::ImportServices => Box::pin(import::<Service, _>(app, request)),
            Endpoint::ImportAccounts => Box::pin(import::<Account, _>(app, request)),
            Endpoint::ImportCounters => Box::pin(import::<Counter, _>(app, request)),
            Endpoint::ImportReadings => Box::pin(import_period::<Reading, _>(app, request)),
            Endpoint::ImportBalances => Box::pin(import_period::<Balance, _>(app, request)),
            Endpoint::ImportTransactions => Box::pin(import_period::<Transaction, _>(app, request)),
            Endpoint::ImportActs => Box::pin(import::<Act, _>(app, request)),
            Endpoint::ActsList => Box::pin(acts::list(app, request)),
            Endpoint::ActInfo => Box::pin(acts::info(app, request)),
            Endpoint::ActPrint => Box::pin(act_page::print(app, request)),
            Endpoint::ActPrintLink => Box::pin(print_link::issue(app, request)),
            Endpoint::ActStatuses => Box::pin(acts::statuses(app, request)),
            Endpoint::ActPayers => Box::pin(acts::parties(app, request, PartyRole::Payer)),
            Endpoint::ActRecipients => Box::pin(acts::parties(app, request, PartyRole::Recipient)),
            Endpoint::ServicesList => Box::pin(reads::services(app, request)),
            Endpoint::AccountGet => Box::pin(account::account(app, request)),
            Endpoint::AccountBalances => Box::pin(reads::balances(app, request)),
            Endpoint::AccountTransactions => Box::pin(reads::transactions(app, request)),
            Endpoint::CounterReadings => Box::pin(reads::readings(app, request)),
            Endpoint::KeysCreate => Box::pin(keys::create(app, request)),
            Endpoint::KeysRevoke => Box::pin(keys::revoke(app, request)),
            Endpoint::CounterSubmit => Box::pin(submissions::submit(app, request)),
            Endpoint::CounterSubmissions => Box::pin(submissions::list(app, request)),
            Endpoint::CounterExport => Box::pin(submissions::export(app, request)),
            Endpoint::CounterExportAck => Box::pin(submissions::acknowledge(app, request)),
            Endpoint::SettingsGet => Box::pin(settings::get(app, request)),
            Endpoint::SettingsPut => Box::pin(settings::put(app, request)),
        }
    }

    /// The endpoint of a function's binary name.
    pub fn of_function(name: &str) -> Option<Endpoint> {
        Endpoint::ALL.into_iter().find(|e| e.function() == name)
    }
}
