//! `POST /api/transaction/import`: the Lambda of `api::Endpoint::ImportTransactions`.

use api::{App, Endpoint};
use lambda_http::{Error, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    api::init_tracing();
    let app = App::from_env(Endpoint::ImportTransactions).await?;
    run(service_fn(|request| {
        Endpoint::ImportTransactions.handle(&app, request)
    }))
    .await
}
