//! `POST /api/accounts/{id}/receipts/{period}/print_link`: the Lambda of `api::Endpoint::ReceiptPrintLink`.

use api::{App, Endpoint};
use lambda_http::{Error, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    api::init_tracing();
    let app = App::from_env(Endpoint::ReceiptPrintLink).await?;
    run(service_fn(|request| {
        Endpoint::ReceiptPrintLink.handle(&app, request)
    }))
    .await
}
