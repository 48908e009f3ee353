//! Every route of the API, listed once: its facts in one block each (`spec.rs`: function,
//! method, paths, access, secrets, import) and its handler ([`Endpoint::handle`]).
//! `template.yaml`, the router of `make run` (`Cargo.toml`), `docs/openapi.yaml` and the
//! functions' `main.rs` files are checked against this list by a test; the tests, the
//! benchmarks and the sample bodies read it.
//!
//! The spec calls meters `counters`, and so do the wire format, the paths and these names
//! (`ImportCounters`, `CounterReadings`); the code's prose says meters where it means the thing.

use std::future::Future;
use std::pin::Pin;

use domain::{
    Account, Act, Balance, Counter, Organization, PartyRole, Reading, Receipt, Scope, Secret,
    Service, Transaction,
};
use lambda_http::http::Method;
use lambda_http::{Body, Error, Request, Response};
use store::{Dynamo, Table};

use crate::{ApiError, App, browser};

mod spec;

pub use spec::{Access, Import, Spec, Verb};

/// What a function answers the Lambda runtime: always a response (the runtime's error is never
/// for a client's input).
pub type Answer<'a> = Pin<Box<dyn Future<Output = Result<Response<Body>, Error>> + Send + 'a>>;

/// The one handler contract: the response, or the error that [`Endpoint::handle`] turns into
/// one ([`ApiError::into_response`]).
pub type Handled<'a> = Pin<Box<dyn Future<Output = Result<Response<Body>, ApiError>> + Send + 'a>>;

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
    KeysList,
    KeysRevoke,
    CounterSubmit,
    CounterSubmissions,
    CounterExport,
    CounterExportAck,
    SettingsGet,
    SettingsPut,
    ExchangeOpen,
    ExchangeGet,
    JournalList,
    TransactionReconciliation,
    BalanceReconciliation,
    CounterReconciliation,
    ImportOrganizations,
    ImportReceipts,
    AccountReceipts,
    ReceiptPrint,
    ReceiptPrintLink,
}

impl Endpoint {
    pub const ALL: [Endpoint; 39] = [
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
        Endpoint::KeysList,
        Endpoint::KeysRevoke,
        Endpoint::CounterSubmit,
        Endpoint::CounterSubmissions,
        Endpoint::CounterExport,
        Endpoint::CounterExportAck,
        Endpoint::SettingsGet,
        Endpoint::SettingsPut,
        Endpoint::ExchangeOpen,
        Endpoint::ExchangeGet,
        Endpoint::JournalList,
        Endpoint::TransactionReconciliation,
        Endpoint::BalanceReconciliation,
        Endpoint::CounterReconciliation,
        Endpoint::ImportOrganizations,
        Endpoint::ImportReceipts,
        Endpoint::AccountReceipts,
        Endpoint::ReceiptPrint,
        Endpoint::ReceiptPrintLink,
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
    pub const fn function(self) -> &'static str {
        self.spec().function
    }

