//! `POST /api/directory/importaccounts`: imports `domain::Account` records through `api::import`.

use lambda_http::{Error, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    api::init_tracing();
    let app = api::App::from_env().await?;
    run(service_fn(|request| {
        api::import::<domain::Account, _>(&app, request)
    }))
    .await
}
