//! `GET /api/accounts/{id}`: the Lambda of `api::Endpoint::AccountGet`.

use api::{App, Endpoint};
use lambda_http::{Error, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    api::init_tracing();
    let app = App::from_env(Endpoint::AccountGet).await?;
    run(service_fn(|request| {
        Endpoint::AccountGet.handle(&app, request)
    }))
    .await
}
