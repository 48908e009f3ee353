//! `GET /v1/billing/filter/recipients`: see `api::acts::parties`.

use domain::PartyRole;
use lambda_http::{Error, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    api::init_tracing();
    let app = api::App::from_env().await?;
    run(service_fn(|request| {
        api::acts::parties(&app, request, PartyRole::Recipient)
    }))
    .await
}
