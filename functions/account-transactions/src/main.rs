//! `GET /api/accounts/{id}/transactions`: the Lambda of `api::Endpoint::AccountTransactions`.

use api::{App, Endpoint};
use lambda_http::{Error, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    api::init_tracing();
    let app = App::from_env(Endpoint::AccountTransactions).await?;
    run(service_fn(|request| {
        Endpoint::AccountTransactions.handle(&app, request)
    }))
    .await
}