    /// Its paths, as API Gateway writes them (`{name}` for a path parameter); the first is the
    /// one to call.
    pub const fn paths(self) -> &'static [&'static str] {
        self.spec().paths
    }

    pub fn method(self) -> Method {
        self.spec().method.method()
    }

    pub const fn access(self) -> Access {
        self.spec().access
    }

    /// The scopes that open it: any one of them is enough.
    pub const fn scopes(self) -> &'static [Scope] {
        self.spec().access.scopes()
    }

    /// Whether a key bound to one personal account (a residents' app's) may call it.
    pub const fn admits_account_keys(self) -> bool {
        matches!(self.spec().access, Access::TenantOrAccount(_))
    }

    /// The deployment's secrets its function is given (`template.yaml` hands each function
    /// exactly these, a test checks).
    pub const fn secrets(self) -> &'static [Secret] {
        self.spec().secrets
    }

    /// For an import: its table, collection and kind.
    pub const fn import(self) -> Option<Import> {
        self.spec().import
    }

    /// For an import: the table its records go to.
    pub const fn table(self) -> Option<Table> {
        match self.spec().import {
            Some(import) => Some(import.table),
            None => None,
        }
    }

    /// For an import: the body's top-level key (readings come as `counters`, as the spec has
    /// it).
    pub const fn collection(self) -> Option<&'static str> {
        match self.spec().import {
            Some(import) => Some(import.collection),
            None => None,
        }
    }

    /// For an import: the kind of record, as logs and metrics name it (`readings`).
    pub const fn kind(self) -> Option<&'static str> {
        match self.spec().import {
            Some(import) => Some(import.kind),
            None => None,
        }
    }

    /// Handles one request: a write from another site's page is refused before anything else
    /// (`browser.rs`), the handler's error becomes its response here and nowhere else
    /// (`error.rs`), and every answer gets the browser's safety headers. Inlined into each
    /// function's `main`, where the endpoint is a constant, so that a function's binary holds
    /// its own handler only.
    #[inline(always)]
    pub fn handle(self, app: &App<Dynamo>, request: Request) -> Answer<'_> {
        if let Err(refused) = browser::refuse_cross_site(&request) {
            let response = browser::harden(refused.into_response());
            return Box::pin(std::future::ready(Ok(response)));
        }
        let handled = self.route(app, request);
        Box::pin(async move {
            let response = handled.await.unwrap_or_else(ApiError::into_response);
            Ok(browser::harden(response))
        })
    }

    /// The handler of each endpoint: every one takes the app, the request and its endpoint
    /// (whose access it checks and whose cursors it seals), and returns [`Handled`].
    #[inline(always)]
    fn route(self, app: &App<Dynamo>, request: Request) -> Handled<'_> {
        use crate::handlers::{
            account, act_page, acts, exchanges, import, journal, keys, periods, print_link, reads,
            receipt_page, receipts, reconciliation, settings, submissions,
        };
        use reconciliation::Tallied;
        match self {
            Endpoint::ImportServices => Box::pin(import::plain::<Service, _>(app, request, self)),
            Endpoint::ImportAccounts => Box::pin(import::plain::<Account, _>(app, request, self)),
            Endpoint::ImportCounters => Box::pin(import::plain::<Counter, _>(app, request, self)),
            Endpoint::ImportReadings => Box::pin(periods::period::<Reading, _>(app, request, self)),
            Endpoint::ImportBalances => Box::pin(periods::period::<Balance, _>(app, request, self)),
            Endpoint::ImportTransactions => {
                Box::pin(periods::period::<Transaction, _>(app, request, self))
            }
            Endpoint::ImportActs => Box::pin(import::plain::<Act, _>(app, request, self)),
            Endpoint::ActsList => Box::pin(acts::list(app, request, self)),
            Endpoint::ActInfo => Box::pin(acts::info(app, request, self)),
            Endpoint::ActPrint => Box::pin(act_page::print(app, request, self)),
            Endpoint::ActPrintLink => Box::pin(print_link::issue(app, request, self)),
            Endpoint::ActStatuses => Box::pin(acts::statuses(app, request, self)),
            Endpoint::ActPayers => Box::pin(acts::parties(app, request, self, PartyRole::Payer)),
            Endpoint::ActRecipients => {
                Box::pin(acts::parties(app, request, self, PartyRole::Recipient))
            }
            Endpoint::ServicesList => Box::pin(reads::services(app, request, self)),
            Endpoint::AccountGet => Box::pin(account::account(app, request, self)),
            Endpoint::AccountBalances => Box::pin(reads::balances(app, request, self)),
            Endpoint::AccountTransactions => Box::pin(reads::transactions(app, request, self)),
            Endpoint::CounterReadings => Box::pin(reads::readings(app, request, self)),
            Endpoint::KeysCreate => Box::pin(keys::create(app, request, self)),
            Endpoint::KeysList => Box::pin(keys::list(app, request, self)),
            Endpoint::KeysRevoke => Box::pin(keys::revoke(app, request, self)),
            Endpoint::CounterSubmit => Box::pin(submissions::submit(app, request, self)),
            Endpoint::CounterSubmissions => Box::pin(submissions::list(app, request, self)),
            Endpoint::CounterExport => Box::pin(submissions::export(app, request, self)),
            Endpoint::CounterExportAck => Box::pin(submissions::acknowledge(app, request, self)),
            Endpoint::SettingsGet => Box::pin(settings::get(app, request, self)),
            Endpoint::SettingsPut => Box::pin(settings::put(app, request, self)),
            Endpoint::ExchangeOpen => Box::pin(exchanges::open(app, request, self)),
            Endpoint::ExchangeGet => Box::pin(exchanges::status(app, request, self)),
            Endpoint::JournalList => Box::pin(journal::list(app, request, self)),
            Endpoint::TransactionReconciliation => Box::pin(reconciliation::tallies(
                app,
                request,
                self,
                Tallied::Transactions,
            )),
            Endpoint::BalanceReconciliation => Box::pin(reconciliation::tallies(
                app,
                request,
                self,
                Tallied::Balances,
            )),
            Endpoint::CounterReconciliation => Box::pin(reconciliation::tallies(
                app,
                request,
                self,
                Tallied::Readings,
            )),
            Endpoint::ImportOrganizations => {
                Box::pin(import::plain::<Organization, _>(app, request, self))
            }
            Endpoint::ImportReceipts => Box::pin(periods::period::<Receipt, _>(app, request, self)),
            Endpoint::AccountReceipts => Box::pin(receipts::list(app, request, self)),
            Endpoint::ReceiptPrint => Box::pin(receipt_page::print(app, request, self)),
            Endpoint::ReceiptPrintLink => Box::pin(receipt_page::issue_link(app, request, self)),
        }
    }

    /// The endpoint of a function's binary name.
    pub fn of_function(name: &str) -> Option<Endpoint> {
        Endpoint::ALL.into_iter().find(|e| e.function() == name)
    }
}
