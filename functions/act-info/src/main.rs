//! `GET /v1/billing/act_info/{act_id}`: see `api::acts::info`.

use lambda_http::{Error, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    api::init_tracing();
    let app = api::App::from_env().await?;
    run(service_fn(|request| api::acts::info(&app, request))).await
}
