//! `GET /api/services`: the Lambda of `api::Endpoint::ServicesList`.

use api::{App, Endpoint};
use lambda_http::{Error, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    api::init_tracing();
    let app = App::from_env(Endpoint::ServicesList).await?;
    run(service_fn(|request| {
        Endpoint::ServicesList.handle(&app, request)
    }))
    .await
}
