//! A method per endpoint, in `Endpoint::ALL` order: the request each one takes, with the
//! app's key.

use api::Endpoint;
use lambda_http::{Body, Response};
use serde_json::{Value, json};

use super::TestApp;

impl TestApp {
    /// `POST {"<collection>": items}` to an import, with a query string (a period).
    async fn import(
        &self,
        endpoint: Endpoint,
        items: Value,
        query: &[(&str, &str)],
    ) -> (u16, Value) {
        let collection = endpoint.collection().expect("an import");
        let body = json!({ collection: items });
        self.answer(self.to(endpoint).json(&body).query(query))
            .await
    }

    /// `POST /api/directory/importservices`.
    pub async fn post_services(&self, items: Value) -> (u16, Value) {
        self.import(Endpoint::ImportServices, items, &[]).await
    }

    /// `POST /api/directory/importaccounts`.
    pub async fn post_accounts(&self, items: Value) -> (u16, Value) {
        self.import(Endpoint::ImportAccounts, items, &[]).await
    }

    /// `POST /api/directory/importcounters`.
    pub async fn post_counters(&self, items: Value) -> (u16, Value) {
        self.import(Endpoint::ImportCounters, items, &[]).await
    }

    /// `POST /api/counter/import`, with a query string (a period).
    pub async fn post_readings(&self, items: Value, query: &[(&str, &str)]) -> (u16, Value) {
        self.import(Endpoint::ImportReadings, items, query).await
    }

    /// `POST /api/balance/import`, with a query string (a period).
    pub async fn post_balances(&self, items: Value, query: &[(&str, &str)]) -> (u16, Value) {
        self.import(Endpoint::ImportBalances, items, query).await
    }

    /// `POST /api/transaction/import`, with a query string (a period).
    pub async fn post_transactions(&self, items: Value, query: &[(&str, &str)]) -> (u16, Value) {
        self.import(Endpoint::ImportTransactions, items, query)
            .await
    }

    /// `POST /v1/billing/acts/import`.
    pub async fn post_acts(&self, acts: &[Value]) -> (u16, Value) {
        self.import(Endpoint::ImportActs, json!(acts), &[]).await
    }

    /// `GET /v1/billing/acts[/{page}[/{limit}]]`: path parameters and query string.
    pub async fn get_acts(&self, path: &[(&str, &str)], query: &[(&str, &str)]) -> (u16, Value) {
        self.get(Endpoint::ActsList, path, query).await
    }

    /// `GET /v1/billing/act_info/{act_id}`.
    pub async fn get_act_info(&self, act_id: &str) -> (u16, Value) {
        self.answer(self.to(Endpoint::ActInfo).at(&[act_id])).await
    }

    /// `GET /v1/billing/act_info/{act_id}/print`: the whole answer.
    pub async fn get_act_print(&self, act_id: &str) -> Response<Body> {
        self.respond(self.to(Endpoint::ActPrint).at(&[act_id]))
            .await
    }

    /// `GET` of a print link's URL with no credentials at all, as a customer's browser opens it.
    pub async fn open_print_link(&self, url: &str) -> Response<Body> {
        let (path, token) = url.split_once("?link=").expect("a print link");
        let act_id = path.rsplit('/').nth(1).expect("…/{act_id}/print");
        let call = self.to(Endpoint::ActPrint).without_key();
        self.respond(call.at(&[act_id]).query(&[("link", token)]))
            .await
    }

    /// `POST /v1/billing/act_info/{act_id}/print_link` with a query string (`ttl_hours`).
    pub async fn post_print_link(&self, act_id: &str, query: &[(&str, &str)]) -> (u16, Value) {
        let call = self.to(Endpoint::ActPrintLink).at(&[act_id]);
        self.answer(call.query(query)).await
    }

    /// `GET /v1/billing/filter/act_statuses`.
    pub async fn get_act_statuses(&self) -> (u16, Value) {
        self.get(Endpoint::ActStatuses, &[], &[]).await
    }

    /// `GET /v1/billing/filter/payers`, which must answer `200`: its body.
    pub async fn get_payers(&self) -> Value {
        let (status, answer) = self.get(Endpoint::ActPayers, &[], &[]).await;
        assert_eq!(status, 200, "{answer}");
        answer
    }

    /// `GET /v1/billing/filter/recipients`, which must answer `200`: its body.
    pub async fn get_recipients(&self) -> Value {
        let (status, answer) = self.get(Endpoint::ActRecipients, &[], &[]).await;
        assert_eq!(status, 200, "{answer}");
        answer
    }

    /// `GET /api/services`.
    pub async fn get_services(&self) -> (u16, Value) {
        self.get(Endpoint::ServicesList, &[], &[]).await
    }

    /// `GET /api/accounts/{id}`.
    pub async fn get_account(&self, id: &str) -> (u16, Value) {
        self.answer(self.to(Endpoint::AccountGet).at(&[id])).await
    }

    /// `GET /api/accounts/{id}/balances` with a query string.
    pub async fn get_balances(&self, id: &str, query: &[(&str, &str)]) -> (u16, Value) {
        let call = self.to(Endpoint::AccountBalances).at(&[id]);
        self.answer(call.query(query)).await
    }

    /// `GET /api/accounts/{id}/transactions` with a query string.
    pub async fn get_transactions(&self, id: &str, query: &[(&str, &str)]) -> (u16, Value) {
        let call = self.to(Endpoint::AccountTransactions).at(&[id]);
        self.answer(call.query(query)).await
    }

