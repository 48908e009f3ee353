//! `GET /api/keys`: the Lambda of `api::Endpoint::KeysList`.

use api::{App, Endpoint};
use lambda_http::{Error, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    api::init_tracing();
    let app = App::from_env(Endpoint::KeysList).await?;
    run(service_fn(|request| {
        Endpoint::KeysList.handle(&app, request)
    }))
    .await
}
