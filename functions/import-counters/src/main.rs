//! `POST /api/directory/importcounters`: the Lambda of `api::Endpoint::ImportCounters`.

use api::{App, Endpoint};
use lambda_http::{Error, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    api::init_tracing();
    let app = App::from_env(Endpoint::ImportCounters).await?;
    run(service_fn(|request| {
        Endpoint::ImportCounters.handle(&app, request)
    }))
    .await
}
