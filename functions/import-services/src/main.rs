//! `POST /api/directory/importservices`: the Lambda of `api::Endpoint::ImportServices`.

use api::{App, Endpoint};
use lambda_http::{Error, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    api::init_tracing();
    let app = App::from_env(Endpoint::ImportServices).await?;
    run(service_fn(|request| {
        Endpoint::ImportServices.handle(&app, request)
    }))
    .await
}
