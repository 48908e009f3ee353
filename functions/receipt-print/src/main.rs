//! `GET /api/accounts/{id}/receipts/{period}/print`: the Lambda of `api::Endpoint::ReceiptPrint`.

use api::{App, Endpoint};
use lambda_http::{Error, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    api::init_tracing();
    let app = App::from_env(Endpoint::ReceiptPrint).await?;
    run(service_fn(|request| {
        Endpoint::ReceiptPrint.handle(&app, request)
    }))
    .await
}
