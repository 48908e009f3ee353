//! `GET /api/counter/reconciliation`: the Lambda of `api::Endpoint::CounterReconciliation`.

use api::{App, Endpoint};
use lambda_http::{Error, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    api::init_tracing();
    let app = App::from_env(Endpoint::CounterReconciliation).await?;
    run(service_fn(|request| {
        Endpoint::CounterReconciliation.handle(&app, request)
    }))
    .await
}
