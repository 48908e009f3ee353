//! `GET /v1/billing/filter/payers`: the Lambda of `api::Endpoint::ActPayers`.

use api::{App, Endpoint};
use lambda_http::{Error, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    api::init_tracing();
    let app = App::from_env(Endpoint::ActPayers).await?;
    run(service_fn(|request| {
        Endpoint::ActPayers.handle(&app, request)
    }))
    .await
}
