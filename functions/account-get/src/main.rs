//! `GET /api/accounts/{id}`: see `api::reads::account`.

use lambda_http::{Error, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    api::init_tracing();
    let app = api::App::from_env().await?;
    run(service_fn(|request| api::reads::account(&app, request))).await
}
