//! `GET /v1/billing/act_info/{act_id}/print`: the Lambda of `api::Endpoint::ActPrint`.

use api::{App, Endpoint};
use lambda_http::{Error, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    api::init_tracing();
    let app = App::from_env(Endpoint::ActPrint).await?;
    run(service_fn(|request| {
        Endpoint::ActPrint.handle(&app, request)
    }))
    .await
}
