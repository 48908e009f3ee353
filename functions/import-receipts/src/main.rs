//! `POST /api/receipt/import`: the Lambda of `api::Endpoint::ImportReceipts`.

use api::{App, Endpoint};
use lambda_http::{Error, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    api::init_tracing();
    let app = App::from_env(Endpoint::ImportReceipts).await?;
    run(service_fn(|request| {
        Endpoint::ImportReceipts.handle(&app, request)
    }))
    .await
}
