//! `POST /api/directory/importaccounts`: the Lambda of `api::Endpoint::ImportAccounts`.

use api::{App, Endpoint};
use lambda_http::{Error, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    api::init_tracing();
    let app = App::from_env(Endpoint::ImportAccounts).await?;
    run(service_fn(|request| {
        Endpoint::ImportAccounts.handle(&app, request)
    }))
    .await
}
