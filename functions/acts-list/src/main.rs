//! `GET /v1/billing/acts[/{page}[/{limit}]]`: see `api::acts::list`.

use lambda_http::{Error, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    api::init_tracing();
    let app = api::App::from_env().await?;
    run(service_fn(|request| api::acts::list(&app, request))).await
}
