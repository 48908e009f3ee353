//! `GET /v1/billing/filter/act_statuses`: the Lambda of `api::Endpoint::ActStatuses`.

use api::{App, Endpoint};
use lambda_http::{Error, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    api::init_tracing();
    let app = App::from_env(Endpoint::ActStatuses).await?;
    run(service_fn(|request| {
        Endpoint::ActStatuses.handle(&app, request)
    }))
    .await
}
