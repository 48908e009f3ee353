//! `GET /api/transaction/reconciliation`: the Lambda of `api::Endpoint::TransactionReconciliation`.

use api::{App, Endpoint};
use lambda_http::{Error, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    api::init_tracing();
    let app = App::from_env(Endpoint::TransactionReconciliation).await?;
    run(service_fn(|request| {
        Endpoint::TransactionReconciliation.handle(&app, request)
    }))
    .await
}
