//! `GET /api/balance/reconciliation`: the Lambda of `api::Endpoint::BalanceReconciliation`.

use api::{App, Endpoint};
use lambda_http::{Error, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    api::init_tracing();
    let app = App::from_env(Endpoint::BalanceReconciliation).await?;
    run(service_fn(|request| {
        Endpoint::BalanceReconciliation.handle(&app, request)
    }))
    .await
}
