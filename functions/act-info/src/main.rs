//! `GET /v1/billing/act_info/{act_id}`: the Lambda of `api::Endpoint::ActInfo`.

use api::{App, Endpoint};
use lambda_http::{Error, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    api::init_tracing();
    let app = App::from_env(Endpoint::ActInfo).await?;
    run(service_fn(|request| {
        Endpoint::ActInfo.handle(&app, request)
    }))
    .await
}
