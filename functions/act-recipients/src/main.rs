//! `GET /v1/billing/filter/recipients`: the Lambda of `api::Endpoint::ActRecipients`.

use api::{App, Endpoint};
use lambda_http::{Error, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    api::init_tracing();
    let app = App::from_env(Endpoint::ActRecipients).await?;
    run(service_fn(|request| {
        Endpoint::ActRecipients.handle(&app, request)
    }))
    .await
}
