//! `GET /api/exchanges/{id}`: the Lambda of `api::Endpoint::ExchangeGet`.

use api::{App, Endpoint};
use lambda_http::{Error, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    api::init_tracing();
    let app = App::from_env(Endpoint::ExchangeGet).await?;
    run(service_fn(|request| {
        Endpoint::ExchangeGet.handle(&app, request)
    }))
    .await
}
