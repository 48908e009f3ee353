//! `POST /api/directory/importorganizations`: the Lambda of `api::Endpoint::ImportOrganizations`.

use api::{App, Endpoint};
use lambda_http::{Error, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    api::init_tracing();
    let app = App::from_env(Endpoint::ImportOrganizations).await?;
    run(service_fn(|request| {
        Endpoint::ImportOrganizations.handle(&app, request)
    }))
    .await
}
