//! `POST /api/counter/import`: the Lambda of `api::Endpoint::ImportReadings`.

use api::{App, Endpoint};
use lambda_http::{Error, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    api::init_tracing();
    let app = App::from_env(Endpoint::ImportReadings).await?;
    run(service_fn(|request| {
        Endpoint::ImportReadings.handle(&app, request)
    }))
    .await
}