    /// `GET /api/counters/{id}/readings` with a query string.
    pub async fn get_readings(&self, id: &str, query: &[(&str, &str)]) -> (u16, Value) {
        let call = self.to(Endpoint::CounterReadings).at(&[id]);
        self.answer(call.query(query)).await
    }

    /// `POST /api/keys`: a key bound to one account.
    pub async fn post_key(&self, body: Value) -> (u16, Value) {
        self.answer(self.to(Endpoint::KeysCreate).json(&body)).await
    }

    /// `GET /api/keys?account=`.
    pub async fn get_keys(&self, account: &str) -> (u16, Value) {
        self.get(Endpoint::KeysList, &[], &[("account", account)])
            .await
    }

    /// `DELETE /api/keys/{id}`.
    pub async fn delete_key(&self, id: &str) -> (u16, Value) {
        self.answer(self.to(Endpoint::KeysRevoke).at(&[id])).await
    }

    /// `POST /api/counters/{id}/readings`: a resident's submission.
    pub async fn post_submission(&self, counter: &str, body: Value) -> (u16, Value) {
        let call = self.to(Endpoint::CounterSubmit).at(&[counter]);
        self.answer(call.json(&body)).await
    }

    /// `GET /api/counters/{id}/submissions`.
    pub async fn get_submissions(&self, counter: &str, query: &[(&str, &str)]) -> (u16, Value) {
        let call = self.to(Endpoint::CounterSubmissions).at(&[counter]);
        self.answer(call.query(query)).await
    }

    /// `GET /api/counter/export`.
    pub async fn get_export(&self, query: &[(&str, &str)]) -> (u16, Value) {
        self.get(Endpoint::CounterExport, &[], query).await
    }

    /// `POST /api/counter/export/ack`.
    pub async fn post_ack(&self, body: Value) -> (u16, Value) {
        self.answer(self.to(Endpoint::CounterExportAck).json(&body))
            .await
    }

    /// `GET /api/settings`.
    pub async fn get_settings(&self) -> (u16, Value) {
        self.get(Endpoint::SettingsGet, &[], &[]).await
    }

    /// `PUT /api/settings`.
    pub async fn put_settings(&self, body: Value) -> (u16, Value) {
        self.answer(self.to(Endpoint::SettingsPut).json(&body))
            .await
    }

    /// `POST /api/exchanges`.
    pub async fn post_exchange(&self, body: Value) -> (u16, Value) {
        self.answer(self.to(Endpoint::ExchangeOpen).json(&body))
            .await
    }

    /// `GET /api/exchanges/{id}`.
    pub async fn get_exchange(&self, id: &str) -> (u16, Value) {
        self.answer(self.to(Endpoint::ExchangeGet).at(&[id])).await
    }

    /// `GET /api/journal` with a query string.
    pub async fn get_journal(&self, query: &[(&str, &str)]) -> (u16, Value) {
        self.get(Endpoint::JournalList, &[], query).await
    }

    /// `GET /api/transaction/reconciliation` with a query string.
    pub async fn get_transaction_reconciliation(&self, query: &[(&str, &str)]) -> (u16, Value) {
        self.get(Endpoint::TransactionReconciliation, &[], query)
            .await
    }

    /// `GET /api/balance/reconciliation` with a query string.
    pub async fn get_balance_reconciliation(&self, query: &[(&str, &str)]) -> (u16, Value) {
        self.get(Endpoint::BalanceReconciliation, &[], query).await
    }

    /// `GET /api/counter/reconciliation` with a query string.
    pub async fn get_counter_reconciliation(&self, query: &[(&str, &str)]) -> (u16, Value) {
        self.get(Endpoint::CounterReconciliation, &[], query).await
    }

    /// `POST /api/directory/importorganizations`.
    pub async fn post_organizations(&self, items: Value) -> (u16, Value) {
        self.import(Endpoint::ImportOrganizations, items, &[]).await
    }

    /// `POST /api/receipt/import`, with a query string (a period).
    pub async fn post_receipts(&self, items: Value, query: &[(&str, &str)]) -> (u16, Value) {
        self.import(Endpoint::ImportReceipts, items, query).await
    }

    /// `GET /api/accounts/{id}/receipts` with a query string.
    pub async fn get_receipts(&self, id: &str, query: &[(&str, &str)]) -> (u16, Value) {
        let call = self.to(Endpoint::AccountReceipts).at(&[id]);
        self.answer(call.query(query)).await
    }

    /// `GET /api/accounts/{id}/receipts/{period}/print`: the whole answer.
    pub async fn get_receipt_print(&self, id: &str, period: &str) -> Response<Body> {
        self.respond(self.to(Endpoint::ReceiptPrint).at(&[id, period]))
            .await
    }

    /// `GET` of a receipt's print link with no credentials at all.
    pub async fn open_receipt_link(&self, url: &str) -> Response<Body> {
        let (path, token) = url.split_once("?link=").expect("a print link");
        let mut parts = path.rsplit('/');
        let (_, period, _, id) = (parts.next(), parts.next(), parts.next(), parts.next());
        let (id, period) = (id.expect("…/{id}/…"), period.expect("…/{period}/print"));
        let call = self.to(Endpoint::ReceiptPrint).without_key();
        self.respond(call.at(&[id, period]).query(&[("link", token)]))
            .await
    }

    /// `POST /api/accounts/{id}/receipts/{period}/print_link` with a query string.
    pub async fn post_receipt_link(
        &self,
        id: &str,
        period: &str,
        query: &[(&str, &str)],
    ) -> (u16, Value) {
        let call = self.to(Endpoint::ReceiptPrintLink).at(&[id, period]);
        self.answer(call.query(query)).await
    }
}
