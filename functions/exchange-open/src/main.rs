//! `POST /api/exchanges`: the Lambda of `api::Endpoint::ExchangeOpen`.

use api::{App, Endpoint};
use lambda_http::{Error, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    api::init_tracing();
    let app = App::from_env(Endpoint::ExchangeOpen).await?;
    run(service_fn(|request| {
        Endpoint::ExchangeOpen.handle(&app, request)
    }))
    .await
}
