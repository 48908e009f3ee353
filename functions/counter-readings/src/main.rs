//! `GET /api/counters/{id}/readings`: the Lambda of `api::Endpoint::CounterReadings`.

use api::{App, Endpoint};
use lambda_http::{Error, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    api::init_tracing();
    let app = App::from_env(Endpoint::CounterReadings).await?;
    run(service_fn(|request| {
        Endpoint::CounterReadings.handle(&app, request)
    }))
    .await
}
