//! `GET /api/accounts/{id}/receipts`: the Lambda of `api::Endpoint::AccountReceipts`.

use api::{App, Endpoint};
use lambda_http::{Error, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    api::init_tracing();
    let app = App::from_env(Endpoint::AccountReceipts).await?;
    run(service_fn(|request| {
        Endpoint::AccountReceipts.handle(&app, request)
    }))
    .await
}
