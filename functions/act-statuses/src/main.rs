//! `GET /v1/billing/filter/act_statuses`: see `api::acts::statuses`.

use lambda_http::{Error, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    api::init_tracing();
    let app = api::App::from_env().await?;
    run(service_fn(|request| api::acts::statuses(&app, request))).await
}
