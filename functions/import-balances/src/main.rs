//! `POST /api/balance/import`: the Lambda of `api::Endpoint::ImportBalances`.

use api::{App, Endpoint};
use lambda_http::{Error, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    api::init_tracing();
    let app = App::from_env(Endpoint::ImportBalances).await?;
    run(service_fn(|request| {
        Endpoint::ImportBalances.handle(&app, request)
    }))
    .await
}
