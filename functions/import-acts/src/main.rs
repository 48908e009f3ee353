//! `POST /v1/billing/acts/import`: the Lambda of `api::Endpoint::ImportActs`.

use api::{App, Endpoint};
use lambda_http::{Error, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    api::init_tracing();
    let app = App::from_env(Endpoint::ImportActs).await?;
    run(service_fn(|request| {
        Endpoint::ImportActs.handle(&app, request)
    }))
    .await
}
