//! `GET /api/accounts/{id}/balances`: the Lambda of `api::Endpoint::AccountBalances`.

use api::{App, Endpoint};
use lambda_http::{Error, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    api::init_tracing();
    let app = App::from_env(Endpoint::AccountBalances).await?;
    run(service_fn(|request| {
        Endpoint::AccountBalances.handle(&app, request)
    }))
    .await
}
