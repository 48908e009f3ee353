//! `POST /api/transaction/import`: imports `domain::Transaction` records through `api::import_period`.

use lambda_http::{Error, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    api::init_tracing();
    let app = api::App::from_env().await?;
    run(service_fn(|request| {
        api::import_period::<domain::Transaction, _>(&app, request)
    }))
    .await
}
