//! `GET /v1/billing/acts[/{page}[/{limit}]]`: the Lambda of `api::Endpoint::ActsList`.

use api::{App, Endpoint};
use lambda_http::{Error, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    api::init_tracing();
    let app = App::from_env(Endpoint::ActsList).await?;
    run(service_fn(|request| {
        Endpoint::ActsList.handle(&app, request)
    }))
    .await
}
